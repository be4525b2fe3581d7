// The logs screen with -k, in process against the fake API server and the
// real throwaway PostgreSQL behind it: the server container's log followed
// live through one pods/log request (new lines appear; leaving the screen
// closes it; coming back resumes without repeating a line), read again after
// the container is OOM-killed and restarted, the previous container's log
// one key away (and said when there is none), and RBAC: a permission the
// review denied says "needs get pods/log in development" without a request,
// and a 403 at run time says the same words.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DashboardScheduler } from '../../src/cli/dashboard-scheduler.js';
import { openConnection } from '../../src/db/connection.js';
import { openK8sTarget, type K8sTarget } from '../../src/target/kubernetes.js';
import { createPgtopStore, setUi, type PgtopStore } from '../../src/store/store.js';
import { kubeNeed, KUBE_NEEDS } from '../../src/model/kube-access.js';
import { logRows, logsView } from '../../screens/logs/view.js';
import { postgresTemplate, startFakeCluster, type FakeCluster } from '../support/fake-kube/index.js';
import { pgInfo, waitFor } from '../support/pg.js';

const NS = 'development';
let cluster: FakeCluster;
let open: { target: K8sTarget; scheduler: DashboardScheduler } | null = null;

beforeAll(async () => {
  cluster = await startFakeCluster({ namespace: NS });
});
afterAll(async () => {
  await cluster?.stop();
});
afterEach(async () => {
  await open?.scheduler.stop();
  await open?.target.close();
  open = null;
});

async function dashboard(pod: string): Promise<{ store: PgtopStore; target: K8sTarget; scheduler: DashboardScheduler }> {
  const env = { KUBECONFIG: cluster.kubeconfig, PGPASSWORD: pgInfo().password };
  const target = await openK8sTarget({ target: { kind: 'pod', name: pod }, remotePort: 5432 }, {}, env, { retryMs: { first: 50, max: 200 } });
  const store = createPgtopStore({ target: target.label, screen: 'logs', intervalMs: 500 });
  target.attach(store);
  const scheduler = new DashboardScheduler({ store, connect: () => openConnection(target.connection, { purpose: 'monitor' }), podLog: target.podLog });
  open = { target, scheduler };
  scheduler.start();
  return { store, target, scheduler };
}

const texts = (store: PgtopStore) => logRows(store.getState()).filter((l) => !l.marker).map((l) => l.text);
const logRequests = (pod: string) => cluster.kube.requests.filter((r) => r.path.startsWith(`/api/v1/namespaces/${NS}/pods/${pod}/log?`));
// 20 s: a replacement pod, its forward and its log's follow each wait out a retry on a loaded two-core CI machine.
const shows = (store: PgtopStore, text: string) => waitFor(async () => texts(store).includes(text), { what: `"${text}" on the logs screen`, timeoutMs: 20_000 });

