// The pod screen and the header's pod line from fake state (as the -k
// sources and the sampler land it): a container OOM-killed 12 minutes ago,
// usage against the limits, the volume filling, events Warnings first and
// hostile text from the API server made terminal text; 80 columns keep the
// header to whole parts; without a metrics API the screen says the cgroup (or
// nothing) was used; without -k it says what it needs and shows what the
// sampler reads; `u` asks before it runs du, also under --read-only.
import { afterEach, describe, expect, it } from 'vitest';
import type { ContainerUsage, DataDirectoryUsage } from '../../src/model/host.js';
import type { PodEvent, PodMetrics, PodState, PodVolume } from '../../src/model/pod.js';
import type { PgtopState } from '../../src/store/store.js';
import { connectedWithResults, result } from '../support/maintenance-fixtures.js';
import { renderApp, type RenderedApp } from '../support/render-app.js';

let app: RenderedApp | undefined;
afterEach(() => app?.unmount());

const MB = 1024 * 1024;
const GB = 1024 * MB;
const K8S = 'k8s db/deployment/pg → pod/pg-7d9f-x7k2q :5432';

function pod(now: number, patch: Partial<PodState> = {}): PodState {
  return {
    namespace: 'db', name: 'pg-7d9f-x7k2q', node: 'node-a', phase: 'Running', ready: true, createdAt: now - 3 * 3600_000, qosClass: 'Burstable', deleted: false,
    dataDirectory: '/var/lib/postgresql/data',
    claims: [{ volume: 'pgdata', claim: 'pgdata-pg', mountPath: '/var/lib/postgresql/data' }],
    containers: [
      {
        name: 'postgres', image: 'postgres:15', main: true, state: 'running', stateReason: null, startedAt: now - 12 * 60_000, ready: true, restarts: 1,
        lastTermination: { reason: 'OOMKilled', exitCode: 137, finishedAt: now - 12 * 60_000 - 5_000 },
        requests: { cpuCores: 0.5, memoryBytes: 512 * MB }, limits: { cpuCores: 1, memoryBytes: GB },
      },
    ],
    ...patch,
  };
}

const volume: PodVolume = { claim: 'pgdata-pg', volume: 'pgdata', dataVolume: true, mountPath: '/var/lib/postgresql/data', storageClass: 'fast', capacity: '10Gi', capacityBytes: 10 * GB, phase: 'Bound' };

function events(now: number): PodEvent[] {
  return [
    { type: 'Warning', reason: 'OOMKilling', message: 'Memory cgroup out of memory: Killed process 4242 (postgres)\u001b]0;pwned\u0007\u001b[2J', objectKind: 'Pod', objectName: 'pg-7d9f-x7k2q', count: 1, lastAt: now - 12 * 60_000, source: 'kernel-monitor, node-a' },
    { type: 'Normal', reason: 'Started', message: 'Started container postgres', objectKind: 'Pod', objectName: 'pg-7d9f-x7k2q', count: 2, lastAt: now - 11 * 60_000, source: 'kubelet' },
  ];
}

const metrics = (now: number): PodMetrics => ({ containers: [{ name: 'postgres', cpuCores: 0.25, memoryBytes: 300 * MB }], at: now - 5_000 });
const cgroup = (now: number, patch: Partial<ContainerUsage> = {}): ContainerUsage => ({
  source: 'cgroup v2', memoryBytes: 950 * MB, memoryLimitBytes: GB, cpuCores: 0.98, cpuLimitCores: 1, throttledRatio: 0.4, at: now, ...patch,
});
const dataDirectory = (now: number): DataDirectoryUsage => ({
  path: '/var/lib/postgresql/data', sizeBytes: 10 * GB, usedBytes: 9 * GB, availableBytes: GB, walBytes: 1.5 * GB, fullInSeconds: 5 * 3600, at: now,
});

function k8sState(now: number, results: PgtopState['data']['results'] = {}) {
  return (s: PgtopState) => {
    connectedWithResults({
      pod: result([pod(now)]),
      podMetrics: result([metrics(now)]),
      podVolumes: result([volume]),
      podEvents: result(events(now)),
      dataDirectory: result([dataDirectory(now)]),
      ...results,
    })(s);
    s.connection.target = K8S;
  };
}

