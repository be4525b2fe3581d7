// The fake API server's traffic counter (test/support/fake-kube/traffic.ts),
// which bench:k8s reports as pgtop's Kubernetes API cost: what the real
// kubectl asks is counted by kind, and the bytes the server sent include
// what kubectl received.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kubectl, startFakeCluster, type FakeCluster } from '../support/fake-kube/index.js';
import { countTraffic } from '../support/fake-kube/traffic.js';

const NS = 'development';
let cluster: FakeCluster;
let cache: string;
let traffic: ReturnType<typeof countTraffic>;

const run = (...args: string[]) => kubectl(cluster.kubeconfig, cache, args);

beforeAll(async () => {
  cluster = await startFakeCluster({ namespace: NS });
  cache = `${cluster.dir}/kubectl-cache`;
  traffic = countTraffic(cluster.kube);
  cluster.kube.addPod(NS, 'pg-1', { labels: { app: 'pg' }, ports: {} });
});
afterAll(async () => {
  await cluster?.stop();
});

describe('countTraffic', () => {
  it('counts REST calls and the bytes of their answers', async () => {
    const before = traffic.counts();
    const got = await run('get', 'pods', '-o', 'json');
    expect(got.stderr).toBe('');
    const after = traffic.counts();
    // Discovery and the list: at least one call, each answered with its body.
    expect(after.requests.rest - before.requests.rest).toBeGreaterThanOrEqual(1);
    expect(after.bytes.rest - before.bytes.rest).toBeGreaterThan(JSON.stringify(JSON.parse(got.stdout)).length);
    expect(after.requests.exec - before.requests.exec).toBe(0);
  });

  it('counts an exec stream opened and what it streamed back', async () => {
    const before = traffic.counts();
    const got = await run('exec', 'pg-1', '--', 'seq', '1', '20000');
    expect({ code: got.code, stderr: got.stderr, lines: got.stdout.split('\n').length }).toEqual({ code: 0, stderr: '', lines: 20001 });
    const after = traffic.counts();
    expect(after.requests.exec - before.requests.exec).toBe(1);
    expect(after.bytes.exec - before.bytes.exec).toBeGreaterThan(got.stdout.length);
    expect(after.requests.portforward - before.requests.portforward).toBe(0);
  });

  it('counts a watch apart from the REST calls', async () => {
    const before = traffic.counts();
    // --request-timeout ends the watch: kubectl then exits.
    await run('get', 'pods', '--watch', '--request-timeout', '1s');
    const after = traffic.counts();
    expect(after.requests.watch - before.requests.watch).toBeGreaterThanOrEqual(1);
    expect(after.bytes.watch - before.bytes.watch).toBeGreaterThan(0);
  });
});