describe('the logs screen with -k', () => {
  it('follows the server container live through one request, closes it when the user leaves, resumes without repeats, and reads again after a restart', async () => {
    cluster.kube.addPod(NS, 'pg-0', { ...postgresTemplate(pgInfo()), sidecars: ['exporter'] });
    cluster.kube.appendLog(NS, 'pg-0', ['LOG:  database system is ready to accept connections']);
    cluster.kube.appendLog(NS, 'pg-0', ['exporter up'], { container: 'exporter' });
    const { store } = await dashboard('pg-0');
    await shows(store, 'LOG:  database system is ready to accept connections');
    // The server's container, not the exporter; followed, the last lines only, stamped.
    expect(store.getState().data.results.serverLog!.rows[0]!.origin).toBe('pod/pg-0 container postgres');
    expect(texts(store)).not.toContain('exporter up');
    const first = logRequests('pg-0');
    expect(first).toHaveLength(1);
    expect(first[0]!.path).toMatch(/follow=true/);
    expect(first[0]!.path).toMatch(/tailLines=500/);
    expect(first[0]!.path).toMatch(/timestamps=true/);

    cluster.kube.appendLog(NS, 'pg-0', ['ERROR:  relation "nope" does not exist']);
    await shows(store, 'ERROR:  relation "nope" does not exist');
    expect(logRequests('pg-0')).toHaveLength(1);
    const container = cluster.kube.container(NS, 'pg-0');
    expect(container.followers.size).toBe(1);

    // Leaving the screen ends the request; lines written meanwhile come on return, none twice.
    setUi(store, { screen: 'activity' });
    await waitFor(async () => container.followers.size === 0, { what: 'the follow to close' });
    cluster.kube.appendLog(NS, 'pg-0', ['LOG:  checkpoint starting: time']);
    setUi(store, { screen: 'logs' });
    await shows(store, 'LOG:  checkpoint starting: time');
    expect(logRequests('pg-0').at(-1)!.path).toMatch(/sinceSeconds=\d+/);
    expect(texts(store)).toEqual([
      'LOG:  database system is ready to accept connections',
      'ERROR:  relation "nope" does not exist',
      'LOG:  checkpoint starting: time',
    ]);

    // OOM-killed: the follow ends with the container; the new one's log is followed.
    cluster.kube.restartContainer(NS, 'pg-0');
    cluster.kube.appendLog(NS, 'pg-0', ['LOG:  database system was interrupted; last known up at now']);
    await shows(store, 'LOG:  database system was interrupted; last known up at now');
    expect(logRows(store.getState()).some((l) => l.marker && /log stream of pod\/pg-0 ended/.test(l.text))).toBe(true);

    // P: the previous container's log, the one that died.
    const result = logsView.commands!.previousLog!(store.getState());
    setUi(store, result.ui!);
    await waitFor(async () => store.getState().data.results.previousServerLog?.rows[0], { what: "the previous container's log" });
    const previous = store.getState().data.results.previousServerLog!.rows[0]!;
    expect(previous).toMatchObject({ previous: true, origin: 'pod/pg-0 container postgres', note: null });
    expect(texts(store)).toEqual([
      'LOG:  database system is ready to accept connections',
      'ERROR:  relation "nope" does not exist',
      'LOG:  checkpoint starting: time',
    ]);
    expect(logRequests('pg-0').at(-1)!.path).toMatch(/previous=true/);
    // While the previous log shows, nothing follows the current one.
    await waitFor(async () => cluster.kube.container(NS, 'pg-0').followers.size === 0, { what: 'the follow to close' });
  });

  it('follows the pod the forward moves to (a Deployment whose pod was replaced)', async () => {
    cluster.kube.addDeployment(NS, 'moving', postgresTemplate(pgInfo(), { app: 'moving' }));
    const first = cluster.kube.livePod(NS, 'moving')!.name;
    cluster.kube.appendLog(NS, first, ['LOG:  the first pod']);
    const env = { KUBECONFIG: cluster.kubeconfig, PGPASSWORD: pgInfo().password };
    const target = await openK8sTarget({ target: { kind: 'deployment', name: 'moving' }, remotePort: 5432 }, {}, env, { retryMs: { first: 50, max: 200 } });
    const store = createPgtopStore({ target: target.label, screen: 'logs', intervalMs: 500 });
    target.attach(store);
    const scheduler = new DashboardScheduler({ store, connect: () => openConnection(target.connection, { purpose: 'monitor' }), podLog: target.podLog, backoff: { firstMs: 100, maxMs: 300 } });
    open = { target, scheduler };
    scheduler.start();
    await shows(store, 'LOG:  the first pod');
    cluster.kube.killPod(NS, first, { replaceAfterMs: 300, readyAfterMs: 200 });
    const second = await waitFor(async () => cluster.kube.livePod(NS, 'moving')?.ready && cluster.kube.livePod(NS, 'moving')!.name, { what: 'the replacement pod' });
    expect(second).not.toBe(first);
    cluster.kube.appendLog(NS, second, ['LOG:  the replacement pod']);
    await shows(store, 'LOG:  the replacement pod');
    const log = store.getState().data.results.serverLog!.rows[0]!;
    expect(log.origin).toBe(`pod/${second} container postgres`);
    expect(log.lines.some((l) => l.marker && l.text === `— the dashboard moved to pod/${second}: its log follows —`)).toBe(true);
    expect(texts(store)).toEqual(['LOG:  the first pod', 'LOG:  the replacement pod']);
  });

  it('one refresh (what --once runs) already holds the tail', async () => {
    cluster.kube.addPod(NS, 'pg-once', postgresTemplate(pgInfo()));
    cluster.kube.appendLog(NS, 'pg-once', ['LOG:  one', 'LOG:  two']);
    const env = { KUBECONFIG: cluster.kubeconfig, PGPASSWORD: pgInfo().password };
    const target = await openK8sTarget({ target: { kind: 'pod', name: 'pg-once' }, remotePort: 5432 }, {}, env);
    const store = createPgtopStore({ target: target.label, screen: 'logs' });
    target.attach(store);
    const scheduler = new DashboardScheduler({ store, connect: () => openConnection(target.connection, { purpose: 'monitor' }), podLog: target.podLog });
    open = { target, scheduler };
    await scheduler.refresh();
    expect(texts(store)).toEqual(['LOG:  one', 'LOG:  two']);
  });

  it('says when there is no previous container (the API server answers 400)', async () => {
    cluster.kube.addPod(NS, 'pg-fresh', postgresTemplate(pgInfo()));
    const { store } = await dashboard('pg-fresh');
    setUi(store, { screenMode: { logs: 'previous' } });
    const log = await waitFor(async () => store.getState().data.results.previousServerLog?.rows[0], { what: 'the previous log result' });
    expect(log.lines).toEqual([]);
    expect(log.note).toMatch(/^no previous container: postgres in pod\/pg-fresh has not restarted/);
    expect(logsView.emptyText!(store.getState())).toBe(log.note);
  });

  it('with get pods/log denied: the review says so up front, the screen names the verb, and no log is requested', async () => {
    cluster.kube.addPod(NS, 'pg-rbac', postgresTemplate(pgInfo()));
    cluster.kube.forbid('get', 'pods/log');
    try {
      const { store, target } = await dashboard('pg-rbac');
      expect(target.access?.rules).not.toBeNull();
      expect(kubeNeed(target.access, KUBE_NEEDS.podLog)).toBe('needs get pods/log in development');
      expect(kubeNeed(target.access, KUBE_NEEDS.podExec)).toBeNull();
      const result = await waitFor(async () => store.getState().data.results.serverLog, { what: 'the logs result' });
      expect(result.disabled).toBe('server log: needs get pods/log in development');
      expect(logRequests('pg-rbac')).toEqual([]);
    } finally {
      cluster.kube.allow('get', 'pods/log');
    }
  });

  it('asks one rules review when the target resolves; where the rules are incomplete, access reviews for what they leave open', async () => {
    const reviews = () => cluster.kube.requests.filter((r) => r.path.startsWith('/apis/authorization.k8s.io/v1/'));
    cluster.kube.addPod(NS, 'pg-review', postgresTemplate(pgInfo()));
    let before = reviews().length;
    const complete = await dashboard('pg-review');
    expect(reviews().slice(before).map((r) => r.path)).toEqual(['/apis/authorization.k8s.io/v1/selfsubjectrulesreviews']);
    expect(complete.target.access).toMatchObject({ namespace: NS, incomplete: false, reviews: {} });
    await open!.scheduler.stop();
    await open!.target.close();
    open = null;

    cluster.kube.rulesIncomplete = true;
    cluster.kube.forbid('get', 'pods/log');
    try {
      before = reviews().length;
      const { store, target } = await dashboard('pg-review');
      const asked = reviews().slice(before).map((r) => r.path);
      expect(asked[0]).toBe('/apis/authorization.k8s.io/v1/selfsubjectrulesreviews');
      // The rules grant list pods and create pods/exec: only get pods/log is left to ask.
      expect(asked.slice(1)).toEqual(['/apis/authorization.k8s.io/v1/selfsubjectaccessreviews']);
      expect(target.access).toMatchObject({ incomplete: true, reviews: { 'get pods/log': false } });
      const result = await waitFor(async () => store.getState().data.results.serverLog, { what: 'the logs result' });
      expect(result.disabled).toBe('server log: needs get pods/log in development');
    } finally {
      cluster.kube.rulesIncomplete = false;
      cluster.kube.allow('get', 'pods/log');
    }
  });

  it('a 403 at run time (RBAC changed after the review) says the same words', async () => {
    cluster.kube.addPod(NS, 'pg-late', postgresTemplate(pgInfo()));
    const { store, target } = await dashboard('pg-late');
    expect(kubeNeed(target.access, KUBE_NEEDS.podLog)).toBeNull();
    setUi(store, { screen: 'activity' });
    cluster.kube.forbid('get', 'pods/log');
    try {
      setUi(store, { screen: 'logs' });
      const result = await waitFor(async () => store.getState().data.results.serverLog?.disabled ?? undefined, { what: 'the logs to be switched off' });
      expect(result).toBe('server log: needs get pods/log in development');
      expect(logRequests('pg-late').map((r) => r.status)).toContain(403);
    } finally {
      cluster.kube.allow('get', 'pods/log');
    }
  });
});
