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

describe('kubectl auth can-i --list against rules a webhook cannot list (incomplete)', () => {
  it('prints the rules RBAC knows and warns that the list may be incomplete, with the evaluation error', async () => {
    cluster.kube.rulesIncomplete = true;
    try {
      const list = await run('auth', 'can-i', '--list', '-n', NS);
      expect(list.code).toBe(0);
      expect(list.stdout).toMatch(/^pods\/log\s+\[\]\s+\[\]\s+\[get\]$/m);
      expect(list.stderr).toContain('webhook authorizer does not support user rule resolution');
    } finally {
      cluster.kube.rulesIncomplete = false;
    }
  });
});

describe('a container OOM-killed and restarted (containerStatuses)', () => {
  it('shows restartCount, lastState.terminated OOMKilled 137 with its time, and RESTARTS "n (… ago)"', async () => {
    cluster.kube.restartContainer(NS, 'other');
    const jsonpath = '{range .status.containerStatuses[*]}{.name} {.restartCount} {.lastState.terminated.reason} {.lastState.terminated.exitCode} {.lastState.terminated.finishedAt}{"\\n"}{end}';
    const status = await run('get', 'pod', 'other', '-o', `jsonpath=${jsonpath}`);
    expect(status.stderr).toBe('');
    const [name, restarts, reason, exitCode, finishedAt] = status.stdout.trim().split(' ');
    expect([name, restarts, reason, exitCode]).toEqual(['postgres', '1', 'OOMKilled', '137']);
    expect(Math.abs(Date.parse(finishedAt!) - Date.now())).toBeLessThan(10_000);
    const table = await run('get', 'pod', 'other');
    expect(table.stdout).toMatch(/^other\s+1\/1\s+Running\s+1 \(\d+s ago\)\s+\d+s$/m);
    // pg-1 has two containers; only its postgres restarted (in the logs test).
    const both = await run('get', 'pod', 'pg-1', '-o', `jsonpath=${jsonpath}`);
    expect(both.stdout.trim().split('\n').map((l) => l.split(' ').slice(0, 4).join(' '))).toEqual(['postgres 1 OOMKilled 137', 'exporter 0']);
  });
});

describe('kubectl get events (core/v1 and events.k8s.io/v1)', () => {
  beforeAll(() => {
    const kube = cluster.kube;
    kube.addEvent(NS, { kind: 'Pod', name: 'pg-1' }, { reason: 'Unhealthy', message: 'Readiness probe failed: connection refused', count: 3 });
    kube.addEvent(NS, { kind: 'Pod', name: 'pg-1' }, { reason: 'BackOff', message: 'Back-off restarting failed container postgres' });
    kube.addEvent(NS, { kind: 'Pod', name: 'pg-2' }, { reason: 'Evicted', message: 'The node was low on resource: memory.' });
    kube.addEvent(NS, { kind: 'Pod', name: 'pg-2' }, { type: 'Normal', reason: 'Pulled', message: 'Container image "postgres:15" already present on machine' });
    kube.addEvent(NS, { kind: 'PersistentVolumeClaim', name: 'pgdata-pg-1' }, { reason: 'FailedMount', message: 'MountVolume.SetUp failed for volume "pgdata"' });
  });

  it('lists them with type, reason, object and message', async () => {
    const events = await run('get', 'events');
    expect(events.stderr).toBe('');
    const lines = events.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^LAST SEEN\s+TYPE\s+REASON\s+OBJECT\s+MESSAGE$/);
    expect(lines.slice(1).map((l) => l.split(/\s{2,}/).slice(1, 4))).toEqual([
      ['Warning', 'Unhealthy', 'pod/pg-1'],
      ['Warning', 'BackOff', 'pod/pg-1'],
      ['Warning', 'Evicted', 'pod/pg-2'],
      ['Normal', 'Pulled', 'pod/pg-2'],
      ['Warning', 'FailedMount', 'persistentvolumeclaim/pgdata-pg-1'],
    ]);
    expect(lines[1]).toMatch(/Readiness probe failed: connection refused$/);
  });

  it('filters by --field-selector on involvedObject (core) and regarding (events.k8s.io)', async () => {
    const reasons = (out: string) => out.trim().split('\n').slice(1).map((l) => l.split(/\s{2,}/)[2]);
    const pg1 = await run('get', 'events', '--field-selector', 'involvedObject.name=pg-1');
    expect(reasons(pg1.stdout)).toEqual(['Unhealthy', 'BackOff']);
    const warnings = await run('get', 'events', '--field-selector', 'involvedObject.name=pg-2,type=Warning');
    expect(reasons(warnings.stdout)).toEqual(['Evicted']);
    const v1 = await run('get', 'events.v1.events.k8s.io', '--field-selector', 'regarding.name=pgdata-pg-1', '-o', 'jsonpath={.items[*].note}');
    expect(v1.stderr).toBe('');
    expect(v1.stdout).toBe('MountVolume.SetUp failed for volume "pgdata"');
    const unknown = await run('get', 'events', '--field-selector', 'regarding.name=pg-1');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('field label not supported: regarding.name');
  });
});

describe('kubectl describe pvc (PersistentVolumeClaims)', () => {
  it('describes the claim: class, status, volume, capacity, the pod using it and its events', async () => {
    const pvc = await run('describe', 'pvc', 'pgdata-pg-1');
    expect(pvc.stderr).toBe('');
    const field = (name: string) => new RegExp(`^${name}:\\s+(.*)$`, 'm').exec(pvc.stdout)?.[1];
    expect(field('Name')).toBe('pgdata-pg-1');
    expect(field('StorageClass')).toBe('fast');
    expect(field('Status')).toBe('Bound');
    expect(field('Volume')).toMatch(/^pvc-[0-9a-f-]{36}$/);
    expect(field('Capacity')).toBe('20Gi');
    expect(field('Access Modes')).toBe('RWO');
    expect(field('Used By')).toBe('pg-1');
    expect(pvc.stdout).toMatch(/Warning\s+FailedMount\s+\S+\s+persistentvolume-controller\s+MountVolume\.SetUp failed for volume "pgdata"/);
    const table = await run('get', 'pvc');
    expect(words(table.stdout).map((w) => w.slice(0, 2).concat(w.slice(3, 5)))).toEqual([
      ['NAME', 'STATUS', 'CAPACITY', 'ACCESS'],
      ['pgdata-pg-1', 'Bound', '20Gi', 'RWO'],
    ]);
    const claim = await run('get', 'pod', 'pg-1', '-o', 'jsonpath={.spec.volumes[0].persistentVolumeClaim.claimName}');
    expect(claim.stdout).toBe('pgdata-pg-1');
  });
});
