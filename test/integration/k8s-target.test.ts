// openK8sTarget, what `pgtop -k` runs, in process against the fake API
// server: the primary among several Ready pods (CloudNativePG's label), the
// header label following the pod, the Kubernetes reason shown while
// reconnecting, exec in the current pod, and nothing left open on close.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Writable } from 'node:stream';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeClient } from '../../src/k8s/kube.js';
import { openK8sTarget } from '../../src/target/kubernetes.js';
import { createPgtopStore, setConnection } from '../../src/store/store.js';
import { postgresTemplate, startFakeCluster, type FakeCluster } from '../support/fake-kube/index.js';
import { pgInfo, waitFor } from '../support/pg.js';

const NS = 'target';
let cluster: FakeCluster;

beforeAll(async () => {
  cluster = await startFakeCluster({ namespace: NS });
  const info = pgInfo();
  // A CloudNativePG-like cluster: three instances, the primary labelled.
  cluster.kube.addStatefulSet(NS, 'db', postgresTemplate(info, { 'cnpg.io/cluster': 'db' }), 3, [
    { labels: { 'cnpg.io/instanceRole': 'replica' } },
    { labels: { 'cnpg.io/instanceRole': 'primary' } },
    { labels: { 'cnpg.io/instanceRole': 'replica' } },
  ]);
});
afterAll(async () => {
  await cluster?.stop();
});

