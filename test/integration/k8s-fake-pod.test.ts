// What the fake API server says around a pod, as the real kubectl reads it:
// metrics.k8s.io (kubectl top), pods/log with follow and previous (kubectl
// logs), a container OOM-killed and restarted (lastState), events in both
// APIs (kubectl get events), PersistentVolumeClaims (kubectl describe pvc) and
// the self reviews (kubectl auth can-i).
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findKubectl, kubectl, startFakeCluster, type FakeCluster } from '../support/fake-kube/index.js';

const NS = 'development';
let cluster: FakeCluster;
let cache: string;

const run = (...args: string[]) => kubectl(cluster.kubeconfig, cache, args);
/** kubectl's table output as words per line. */
const words = (out: string) => out.trim().split('\n').map((l) => l.trim().split(/\s+/));

beforeAll(async () => {
  cluster = await startFakeCluster({ namespace: NS });
  cache = `${cluster.dir}/kubectl-cache`;
  const kube = cluster.kube;
  kube.addPvc(NS, 'pgdata-pg-1', { capacity: '20Gi', storageClassName: 'fast' });
  kube.addPod(NS, 'pg-1', { labels: { app: 'pg' }, ports: {}, sidecars: ['exporter'], claims: { pgdata: 'pgdata-pg-1' } });
  kube.addPod(NS, 'pg-2', { labels: { app: 'pg' }, ports: {} });
  kube.addPod(NS, 'other', { labels: { app: 'other' }, ports: {} });
});
afterAll(async () => {
  await cluster?.stop();
});

describe('kubectl top pod (metrics.k8s.io/v1beta1)', () => {
  it('prints the usage the test set, per pod and per container', async () => {
    cluster.kube.setUsage(NS, 'pg-1', { cpu: '250m', memory: '300Mi' });
    cluster.kube.setUsage(NS, 'pg-1', { cpu: '5m', memory: '20Mi' }, 'exporter');
    cluster.kube.setUsage(NS, 'pg-2', { cpu: '1', memory: '1Gi' });
    const all = await run('top', 'pod', '-l', 'app=pg');
    expect(all.stderr).toBe('');
    expect(words(all.stdout)).toEqual([
      ['NAME', 'CPU(cores)', 'MEMORY(bytes)'],
      ['pg-1', '255m', '320Mi'],
      ['pg-2', '1000m', '1024Mi'],
    ]);
    const containers = await run('top', 'pod', 'pg-1', '--containers');
    expect(containers.stderr).toBe('');
    expect(words(containers.stdout).slice(1)).toEqual([
      // kubectl sorts containers by name.
      ['pg-1', 'exporter', '5m', '20Mi'],
      ['pg-1', 'postgres', '250m', '300Mi'],
    ]);
  });

  it('says NotFound for a pod that does not run', async () => {
    const missing = await run('top', 'pod', 'nope');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('podmetrics.metrics.k8s.io "nope" not found');
  });
});

/** Starts `kubectl logs -f`; its output so far, and its exit. */
function follow(...args: string[]) {
  const child = spawn(findKubectl(), ['--kubeconfig', cluster.kubeconfig, '--cache-dir', cache, 'logs', '-f', ...args]);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d));
  child.stderr.on('data', (d: Buffer) => (stderr += d));
  const exited = new Promise<number>((resolve) => child.on('exit', (code) => resolve(code ?? -1)));
  return { child, exited, stdout: () => stdout, stderr: () => stderr };
}

