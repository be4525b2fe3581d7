// The pod's Kubernetes sources under RBAC, in process against the fake API
// server: the permission review when the target resolves says what is denied
// (list events, get pods.metrics.k8s.io, watch pods), and the pod screen's
// row for each says "needs VERB RESOURCE in NAMESPACE" without a request
// having been made; the header's pod line leaves out what it cannot know.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { podScreen } from '../../screens/pod/index.js';
import { DashboardScheduler } from '../../src/cli/dashboard-scheduler.js';
import { onceText } from '../../src/cli/once.js';
import { fitParts, hostParts } from '../../src/components/Header.js';
import { openConnection } from '../../src/db/connection.js';
import { kubeNeed, KUBE_NEEDS } from '../../src/model/kube-access.js';
import { createPgtopStore, type PgtopState, type PgtopStore } from '../../src/store/store.js';
import { openK8sTarget, type K8sTarget } from '../../src/target/kubernetes.js';
import { postgresTemplate, startFakeCluster, type FakeCluster } from '../support/fake-kube/index.js';
import { pgInfo, waitFor } from '../support/pg.js';

const NS = 'shop';
let cluster: FakeCluster;
let open: { target: K8sTarget; scheduler: DashboardScheduler } | null = null;

beforeAll(async () => {
  cluster = await startFakeCluster({ namespace: NS });
  cluster.kube.addPvc(NS, 'pgdata-pg', { capacity: '20Gi', storageClassName: 'fast' });
  cluster.kube.addDeployment(NS, 'pg', {
    ...postgresTemplate(pgInfo()),
    claims: { pgdata: 'pgdata-pg' },
    resources: { requests: { cpu: '500m', memory: '512Mi' }, limits: { cpu: '1', memory: '1Gi' } },
  });
  cluster.kube.setUsage(NS, cluster.kube.livePod(NS, 'pg')!.name, { cpu: '250m', memory: '300Mi' });
});
afterAll(async () => {
  await cluster?.stop();
});
afterEach(async () => {
  await open?.scheduler.stop();
  await open?.target.close();
  open = null;
  cluster.kube.forbidden.clear();
});

/** What pgtop -k deployment/pg runs on the pod screen, refreshing every 500 ms. */
async function start(): Promise<{ store: PgtopStore; target: K8sTarget }> {
  const env = { KUBECONFIG: cluster.kubeconfig, PGPASSWORD: pgInfo().password };
  const target = await openK8sTarget({ target: { kind: 'deployment', name: 'pg' }, remotePort: 5432 }, {}, env, { retryMs: { first: 50, max: 200 } });
  const store = createPgtopStore({ target: target.label, screen: 'pod', intervalMs: 500 });
  target.attach(store);
  const connect = () => openConnection(target.connection, { purpose: 'monitor' });
  const scheduler = new DashboardScheduler({ store, connect, initialSession: await connect(), pod: target.pod, backoff: { firstMs: 100, maxMs: 500 } });
  open = { target, scheduler };
  scheduler.start();
  return { store, target };
}

const screenText = (s: PgtopState) => onceText(s, podScreen.view, 200);
const headerLine = (s: PgtopState) =>
  fitParts(hostParts({ pod: s.data.results.pod?.rows[0], metrics: s.data.results.podMetrics?.rows[0], cgroup: s.data.results.containerUsage?.rows[0] }, Date.now()), 200)
    .map((p) => p.text)
    .join('  ');
const requestsFor = (resource: string, group = '') =>
  cluster.kube.requests.filter((r) => r.resource === resource && (group ? r.path.startsWith(`/apis/${group}/`) : r.path.startsWith('/api/v1/')));

describe("the pod screen's sources under RBAC", () => {
  it('list events and get pods.metrics.k8s.io denied: their rows say so, the header has no usage, and neither is requested', async () => {
    cluster.kube.forbid('list', 'events');
    cluster.kube.forbid('get', 'pods.metrics.k8s.io');
    const eventsBefore = requestsFor('events').length;
    const metricsBefore = requestsFor('pods', 'metrics.k8s.io').length;
    const { store, target } = await start();
    expect(kubeNeed(target.access, KUBE_NEEDS.listEvents)).toBe('needs list events in shop');
    expect(kubeNeed(target.access, KUBE_NEEDS.podMetrics)).toBe('needs get pods.metrics.k8s.io in shop');
    expect(kubeNeed(target.access, KUBE_NEEDS.getClaims)).toBeNull();

    const text = await waitFor(async () => {
      const t = screenText(store.getState());
      return /events\s+–\s+the events of the pod and its volume: needs list events in shop/.test(t) && /volume\s+pgdata-pg\s+Bound/.test(t) ? t : undefined;
    }, { what: 'the events row saying the need, and the claim' });
    expect(text).toMatch(/^pod\s+pg-\S+\s+Running Ready\s+node /m);
    expect(text).toMatch(/usage\s+none\s+memory – \/ 1\.0 GB · cpu – \/ 1 · limits from pod spec · no usage measured: the metrics API \(metrics\.k8s\.io\): needs get pods\.metrics\.k8s\.io in shop/);
    expect(text).not.toMatch(/^event /m);
    // The header keeps the restarts; memory and CPU it cannot know are left out, not zero.
    expect(headerLine(store.getState())).toBe('restarts 0');
    // A few refreshes on: still not one request for either.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(requestsFor('events').length).toBe(eventsBefore);
    expect(requestsFor('pods', 'metrics.k8s.io').length).toBe(metricsBefore);
  });

  it('watch pods denied: the pod row, the claim and the events say so, the header has no pod line, and the pod is not watched', async () => {
    cluster.kube.forbid('watch', 'pods');
    const watches = () => cluster.kube.requests.filter((r) => r.resource === 'pods' && r.path.includes('watch=true')).length;
    const before = { watches: watches(), claims: requestsFor('persistentvolumeclaims').length, events: requestsFor('events').length };
    const { store } = await start();
    const text = await waitFor(async () => {
      const t = screenText(store.getState());
      return /^events\s+–\s+.*needs watch pods in shop/m.test(t) ? t : undefined;
    }, { what: "the pod screen's needs" });
    expect(text).toMatch(/^pod\s+–\s+the pod \(Kubernetes watch\): needs watch pods in shop/m);
    expect(text).toMatch(/^volume\s+–\s+the data volume \(PersistentVolumeClaims\): needs watch pods in shop/m);
    // The metrics API needs no watch: its usage still shows, and is all the header's pod line has.
    await waitFor(async () => /^mem 300 MB {2}cpu 0\.25$/.test(headerLine(store.getState())), { what: 'the header from the metrics API alone' });
    expect(headerLine(store.getState())).not.toMatch(/restarts/);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(watches()).toBe(before.watches);
    expect(requestsFor('persistentvolumeclaims').length).toBe(before.claims);
    expect(requestsFor('events').length).toBe(before.events);
  });
});