async function query(port: number, password: string): Promise<number> {
  const client = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', password, database: 'postgres' });
  await client.connect();
  try {
    return (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
  } finally {
    await client.end();
  }
}

describe('openK8sTarget', () => {
  it('picks the labelled primary, follows the label when it moves, and says so in the header', async () => {
    const env = { KUBECONFIG: cluster.kubeconfig, PGPASSWORD: pgInfo().password };
    const target = await openK8sTarget({ target: { kind: 'statefulset', name: 'db' }, remotePort: 5432 }, {}, env, { retryMs: { first: 50, max: 200 } });
    try {
      expect(target.label).toBe('k8s target/statefulset/db → pod/db-1 :5432 (primary (cnpg.io/instanceRole) of 3 Ready)');
      expect(target.connection).toMatchObject({ host: '127.0.0.1', user: 'postgres', database: 'postgres' });
      const store = createPgtopStore({ target: target.label });
      target.attach(store);
      const held = new pg.Client({ host: '127.0.0.1', port: target.connection.port, user: 'postgres', password: pgInfo().password, database: 'postgres' });
      held.on('error', () => undefined);
      await held.connect();

      // Failover as CloudNativePG does it: the labels move, the old primary's connections drop.
      cluster.kube.setLabels(NS, 'db-1', { 'cnpg.io/instanceRole': 'replica' });
      cluster.kube.setLabels(NS, 'db-2', { 'cnpg.io/instanceRole': 'primary' });
      cluster.kube.dropStreams(NS, 'db-1');
      await expect(held.query('SELECT 1')).rejects.toThrow();
      const client = new pg.Client({ host: '127.0.0.1', port: target.connection.port, user: 'postgres', password: pgInfo().password, database: 'postgres' });
      await client.connect();
      await client.end();
      await waitFor(async () => store.getState().connection.target.includes('pod/db-2'), { what: 'the header to name the new primary' });
      expect(store.getState().connection.target).toBe('k8s target/statefulset/db → pod/db-2 :5432 (primary (cnpg.io/instanceRole) of 3 Ready)');

      // exec goes to the current pod, with its environment.
      const out: Buffer[] = [];
      await target.exec({ command: ['sh', '-c', 'printf "$POSTGRES_USER"'], stdout: new Writable({ write: (c: Buffer, _e, done) => (out.push(c), done()) }) });
      expect(Buffer.concat(out).toString()).toBe('postgres');
      expect(cluster.kube.requests.filter((r) => r.resource === 'pods/exec').at(-1)!.path).toContain('/pods/db-2/exec?');
    } finally {
      await target.close();
    }
    expect(cluster.kube.pods.reduce((n, p) => n + p.streams.size, 0)).toBe(0);
  });

  it('shows the Kubernetes reason while the dashboard reconnects', async () => {
    const env = { KUBECONFIG: cluster.kubeconfig, PGPASSWORD: pgInfo().password };
    const target = await openK8sTarget({ target: { kind: 'statefulset', name: 'db' }, remotePort: 5432 }, {}, env, { holdMs: 300, retryMs: { first: 50, max: 100 } });
    try {
      const store = createPgtopStore({ target: target.label });
      target.attach(store);
      for (const pod of cluster.kube.podsOf(NS, 'db')) cluster.kube.setReady(NS, pod.name, false);
      target.forwarder.invalidate();
      // What the scheduler does when a connection attempt fails.
      await expect(query(target.connection.port, pgInfo().password)).rejects.toThrow();
      setConnection(store, { state: 'reconnecting', lastError: 'Connection terminated unexpectedly', retryAt: Date.now() + 1_000 });
      expect(store.getState().connection.lastError).toMatch(/^no Ready pod for statefulset\/db in namespace "target": db-0 Running \(not Ready\), db-1 Running \(not Ready\), db-2 Running \(not Ready\)/);
    } finally {
      for (const pod of cluster.kube.podsOf(NS, 'db')) cluster.kube.setReady(NS, pod.name, true);
      await target.close();
    }
  });

  it('reaches a CloudNativePG cluster by name (-k cluster/NAME): its pods by the cnpg.io/cluster label, the primary among them, followed on failover', async () => {
    const env = { KUBECONFIG: cluster.kubeconfig, PGPASSWORD: pgInfo().password };
    // As CNPG makes them: bare pods (no Deployment, no StatefulSet), labelled with the Cluster and the role.
    for (const [i, role] of ['replica', 'primary', 'replica'].entries()) {
      cluster.kube.addPod('cnpg', `pg-${i + 1}`, postgresTemplate(pgInfo(), { 'cnpg.io/cluster': 'pg', 'cnpg.io/instanceRole': role }));
    }
    // Another cluster's pods in the same namespace are not this one's.
    cluster.kube.addPod('cnpg', 'other-1', postgresTemplate(pgInfo(), { 'cnpg.io/cluster': 'other', 'cnpg.io/instanceRole': 'primary' }));
    const target = await openK8sTarget({ target: { kind: 'cluster', name: 'pg' }, namespace: 'cnpg', remotePort: 5432 }, {}, env, { retryMs: { first: 50, max: 200 } });
    try {
      expect(target.label).toBe('k8s cnpg/cluster/pg → pod/pg-2 :5432 (primary (cnpg.io/instanceRole) of 3 Ready)');
      const store = createPgtopStore({ target: target.label });
      target.attach(store);
      const held = new pg.Client({ host: '127.0.0.1', port: target.connection.port, user: 'postgres', password: pgInfo().password, database: 'postgres' });
      held.on('error', () => undefined);
      await held.connect();
      // Failover: the labels move, the old primary's connections drop.
      cluster.kube.setLabels('cnpg', 'pg-2', { 'cnpg.io/instanceRole': 'replica' });
      cluster.kube.setLabels('cnpg', 'pg-3', { 'cnpg.io/instanceRole': 'primary' });
      cluster.kube.dropStreams('cnpg', 'pg-2');
      await expect(held.query('SELECT 1')).rejects.toThrow();
      const client = new pg.Client({ host: '127.0.0.1', port: target.connection.port, user: 'postgres', password: pgInfo().password, database: 'postgres' });
      await client.connect();
      await client.end();
      await waitFor(async () => store.getState().connection.target.includes('pod/pg-3'), { what: 'the header to name the new primary' });
    } finally {
      await target.close();
    }
    await expect(openK8sTarget({ target: { kind: 'cluster', name: 'nope' }, namespace: 'cnpg', remotePort: 5432 }, {}, env)).rejects.toThrow(
      'no pod of CloudNativePG cluster "nope" in namespace "cnpg" (label cnpg.io/cluster=nope): check the name and -n (kubectl get clusters.postgresql.cnpg.io -n cnpg)',
    );
  });
});

describe('finding the kubeconfig', () => {
  it("reads K3s's kubeconfig when KUBECONFIG is unset and there is no ~/.kube/config, as K3s's kubectl does", async () => {
    const home = mkdtempSync(join(tmpdir(), 'pgtop-home-'));
    try {
      // cluster.kubeconfig stands for /etc/rancher/k3s/k3s.yaml.
      const kube = KubeClient.load({ k3sKubeconfig: cluster.kubeconfig }, { HOME: home });
      expect(kube.server).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      expect(kube.namespace).toBe(NS);
      const pods = await kube.core.listNamespacedPod({ namespace: NS });
      expect(pods.items.map((p) => p.metadata?.name).filter((n) => n?.startsWith('db-'))).toHaveLength(3);
      // Neither there: one line naming both places and the fix.
      expect(() => KubeClient.load({ k3sKubeconfig: join(home, 'k3s.yaml') }, { HOME: home })).toThrow(
        `no kubeconfig found (looked for ~/.kube/config and ${join(home, 'k3s.yaml')}, KUBECONFIG is unset): pass --kubeconfig FILE or set KUBECONFIG`,
      );
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });
});
