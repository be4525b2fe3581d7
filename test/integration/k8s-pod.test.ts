// The pod's sources (src/k8s/pod-sources.ts) as `pgtop -k` runs them, in
// process against the fake API server and the real throwaway PostgreSQL:
// one list and one watch for the pod, no polling; a container OOM-killed and
// restarted under the dashboard reaches the store through the watch, and the
// header's pod line and the pod screen say so, with the OOMKilling event
// first; the watch resumes after the server ends it and lists again after
// 410 Gone; it follows the forward to the replacement pod; a cluster without
// metrics-server is asked once and said; `u`'s du runs in the pod and lands.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { podScreen } from '../../screens/pod/index.js';
import { ALWAYS_SOURCES } from '../../screens/index.js';
import { diskUsage } from '../../src/actions/pod.js';
import { DashboardScheduler } from '../../src/cli/dashboard-scheduler.js';
import { onceText } from '../../src/cli/once.js';
import { fitParts, hostParts } from '../../src/components/Header.js';
import { openConnection } from '../../src/db/connection.js';
import { NO_METRICS_API } from '../../src/k8s/pod-sources.js';
import type { DiskUsageEntry } from '../../src/model/pod.js';
import { createPgtopStore, type PgtopState, type PgtopStore } from '../../src/store/store.js';
import { openK8sTarget, type K8sTarget } from '../../src/target/kubernetes.js';
import { postgresTemplate, startFakeCluster, type FakeCluster } from '../support/fake-kube/index.js';
import { pgInfo, waitFor } from '../support/pg.js';

const NS = 'shop';
let cluster: FakeCluster;

beforeAll(async () => {
  cluster = await startFakeCluster({ namespace: NS });
  const info = pgInfo();
  cluster.kube.addPvc(NS, 'pgdata-pg', { capacity: '20Gi', storageClassName: 'fast' });
  const template = postgresTemplate(info);
  cluster.kube.addDeployment(NS, 'pg', {
    ...template,
    // The data directory the exec'd du reads: the throwaway server's own.
    env: { ...template.env, PGDATA: info.dataDir },
    claims: { pgdata: 'pgdata-pg' },
    resources: { requests: { cpu: '500m', memory: '512Mi' }, limits: { cpu: '1', memory: '1Gi' } },
  });
});
afterAll(async () => {
  await cluster?.stop();
});

interface Running {
  target: K8sTarget;
  store: PgtopStore;
  scheduler: DashboardScheduler;
  stop(): Promise<void>;
}

/** What pgtop -k deployment/pg runs, on the pod screen, refreshing every 500 ms. */
async function start(): Promise<Running> {
  const env = { KUBECONFIG: cluster.kubeconfig, PGPASSWORD: pgInfo().password };
  const target = await openK8sTarget({ target: { kind: 'deployment', name: 'pg' }, remotePort: 5432 }, {}, env, { retryMs: { first: 50, max: 200 } });
  const store = createPgtopStore({ target: target.label, screen: 'pod', intervalMs: 500 });
  target.attach(store);
  const open = () => openConnection(target.connection, { purpose: 'monitor' });
  const scheduler = new DashboardScheduler({ store, connect: open, initialSession: await open(), pod: target.pod, backoff: { firstMs: 100, maxMs: 500 } });
  scheduler.start();
  return {
    target,
    store,
    scheduler,
    async stop() {
      await scheduler.stop();
      await target.close();
    },
  };
}

const podRow = (s: PgtopState) => s.data.results.pod?.rows[0];
/** The header's pod line as it is drawn at 200 columns. */
const headerLine = (s: PgtopState) =>
  fitParts(hostParts({ pod: podRow(s), metrics: s.data.results.podMetrics?.rows[0], cgroup: s.data.results.containerUsage?.rows[0] }, Date.now()), 200)
    .map((p) => p.text)
    .join('  ');
/** Requests the fake saw for pods of this namespace, by verb (list and watch of the pod; resolving the target lists by label). */
const podRequests = (verb: string) => cluster.kube.requests.filter((r) => r.resource === 'pods' && r.verb === verb && r.path.includes('fieldSelector=metadata.name'));

