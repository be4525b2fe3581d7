// The machine's figures through the scheduler pgtop runs (DashboardScheduler
// with the target's host reading), against the fake API server, whose exec
// runs the sampler locally with the pod's env: /proc shows the real throwaway
// server, /sys/fs/cgroup is this machine's (cgroup v1: memory, cpuacct, cpu),
// and PGDATA is what the pod's env says — here a 64 MB tmpfs that a file
// fills. Also: a container without sh (the figures say why, the rest goes
// on) and a dropped exec stream (opened again, after a backoff).
import { execFileSync } from 'node:child_process';
import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { activityScreen } from '../../screens/activity/index.js';
import { screenFailures } from '../../screens/definition.js';
import { DashboardScheduler } from '../../src/cli/dashboard-scheduler.js';
import { openConnection } from '../../src/db/connection.js';
import { hostReadingFor } from '../../src/host/reading.js';
import type { DataDirectoryUsage } from '../../src/model/host.js';
import { createPgtopStore, type PgtopStore } from '../../src/store/store.js';
import { openK8sTarget, type K8sTarget } from '../../src/target/kubernetes.js';
import type { ExecSampler, HostReader } from '../../src/host/exec-sampler.js';
import { postgresTemplate, startFakeCluster, type FakeCluster, type PodTemplate } from '../support/fake-kube/index.js';
import { pgInfo, waitFor } from '../support/pg.js';

let fake: FakeCluster;
beforeAll(async () => {
  fake = await startFakeCluster();
});
afterAll(async () => {
  await fake?.stop();
});

interface Opened {
  target: K8sTarget;
  store: PgtopStore;
  scheduler: DashboardScheduler;
  reader: HostReader | undefined;
  close(): Promise<void>;
}

/** pgtop -k deployment/NAME, in process: its target, store and scheduler with the host figures needed. */
async function openPod(name: string, env: Record<string, string>, needed: string[], pod: Partial<PodTemplate> = {}): Promise<Opened> {
  const info = pgInfo();
  const template = { ...postgresTemplate(info), ...pod };
  template.env = { ...template.env, ...env };
  fake.kube.addDeployment('default', name, template);
  const target = await openK8sTarget({ target: { kind: 'deployment', name }, remotePort: 5432 }, {}, { KUBECONFIG: fake.kubeconfig, PGPASSWORD: info.password });
  const store = createPgtopStore({ target: target.label });
  target.attach(store);
  const host = hostReadingFor(target);
  const scheduler = new DashboardScheduler({ store, connect: () => openConnection(target.connection, { purpose: 'monitor' }), host, needed: () => needed });
  return {
    target,
    store,
    scheduler,
    reader: host?.reader,
    close: async () => {
      await scheduler.stop();
      await target.close();
    },
  };
}