describe('the header with -k', () => {
  it('says restarts and the last OOMKilled with its age, memory and CPU against the limits, the data volume, in a warning colour', async () => {
    const now = Date.now();
    app = renderApp({ screen: 'activity', color: true, patch: k8sState(now, { containerUsage: result([cgroup(now)]) }) });
    const frame = await app.waitFor('restarts 1, last OOMKilled');
    const line = frame.split('\n').find((l) => l.includes('restarts 1'))!;
    // The metrics API is fresh: its memory, against the pod spec's limit; throttling only the cgroup knows.
    expect(line).toMatch(/restarts 1, last OOMKilled 12m ago {2}mem 300 MB\/1\.0 GB {2}data 90% used {2}cpu 0\.25\/1 throttled 40%/);
    // A restart within the hour, the volume past 85 %, throttling: in the warning colour; memory at 29 % is not.
    const raw = app.rawFrame();
    expect(raw).toContain('\u001b[33mrestarts 1, last OOMKilled 12m ago');
    expect(raw).toContain('\u001b[33mdata 90% used');
    expect(raw).toContain('\u001b[33mcpu 0.25/1 throttled 40%');
    expect(raw).not.toContain('\u001b[33mmem 300 MB');
  });

  it('keeps to 80 columns by leaving parts out, never wrapping', async () => {
    const now = Date.now();
    app = renderApp({ screen: 'activity', patch: k8sState(now, { pod: result([pod(now, { phase: 'Running', ready: false })]), containerUsage: result([cgroup(now)]) }) });
    await app.resize(80, 24);
    const frame = await app.waitFor('not Ready');
    const lines = frame.split('\n');
    const line = lines.find((l) => l.includes('not Ready'))!;
    expect(line).toBe('Running not Ready, restarts 1, last OOMKilled 12m ago  mem 300 MB/1.0 GB');
    // The volume's and the CPU's parts did not fit: left out, not wrapped onto the tab bar's line.
    expect(frame).not.toContain('data 90%');
    expect(frame).not.toContain('cpu 0.25');
    // A shorter first part leaves room for them.
    app.store.setState((s) => ({ data: { ...s.data, results: { ...s.data.results, pod: result([pod(now, { ready: true, containers: [{ ...pod(now).containers[0]!, restarts: 0, lastTermination: null }] })]) } } }));
    expect(await app.waitFor('restarts 0')).toContain('restarts 0  mem 300 MB/1.0 GB  data 90% used  cpu 0.25/1 throttled 40%');
    for (const l of lines) expect(l.length).toBeLessThanOrEqual(80);
  });

  it('memory past 90 % of the limit is a warning (the cgroup when the metrics API is absent)', async () => {
    const now = Date.now();
    const patch = k8sState(now, { containerUsage: result([cgroup(now, { throttledRatio: 0 })]), podMetrics: { rows: [], updatedAt: 0, error: null, disabled: 'no metrics API in this cluster' } });
    app = renderApp({ screen: 'activity', color: true, patch });
    await app.waitFor('mem 950 MB/1.0 GB');
    expect(app.rawFrame()).toContain('\u001b[33mmem 950 MB/1.0 GB');
    expect(app.frame()).toContain('cpu 0.98/1');
    expect(app.frame()).not.toContain('throttled');
  });

  it('has no pod line in direct mode without the sampler', async () => {
    app = renderApp({ screen: 'activity', patch: connectedWithResults({}) });
    const frame = await app.waitFor('TPS');
    expect(frame).not.toContain('restarts');
  });
});

