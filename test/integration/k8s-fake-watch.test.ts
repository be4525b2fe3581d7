// The fake API server's pod watch, as the real kubectl reads it: `kubectl get
// pod NAME --watch -o json` sees a container OOM-killed and restarted as it
// happens; a watch resumed from a list's resourceVersion gets only what
// changed since; a version older than what the server keeps is 410 Gone;
// timeoutSeconds ends the stream. pgtop's pod watch (src/k8s/pod-watch.ts)
// is trusted because the server it is tested against is this one.
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findKubectl, kubectl, startFakeCluster, type FakeCluster } from '../support/fake-kube/index.js';

const NS = 'development';
let cluster: FakeCluster;
let cache: string;

const run = (...args: string[]) => kubectl(cluster.kubeconfig, cache, args);

beforeAll(async () => {
  cluster = await startFakeCluster({ namespace: NS });
  cache = `${cluster.dir}/kubectl-cache`;
  cluster.kube.addPod(NS, 'pg-1', { labels: { app: 'pg' }, ports: {}, resources: { requests: { cpu: '500m', memory: '512Mi' }, limits: { cpu: '1', memory: '1Gi' } } });
  cluster.kube.addPod(NS, 'other', { labels: { app: 'other' }, ports: {} });
});
afterAll(async () => {
  await cluster?.stop();
});

async function until(what: string, check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

interface PodJson {
  metadata: { name: string; resourceVersion: string };
  spec: { containers: { resources?: unknown }[] };
  status: { qosClass?: string; containerStatuses: { restartCount: number; lastState: { terminated?: { reason: string; exitCode: number; finishedAt: string } } }[] };
}

/** Concatenated JSON documents (kubectl -o json under --watch) as objects. */
function documents(text: string): PodJson[] {
  const docs: PodJson[] = [];
  let depth = 0;
  let start = -1;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (inString) {
      if (ch === '\\') i++;
      else if (ch === '"') inString = false;
    } else if (ch === '"') inString = true;
    else if (ch === '{') {
      if (depth++ === 0) start = i;
    } else if (ch === '}' && --depth === 0) docs.push(JSON.parse(text.slice(start, i + 1)) as PodJson);
  }
  return docs;
}

describe('kubectl get pod --watch (pods, watch=true)', () => {
  it('prints the pod, then the same pod again when its container is OOM-killed and restarted', async () => {
    const child = spawn(findKubectl(), ['--kubeconfig', cluster.kubeconfig, '--cache-dir', cache, 'get', 'pod', 'pg-1', '--watch', '-o', 'json']);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d));
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    try {
      await until('the first object', () => documents(stdout).length >= 1);
      const first = documents(stdout)[0]!;
      expect(first.metadata.name).toBe('pg-1');
      expect(first.status.containerStatuses[0]!.restartCount).toBe(0);
      expect(first.status.qosClass).toBe('Burstable');
      expect(first.spec.containers[0]!.resources).toEqual({ requests: { cpu: '500m', memory: '512Mi' }, limits: { cpu: '1', memory: '1Gi' } });

      cluster.kube.restartContainer(NS, 'pg-1');
      await until('the restarted pod', () => documents(stdout).some((d) => d.status.containerStatuses[0]!.restartCount === 1));
      const restarted = documents(stdout).find((d) => d.status.containerStatuses[0]!.restartCount === 1)!;
      expect(restarted.status.containerStatuses[0]!.lastState.terminated).toMatchObject({ reason: 'OOMKilled', exitCode: 137 });
      expect(Number(restarted.metadata.resourceVersion)).toBeGreaterThan(Number(first.metadata.resourceVersion));
      // The other pod changed nothing and is not watched.
      expect(documents(stdout).every((d) => d.metadata.name === 'pg-1')).toBe(true);
      expect(stderr).toBe('');
    } finally {
      child.kill();
    }
  });

  it('resumes from a list’s resourceVersion with only what changed since, and ends at timeoutSeconds', async () => {
    const list = await run('get', '--raw', `/api/v1/namespaces/${NS}/pods`);
    expect(list.stderr).toBe('');
    const at = (JSON.parse(list.stdout) as { metadata: { resourceVersion: string } }).metadata.resourceVersion;
    cluster.kube.setReady(NS, 'other', false);
    const path = `/api/v1/namespaces/${NS}/pods?watch=true&resourceVersion=${at}&timeoutSeconds=1`;
    const started = Date.now();
    const watched = await run('get', '--raw', path);
    expect(watched.stderr).toBe('');
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    const events = watched.stdout.trim().split('\n').map((l) => JSON.parse(l) as { type: string; object: PodJson });
    expect(events.map((e) => [e.type, e.object.metadata.name])).toEqual([['MODIFIED', 'other']]);
  });

  it('answers a version older than it keeps with 410 Gone', async () => {
    cluster.kube.podWatch.compact();
    const watched = await run('get', '--raw', `/api/v1/namespaces/${NS}/pods?watch=true&resourceVersion=1&fieldSelector=metadata.name%3Dpg-1`);
    const event = JSON.parse(watched.stdout.trim()) as { type: string; object: { code: number; reason: string; message: string } };
    expect(event.type).toBe('ERROR');
    expect(event.object).toMatchObject({ code: 410, reason: 'Expired' });
    expect(event.object.message).toContain('too old resource version');
  });
});

describe('a cluster without metrics-server (metricsApi = false)', () => {
  it('kubectl top says the metrics API is not available; discovery leaves metrics.k8s.io out', async () => {
    cluster.kube.metricsApi = false;
    try {
      const top = await run('top', 'pod', 'pg-1');
      expect(top.code).toBe(1);
      expect(top.stderr).toContain('Metrics API not available');
      const groups = await run('get', '--raw', '/apis');
      expect(groups.stdout).not.toContain('metrics.k8s.io');
      const direct = await run('get', '--raw', `/apis/metrics.k8s.io/v1beta1/namespaces/${NS}/pods/pg-1`);
      expect(direct.code).toBe(1);
      expect(direct.stderr).toContain('the server could not find the requested resource');
    } finally {
      cluster.kube.metricsApi = true;
    }
  });
});