async function until(what: string, check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('kubectl logs (pods/log)', () => {
  it('reads the default container, another with -c, --tail, --since and --timestamps', async () => {
    const kube = cluster.kube;
    kube.appendLog(NS, 'pg-2', ['an hour-old line'], { at: new Date(Date.now() - 3_600_000) });
    kube.appendLog(NS, 'pg-2', ['LOG:  database system is ready to accept connections', 'LOG:  checkpoint starting: time']);
    kube.appendLog(NS, 'pg-1', ['exporter listening on :9187'], { container: 'exporter' });

    expect((await run('logs', 'pg-2')).stdout).toBe('an hour-old line\nLOG:  database system is ready to accept connections\nLOG:  checkpoint starting: time\n');
    expect((await run('logs', 'pg-2', '--tail=1')).stdout).toBe('LOG:  checkpoint starting: time\n');
    expect((await run('logs', 'pg-2', '--since=10m')).stdout).not.toContain('hour-old');
    expect((await run('logs', 'pg-2', '--since=10m')).stdout).toContain('ready to accept connections');
    expect((await run('logs', 'pg-2', '--tail=1', '--timestamps')).stdout).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z LOG: {2}checkpoint starting: time\n$/);
    expect((await run('logs', 'pg-1', '-c', 'exporter')).stdout).toBe('exporter listening on :9187\n');
    // pg-1 has two containers: kubectl takes the default-container annotation's.
    expect((await run('logs', 'pg-1')).stdout).toBe('');
    const wrong = await run('logs', 'pg-2', '-c', 'nope');
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain('container nope is not valid for pod pg-2');
  });

  it('follows: a line appended while kubectl logs -f runs arrives, and the follow ends when the container dies', async () => {
    cluster.kube.appendLog(NS, 'pg-1', ['LOG:  starting PostgreSQL 16']);
    const logs = follow('pg-1', '-c', 'postgres');
    try {
      await until('the existing line', () => logs.stdout().includes('starting PostgreSQL'));
      cluster.kube.appendLog(NS, 'pg-1', ['ERROR:  relation "nope" does not exist']);
      await until('the appended line', () => logs.stdout().includes('relation "nope"'));
      expect(logs.stdout()).toBe('LOG:  starting PostgreSQL 16\nERROR:  relation "nope" does not exist\n');
    } finally {
      cluster.kube.restartContainer(NS, 'pg-1');
    }
    expect(await logs.exited).toBe(0);
    expect(logs.stderr()).toBe('');
  });

  it('--previous reads the container before its restart, and says so when there was none', async () => {
    const none = await run('logs', 'pg-2', '--previous');
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('previous terminated container "postgres" in pod "pg-2" not found');
    // pg-1's postgres was OOM-killed and restarted by the test above.
    cluster.kube.appendLog(NS, 'pg-1', ['LOG:  database system was interrupted']);
    const previous = await run('logs', 'pg-1', '-c', 'postgres', '--previous', '--tail=1');
    expect(previous.stderr).toBe('');
    expect(previous.stdout).toBe('ERROR:  relation "nope" does not exist\n');
    expect((await run('logs', 'pg-1', '-c', 'postgres')).stdout).toBe('LOG:  database system was interrupted\n');
  });
});

describe('kubectl auth can-i (SelfSubjectAccessReview, SelfSubjectRulesReview)', () => {
  it('says yes, then no once the fake forbids the verb, as its 403s do', async () => {
    // kubectl reads "pods/log" as TYPE/NAME (the pod named "log"); a subresource is asked with --subresource.
    const canLog = () => run('auth', 'can-i', 'get', 'pods', '--subresource=log', '-n', NS);
    const yes = await canLog();
    expect([yes.code, yes.stdout.trim()]).toEqual([0, 'yes']);
    cluster.kube.forbid('get', 'pods/log');
    try {
      const no = await canLog();
      expect([no.code, no.stdout.trim()]).toEqual([1, 'no']);
      const logs = await run('logs', 'pg-2');
      expect(logs.stderr).toContain('cannot get resource "pods/log" in API group "" in the namespace "development"');
      // Only that verb of that subresource: getting pods (also the one named "log") is still allowed.
      expect((await run('auth', 'can-i', 'get', 'pods/log', '-n', NS)).stdout.trim()).toBe('yes');
      expect((await run('auth', 'can-i', 'list', 'pods', '-n', NS)).stdout.trim()).toBe('yes');
    } finally {
      cluster.kube.allow('get', 'pods/log');
    }
    cluster.kube.forbid('list', 'pods');
    try {
      const no = await run('auth', 'can-i', 'list', 'pods', '-n', NS);
      expect([no.code, no.stdout.trim()]).toEqual([1, 'no']);
    } finally {
      cluster.kube.allow('list', 'pods');
    }
  });

  it('lists what is allowed with --list, without what is forbidden', async () => {
    cluster.kube.forbid('create', 'pods/exec');
    cluster.kube.forbid('list', 'pods.metrics.k8s.io');
    try {
      const list = await run('auth', 'can-i', '--list', '-n', NS);
      expect(list.stderr).toBe('');
      const lines = list.stdout.trim().split('\n');
      expect(lines[0]).toMatch(/^Resources\s+Non-Resource URLs\s+Resource Names\s+Verbs$/);
      const verbs = (resource: string) => lines.find((l) => l.startsWith(`${resource} `))?.replace(/^.*\[\]\s+\[\]\s+/, '');
      expect(verbs('pods/log')).toBe('[get]');
      expect(verbs('pods/exec')).toBe('[get]');
      expect(verbs('pods.metrics.k8s.io')).toBe('[get]');
      expect(verbs('persistentvolumeclaims')).toBe('[get list]');
      expect(verbs('events.events.k8s.io')).toBe('[get list]');
      expect(verbs('selfsubjectaccessreviews.authorization.k8s.io')).toBe('[create]');
      expect(list.stdout).toMatch(/^\s+\[\/version\]\s+\[\]\s+\[get\]$/m);
      const exec = await run('auth', 'can-i', 'create', 'pods', '--subresource=exec', '-n', NS);
      expect(exec.stdout.trim()).toBe('no');
    } finally {
      cluster.kube.allow('create', 'pods/exec');
      cluster.kube.allow('list', 'pods.metrics.k8s.io');
    }
  });
});