describe('the pod under pgtop -k, by a watch', () => {
  it('one list and one watch, no polling; an OOM restart arrives through the watch and the header and the pod screen say so', async () => {
    const run = await start();
    try {
      const { store } = run;
      const first = await waitFor(async () => podRow(store.getState()), { what: 'the pod in the store' });
      const name = first.name;
      expect(first).toMatchObject({ phase: 'Running', ready: true, qosClass: 'Burstable', dataDirectory: pgInfo().dataDir });
      expect(first.containers[0]).toMatchObject({ name: 'postgres', restarts: 0, lastTermination: null, limits: { cpuCores: 1, memoryBytes: 1024 ** 3 } });
      await waitFor(async () => store.getState().data.results.podVolumes?.rows[0], { what: 'the claim' });
      expect(store.getState().data.results.podVolumes!.rows[0]).toMatchObject({ claim: 'pgdata-pg', dataVolume: true, storageClass: 'fast', capacity: '20Gi', phase: 'Bound' });
      expect(headerLine(store.getState())).toMatch(/^restarts 0/);

      // Several refreshes later, still the one list and the one watch: nothing polls the pod.
      const requestsBefore = run.target.kube.requestsMade;
      await new Promise((resolve) => setTimeout(resolve, 3_000));
      expect(podRequests('list')).toHaveLength(1);
      expect(podRequests('watch')).toHaveLength(1);
      expect(podRequests('get')).toHaveLength(0);
      // In those 3 s: the metrics API once at most (every 5 s), one pass of the events at most (every 10 s: the
      // pod's and the claim's, two lists), the claim not again.
      expect(run.target.kube.requestsMade - requestsBefore).toBeLessThanOrEqual(3);

      cluster.kube.addEvent(NS, { kind: 'Pod', name }, { reason: 'OOMKilling', message: 'Memory cgroup out of memory: Killed process 4242 (postgres)' });
      cluster.kube.restartContainer(NS, name);
      const restarted = await waitFor(async () => (podRow(store.getState())?.containers[0]?.restarts === 1 ? podRow(store.getState()) : undefined), { what: 'the restart through the watch' });
      expect(restarted.containers[0]!.lastTermination).toMatchObject({ reason: 'OOMKilled', exitCode: 137 });
      expect(headerLine(store.getState())).toMatch(/^restarts 1, last OOMKilled \d+s ago/);
      // Its event is listed at once with it (not 10 s later), Warnings first.
      const screen = await waitFor(async () => {
        const text = onceText(store.getState(), podScreen.view, 200);
        return text.includes('OOMKilling') ? text : undefined;
      }, { what: 'the event on the pod screen', timeoutMs: 5_000 });
      expect(screen).toMatch(/container\s+postgres\s+running ↻1\s+postgres:15 · last OOMKilled \(exit 137\) \d+s ago/);
      expect(screen).toMatch(/event W\s+OOMKilling\s+×1 \d+s ago\s+pod\/pg-\S+: Memory cgroup out of memory/);
      expect(podRequests('list')).toHaveLength(1);
    } finally {
      await run.stop();
    }
  });

  it('resumes after the server ends the watch, lists again after 410 Gone, and follows the forward to the replacement pod', async () => {
    const run = await start();
    try {
      const { store } = run;
      const name = (await waitFor(async () => podRow(store.getState()), { what: 'the pod' })).name;
      const lists = podRequests('list').length;
      const watches = podRequests('watch').length;
      // The server's timeout: resumed from the last version, no list.
      cluster.kube.podWatch.endWatches();
      await waitFor(async () => podRequests('watch').length === watches + 1, { what: 'the watch resumed' });
      expect(podRequests('list')).toHaveLength(lists);
      // Compaction: the version is too old, 410 Gone, so it lists again and watches from there.
      cluster.kube.podWatch.compact();
      cluster.kube.podWatch.endWatches();
      await waitFor(async () => podRequests('list').length === lists + 1 && cluster.kube.podWatch.openWatches > 0, { what: 'the list after 410 Gone' });
      cluster.kube.setReady(NS, name, false);
      await waitFor(async () => podRow(store.getState())?.ready === false, { what: 'not Ready through the new watch' });
      expect(headerLine(store.getState())).toMatch(/^Running not Ready, restarts/);

      cluster.kube.killPod(NS, name, { replaceAfterMs: 200, readyAfterMs: 200 });
      const replacement = await waitFor(async () => {
        const pod = podRow(store.getState());
        return pod && pod.name !== name && pod.ready ? pod : undefined;
      }, { what: 'the replacement pod', timeoutMs: 20_000 });
      expect(replacement.containers[0]!.restarts).toBe(0);
      expect(podRequests('watch').at(-1)!.path).toContain(`metadata.name%3D${replacement.name}`);
    } finally {
      await run.stop();
    }
  });
});