describe('the pod screen', () => {
  it('lists the pod, the usage and its source, the container with its last state, the volume, the filesystem, pg_wal and the events, Warnings first', async () => {
    const now = Date.now();
    app = renderApp({ screen: 'pod', patch: k8sState(now, { containerUsage: result([cgroup(now)]) }) });
    await app.resize(240, 30);
    const frame = await app.waitFor('OOMKilling');
    const row = (start: string) => frame.split('\n').find((l) => l.startsWith(start)) ?? '';
    expect(row('pod ')).toMatch(/pg-7d9f-x7k2q\s+Running Ready\s+node node-a · age 3h · QoS Burstable · restarts 1, last OOMKilled 12m ago/);
    expect(row('usage')).toMatch(/metrics API\s+mem 29%\s+memory 300 MB \/ 1\.0 GB · cpu 250m \/ 1 · throttled 40% · limits from pod spec/);
    expect(row('container')).toMatch(/postgres\s+running ↻1\s+postgres:15 · last OOMKilled \(exit 137\) 12m ago · requests cpu 500m, memory 512 MB · limits cpu 1, memory 1\.0 GB · uses cpu 250m, memory 300 MB/);
    expect(row('volume')).toMatch(/pgdata-pg\s+Bound\s+the data volume · volume pgdata · at \/var\/lib\/postgresql\/data · class fast · capacity 10Gi/);
    expect(row('filesystem')).toMatch(/data directory\s+90% used\s+full in ~5 h at the last hour's rate · available 1\.0 GB · used 9\.0 GB · size 10 GB · \/var\/lib\/postgresql\/data/);
    expect(row('pg_wal')).toMatch(/pg_wal\s+1\.5 GB/);
    const eventRows = frame.split('\n').filter((l) => l.startsWith('event'));
    expect(eventRows[0]).toMatch(/event W\s+OOMKilling\s+×1 12m ago\s+pod\/pg-7d9f-x7k2q: Memory cgroup out of memory: Killed process 4242 \(postgres\)/);
    expect(eventRows[1]).toMatch(/event N\s+Started/);
    // The event's escape sequences are shown escaped, never sent to the terminal.
    expect(app.rawFrame()).not.toContain('\u001b]0;pwned');
    expect(app.rawFrame()).not.toContain('\u001b[2J');
    expect(frame).toContain('\\x1b]0;pwned');
    expect(frame).toContain('usage from metrics API · u: du -sh');
  });

  it("without a metrics API: says the cgroup's usage was used, and why; with no cgroup either: none", async () => {
    const now = Date.now();
    const off = { rows: [], updatedAt: 0, error: null, disabled: 'no metrics API in this cluster (metrics.k8s.io is not served: no metrics-server)' };
    app = renderApp({ screen: 'pod', patch: k8sState(now, { podMetrics: off, containerUsage: result([cgroup(now)]) }) });
    await app.resize(200, 30);
    let frame = await app.waitFor('usage from cgroup v2');
    expect(frame).toContain('usage from cgroup v2 (no metrics API in this cluster');
    expect(frame.split('\n').find((l) => l.startsWith('usage'))).toMatch(/cgroup v2\s+mem 93%\s+memory 950 MB \/ 1\.0 GB · cpu 980m \/ 1 · throttled 40% · limits from pod spec · no metrics API/);
    app.store.setState((s) => ({ data: { ...s.data, results: { ...s.data.results, containerUsage: undefined } } }));
    frame = await app.waitFor('usage from none');
    expect(frame.split('\n').find((l) => l.startsWith('usage'))).toMatch(/none\s+memory – \/ 1\.0 GB · cpu – \/ 1 · limits from pod spec · no usage measured: no metrics API in this cluster/);
  });

  it('is reached with Tab after replication and with :pod; without -k it says what it needs and shows what the sampler reads here', async () => {
    const now = Date.now();
    app = renderApp({ screen: 'replication', patch: connectedWithResults({ dataDirectory: result([dataDirectory(now)]), containerUsage: result([cgroup(now, { source: 'host /proc', memoryLimitBytes: null, cpuLimitCores: null, throttledRatio: null })]) }) });
    await app.resize(180, 30);
    await app.waitFor('WAL BEHIND');
    await app.press('tab');
    let frame = await app.waitFor('need a Kubernetes target');
    expect(app.store.getState().ui.screen).toBe('pod');
    expect(frame).toContain('the pod, its containers, volume and events need a Kubernetes target: pgtop -k TYPE/NAME');
    expect(frame.split('\n').find((l) => l.startsWith('usage'))).toMatch(/host \/proc\s+memory 950 MB \/ no limit · cpu 980m \/ no limit/);
    expect(frame).toMatch(/filesystem\s+data directory\s+90% used\s+full in ~5 h at the last hour's rate · available 1\.0 GB · used 9\.0 GB · size 10 GB/);
    await app.press('tab');
    expect(app.store.getState().ui.screen).toBe('logs');
    await app.press(':', 'p', 'o', 'd', 'enter');
    frame = await app.waitFor('need a Kubernetes target');
    expect(app.store.getState().ui.screen).toBe('pod');
  });

  it('u asks before it runs du in the pod, also under --read-only, showing the exact command', async () => {
    const now = Date.now();
    app = renderApp({ screen: 'pod', readOnly: true, patch: k8sState(now) });
    await app.waitFor('OOMKilling');
    await app.press('u');
    const frame = await app.waitFor('Measure the data directory');
    expect(frame).toContain('du -sh -- /var/lib/postgresql/data/*');
    expect(frame).toContain('reads every file of the data directory');
    expect(app.calls.requested.map((r) => r.actionId)).toEqual(['diskUsage']);
    // No pod to run it in here (the test's runner has no exec): said, not thrown.
    await app.press('y');
    await app.waitFor("du runs in the database's pod (pgtop -k)");
  });

  it('u without -k is refused before anything is asked, saying where du runs', async () => {
    const now = Date.now();
    app = renderApp({ screen: 'pod', patch: connectedWithResults({ dataDirectory: result([dataDirectory(now)]) }) });
    await app.resize(200, 30);
    await app.waitFor('need a Kubernetes target');
    await app.press('u');
    const frame = await app.waitFor('refused:');
    expect(frame).toContain("refused: du runs in the database's pod (pgtop -k); on this host run du -sh -- /var/lib/postgresql/data/* yourself");
    expect(app.store.getState().ui.overlay.kind).toBe('none');
  });

  it('shows du’s lines, the largest first, once they landed', async () => {
    const now = Date.now();
    const du = [
      { path: '/var/lib/postgresql/data/pg_wal', size: '1.5G', bytes: 1.5 * GB, at: now - 60_000 },
      { path: '/var/lib/postgresql/data/base', size: '7.2G', bytes: 7.2 * GB, at: now - 60_000 },
    ];
    app = renderApp({ screen: 'pod', patch: k8sState(now, { diskUsage: result(du) }) });
    await app.resize(160, 30);
    const frame = await app.waitFor(/du -sh, 6\ds ago/);
    const lines = frame.split('\n').filter((l) => l.startsWith('du '));
    expect(lines[0]).toMatch(/^du\s+base\s+7\.2G\s+\/var\/lib\/postgresql\/data\/base · du -sh, 6\ds ago \(u runs it again\)/);
    expect(lines[1]).toMatch(/^du\s+pg_wal\s+1\.5G\s+\/var\/lib\/postgresql\/data\/pg_wal · du -sh/);
  });
});