function samplerExecs(): number {
  return fake.kube.requests.filter((r) => r.resource === 'pods/exec' && decodeURIComponent(r.path).includes('pgtop-sampler')).length;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('the pod sampler through the scheduler', () => {
  it('a volume filling up: usedBytes grows and the projection appears; the container from cgroup v1; the server processes', { timeout: 60_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pgtop-volume-'));
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64m', 'tmpfs', dir]);
    let opened: Opened | undefined;
    try {
      const execsBefore = samplerExecs();
      opened = await openPod('filling', { PGDATA: dir }, ['dataDirectory', 'containerUsage', 'processUsage']);
      const seen: DataDirectoryUsage[] = [];
      for (let step = 0; step < 8; step++) {
        appendFileSync(join(dir, 'wal-like'), Buffer.alloc(4 * 1024 * 1024, step));
        await opened.scheduler.refresh();
        const row = opened.store.getState().data.results.dataDirectory?.rows[0];
        if (row) seen.push(row);
        await sleep(1_000);
      }
      expect(seen.length).toBe(8);
      const first = seen[0]!;
      const last = seen[seen.length - 1]!;
      expect(first).toMatchObject({ path: dir, sizeBytes: 64 * 1024 * 1024 });
      expect(last.usedBytes - first.usedBytes).toBe(7 * 4 * 1024 * 1024);
      // pg_ls_waldir(): the real server's pg_wal (this role may: it is a superuser).
      expect(last.walBytes).toBeGreaterThan(0);
      // ~4 MB a second with 32 MB left: full in ~8 s (the loop's pace makes it a little more).
      expect(first.fullInSeconds).toBeNull();
      expect(last.fullInSeconds).not.toBeNull();
      expect(last.fullInSeconds!).toBeGreaterThan(2);
      expect(last.fullInSeconds!).toBeLessThan(30);
      expect(last.fullInSeconds!).toBeCloseTo(last.availableBytes / ((last.usedBytes - first.usedBytes) / ((last.at - first.at) / 1000)), -1);

      const container = opened.store.getState().data.results.containerUsage?.rows[0];
      expect(container).toMatchObject({ source: 'cgroup v1' });
      expect(container!.memoryBytes).toBeGreaterThan(0);
      expect(container!.cpuCores).not.toBeNull();
      // The monitor connection's backend is among the processes, with a CPU figure from the second sample on.
      const processes = (opened.store.getState().data.results.processUsage?.rows ?? []);
      const monitorPid = opened.store.getState().connection.ownPids[0];
      const own = processes.find((p) => p.pid === monitorPid) ?? processes.find((p) => p.rssBytes > 0);
      expect(own).toBeDefined();
      expect(own!.cpuPercent).not.toBeNull();
      // Eight refreshes, one exec session.
      expect(samplerExecs() - execsBefore).toBe(1);
    } finally {
      await opened?.close();
      execFileSync('umount', [dir]);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a pod with a sidecar listed first: the one exec session names the postgres container (the one serving 5432), and the figures land', { timeout: 30_000 }, async () => {
    // No default-container annotation either: the API server refuses an exec that names no container here.
    const opened = await openPod('with-sidecar', {}, ['processUsage', 'containerUsage'], { sidecars: ['istio-proxy'], sidecarsFirst: true, defaultContainer: null });
    try {
      for (let step = 0; step < 3; step++) {
        await opened.scheduler.refresh();
        await sleep(300);
      }
      const state = opened.store.getState();
      expect(state.data.results.containerUsage?.error ?? null).toBeNull();
      expect(state.data.results.containerUsage?.rows[0]).toMatchObject({ source: 'cgroup v1' });
      // The server's processes, read from /proc in the container that runs it.
      expect((state.data.results.processUsage?.rows ?? []).filter((p) => p.rssBytes > 0).length).toBeGreaterThan(0);
      const execs = fake.kube.requests.filter((r) => r.resource === 'pods/exec' && r.path.includes('/pods/with-sidecar-'));
      expect(execs.map((r) => [new URL(r.path, 'https://api').searchParams.get('container'), r.status])).toEqual([['postgres', 101]]);
    } finally {
      await opened.close();
    }
  });

  it('on a screen without the per-backend columns, a sample reads no process: the header costs a few hundred bytes a refresh', { timeout: 30_000 }, async () => {
    const opened = await openPod('header-only', {}, ['containerUsage']);
    try {
      const sampler = opened.reader as ExecSampler;
      for (let step = 0; step < 3; step++) {
        await opened.scheduler.refresh();
        await sleep(300);
      }
      const state = opened.store.getState();
      expect(state.data.results.containerUsage?.rows[0]).toMatchObject({ source: 'cgroup v1' });
      expect(state.data.results.processUsage).toBeUndefined();
      // Three samples of the cgroup files alone (with every process they were ~500 bytes a process in /proc).
      expect(sampler.bytesReceived / 3).toBeLessThan(1_000);
    } finally {
      await opened.close();
    }
  });

  it('a container without sh: the figures are unavailable and say why, once; the activity goes on', { timeout: 30_000 }, async () => {
    const execsBefore = fake.kube.requests.filter((r) => r.resource === 'pods/exec').length;
    // The fake runs exec'd commands with the pod's PATH: none, so "sh" is not found, as in a distroless image.
    const opened = await openPod('no-shell', { PATH: '/nonexistent' }, ['activity', 'processUsage', 'containerUsage']);
    try {
      await opened.scheduler.refresh();
      await opened.scheduler.refresh();
      const { results } = opened.store.getState().data;
      expect(results.processUsage?.disabled).toBe('per-backend CPU, memory and I/O unavailable: the server container has no sh');
      expect(results.containerUsage?.disabled).toBe('container memory and CPU unavailable: the server container has no sh');
      expect(results.processUsage?.rows).toEqual([]);
      expect(results.activity?.rows.length).toBeGreaterThan(0);
      // The activity screen does without them: no failure to show, and no CPU% column.
      expect(screenFailures(opened.store.getState(), activityScreen)).toEqual([]);
      expect(activityScreen.view.columnsFor!(opened.store.getState()).map((c) => c.id)).not.toContain('cpu');
      // Tried once, not at every refresh.
      expect(fake.kube.requests.filter((r) => r.resource === 'pods/exec').length - execsBefore).toBe(1);
    } finally {
      await opened.close();
    }
  });

  it('without create pods/exec: the permission review says so up front, and no exec is tried', { timeout: 30_000 }, async () => {
    fake.kube.forbid('create', 'pods/exec');
    try {
      const execsBefore = fake.kube.requests.filter((r) => r.resource === 'pods/exec').length;
      const opened = await openPod('no-exec', {}, ['activity', 'processUsage']);
      try {
        await opened.scheduler.refresh();
        const { results } = opened.store.getState().data;
        expect(results.processUsage?.disabled).toBe('per-backend CPU, memory and I/O: needs create pods/exec in default');
        expect(results.activity?.rows.length).toBeGreaterThan(0);
        expect(fake.kube.requests.filter((r) => r.resource === 'pods/exec').length).toBe(execsBefore);
      } finally {
        await opened.close();
      }
    } finally {
      fake.kube.allow('create', 'pods/exec');
    }
  });

  it('a dropped exec stream is opened again after a backoff, and the figures come back', { timeout: 40_000 }, async () => {
    const opened = await openPod('dropping', {}, ['processUsage']);
    try {
      const execsBefore = samplerExecs();
      // With -k the processes land with the refresh's queries, from the latest sample: the first refresh asks for one.
      await opened.scheduler.refresh();
      await sleep(500);
      await opened.scheduler.refresh();
      expect(opened.store.getState().data.results.processUsage?.rows.length).toBeGreaterThan(0);
      expect(samplerExecs() - execsBefore).toBe(1);
      const pod = fake.kube.livePod('default', 'dropping')!.name;
      fake.kube.dropStreams('default', pod);
      // Past the quarter second in which the sources of one refresh share a sample.
      await sleep(500);
      // The next sample fails, the refresh after says so, and one after the backoff opens a new session.
      await waitFor(
        async () => {
          await opened.scheduler.refresh();
          return /^per-backend CPU, memory and I\/O failed: the exec session dropped/.test(opened.store.getState().data.results.processUsage?.error ?? '');
        },
        { what: 'the dropped session said', timeoutMs: 5_000, intervalMs: 300 },
      );
      await waitFor(
        async () => {
          await opened.scheduler.refresh();
          const result = opened.store.getState().data.results.processUsage;
          return result?.error === null && result.rows.length > 0;
        },
        { what: 'the figures after the exec session was opened again', timeoutMs: 15_000, intervalMs: 500 },
      );
      expect(samplerExecs() - execsBefore).toBe(2);
    } finally {
      await opened.close();
    }
  });
});