describe('the metrics API', () => {
  it('gives the usage when served; absent, it is asked once and the screen says the cgroup (here none) was used', async () => {
    const pod = cluster.kube.livePod(NS, 'pg')!;
    cluster.kube.setUsage(NS, pod.name, { cpu: '250m', memory: '300Mi' });
    let run = await start();
    try {
      const metrics = await waitFor(async () => run.store.getState().data.results.podMetrics?.rows[0], { what: 'the metrics' });
      expect(metrics.containers.find((c) => c.name === 'postgres')).toEqual({ name: 'postgres', cpuCores: 0.25, memoryBytes: 300 * 1024 ** 2 });
      await waitFor(async () => /mem 300 MB\/1\.0 GB {2}cpu 0\.25\/1$/.test(headerLine(run.store.getState())), { what: 'the header from the metrics API' });
    } finally {
      await run.stop();
    }

    cluster.kube.metricsApi = false;
    try {
      run = await start();
      const result = await waitFor(async () => run.store.getState().data.results.podMetrics?.disabled ?? undefined, { what: 'the metrics API switched off' });
      expect(result).toBe(NO_METRICS_API);
      const asked = () => cluster.kube.requests.filter((r) => r.path.startsWith('/apis/metrics.k8s.io/')).length;
      const before = asked();
      await new Promise((resolve) => setTimeout(resolve, 6_000));
      expect(asked()).toBe(before);
      const text = onceText(run.store.getState(), podScreen.view, 220);
      expect(text).toMatch(/usage\s+none\s+memory – \/ 1\.0 GB · cpu – \/ 1 · limits from pod spec · no usage measured: no metrics API in this cluster/);
      expect(podScreen.view.notice!(run.store.getState())).toBe(`usage from none yet (${NO_METRICS_API}) · u: du -sh of the data directory's entries`);
      // The header keeps the restarts without figures it does not have.
      expect(headerLine(run.store.getState())).not.toContain('mem');
      await run.stop();
    } finally {
      cluster.kube.metricsApi = true;
    }
  });
});

describe("u: the seed's du in the pod", () => {
  it("runs du -sh of the data directory's entries through the pod's exec and lands them, the largest first", async () => {
    const run = await start();
    try {
      await waitFor(async () => podRow(run.store.getState()), { what: 'the pod' });
      let landed: DiskUsageEntry[] = [];
      const path = pgInfo().dataDir;
      const message = await diskUsage.run(
        {
          client: () => Promise.reject(new Error('no SQL here')),
          onMonitor: () => Promise.reject(new Error('no SQL here')),
          progress: () => undefined,
          env: { podExec: (o) => run.target.exec(o), landDiskUsage: (entries) => (landed = entries) },
        },
        { path, inPod: true },
        {},
      );
      expect(message).toMatch(/^du: \d+ entries in /);
      const names = landed.map((e) => e.path.slice(path.length + 1));
      expect(names).toEqual(expect.arrayContaining(['base', 'pg_wal', 'global', 'PG_VERSION']));
      expect(landed[0]!.bytes).toBeGreaterThanOrEqual(landed.at(-1)!.bytes!);
      expect(cluster.kube.requests.filter((r) => r.resource === 'pods/exec').at(-1)!.path).toContain('du+-sh');
    } finally {
      await run.stop();
    }
  });
});

// ALWAYS_SOURCES holds the pod's: the header needs them on every screen.
it('the header needs the pod and the metrics API on every screen', () => {
  expect(ALWAYS_SOURCES).toEqual(expect.arrayContaining(['pod', 'podMetrics']));
});
