// The scheduler with fake sources and fake time: only what is needed runs,
// each at its own interval, never twice at a time; a source no longer
// needed stops; failures are switched off, rested or retried as their kind
// says; a lost connection is said and reconnected on the backoff schedule.
import { EventEmitter } from 'node:events';
import type pg from 'pg';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { PgConnection } from '../../src/db/connection.js';
import { backoffDelay } from '../../src/scheduler/backoff.js';
import type { LandedFailure } from '../../src/scheduler/failures.js';
import { Scheduler, type SchedulerOptions } from '../../src/scheduler/scheduler.js';
import type { LocalSource, PgSource, RunContext, Source } from '../../src/scheduler/source.js';
import { createPgtopStore, setUi, type DataSlice, type PgtopStore } from '../../src/store/store.js';

interface FakeSession extends PgConnection {
  /** The server ends the connection (a terminated backend). */
  kill(): void;
}

function fakeSession(pid: number): FakeSession {
  const client = new EventEmitter();
  let alive = true;
  return {
    client: client as unknown as pg.Client,
    pid,
    serverVersion: '16.4',
    serverVersionNum: 160004,
    isAlive: () => alive,
    failure: () => (alive ? null : new Error('terminating connection due to administrator command')),
    pooler: null,
    pooled: null,
    close: () => {
      alive = false;
      return Promise.resolve();
    },
    kill() {
      alive = false;
      client.emit('end');
    },
  };
}

interface Probe {
  id: string;
  /** When each run started (fake ms since the test began). */
  starts: number[];
  resumed: boolean[];
  running: number;
  maxRunning: number;
}

const began = new Date('2025-03-04T05:06:07Z').getTime();
const now = () => Date.now() - began;

type Result = { rows: unknown[]; error: string | null; disabled: string | null };
const results = (store: PgtopStore) => store.getState().data.results as Record<string, Result | undefined>;

/** Lands a source's value as one row of store.data.results[id], and its failure there, as the real sources do. */
function landing(id: string) {
  return {
    land(data: DataSlice, value: unknown) {
      (data.results as Record<string, Result>)[id] = { rows: [value], error: null, disabled: null };
    },
    landFailure(data: DataSlice, failure: LandedFailure) {
      const previous = (data.results as Record<string, Result | undefined>)[id];
      (data.results as Record<string, Result>)[id] = {
        rows: previous?.rows ?? [],
        error: failure.message,
        disabled: failure.kind === 'degraded' ? failure.disabled : null,
      };
    },
  };
}

function probe(id: string): Probe {
  return { id, starts: [], resumed: [], running: 0, maxRunning: 0 };
}

/** A source that records its runs; `work` is what one run does (by default: nothing, at once). */
function local(p: Probe, options: { minIntervalMs?: number; work?: (n: number) => Promise<unknown> } = {}): LocalSource {
  return {
    id: p.id,
    title: `the ${p.id} source`,
    needs: 'nothing',
    minIntervalMs: options.minIntervalMs,
    run: (context: RunContext) => track(p, context, options.work),
    ...landing(p.id),
  };
}

function onMonitor(p: Probe, options: { minIntervalMs?: number; work?: (n: number) => Promise<unknown>; queries?: number } = {}): PgSource {
  return {
    id: p.id,
    title: `the ${p.id} source`,
    needs: 'pg',
    minIntervalMs: options.minIntervalMs,
    run: (context) => {
      for (let i = 0; i < (options.queries ?? 1); i++) context.counted();
      return track(p, context, options.work);
    },
    ...landing(p.id),
  };
}

async function track(p: Probe, context: RunContext, work?: (n: number) => Promise<unknown>): Promise<unknown> {
  p.starts.push(now());
  p.resumed.push(context.resumed);
  p.running += 1;
  p.maxRunning = Math.max(p.maxRunning, p.running);
  try {
    return await (work ? work(p.starts.length) : Promise.resolve(`${p.id} #${p.starts.length}`));
  } finally {
    p.running -= 1;
  }
}

/** A promise the test settles when it chooses. */
function gate<T = string>() {
  let open!: (value: T) => void;
  const promise = new Promise<T>((resolve) => (open = resolve));
  return { promise, open };
}

let scheduler: Scheduler | undefined;

function schedule(store: PgtopStore, sources: Source[], needed: SchedulerOptions['needed'], options: Partial<SchedulerOptions> = {}): Scheduler {
  scheduler = new Scheduler({ store, sources, needed, ...options });
  return scheduler;
}

/** A store on screen `a`, refreshing every second. */
function storeOn(screen = 'a', intervalMs = 1_000): PgtopStore {
  return createPgtopStore({ screen, intervalMs });
}

/** What the visible screen needs, the way screens/index.ts says it: the header's source, then the screen's. */
const byScreen =
  (screens: Record<string, string[]>, always: string[] = []) =>
  (state: { ui: { screen: string } }) => [...always, ...(screens[state.ui.screen] ?? [])];

beforeEach(() => {
  vi.useFakeTimers({ now: began });
});

afterEach(async () => {
  await scheduler?.stop();
  scheduler = undefined;
  vi.useRealTimers();
});

describe('the scheduler', () => {
  it('runs only the sources needed now, and stops one that is no longer needed', async () => {
    const [head, x, y, never] = ['head', 'x', 'y', 'never'].map(probe) as [Probe, Probe, Probe, Probe];
    const store = storeOn('a');
    schedule(store, [local(head), local(x), local(y), local(never)], byScreen({ a: ['x'], b: ['y'] }, ['head'])).start();
    await vi.advanceTimersByTimeAsync(3_500);
    expect(head.starts).toEqual([0, 1_000, 2_000, 3_000]);
    expect(x.starts).toEqual([0, 1_000, 2_000, 3_000]);
    expect(y.starts).toEqual([]);

    setUi(store, { screen: 'b' });
    await vi.advanceTimersByTimeAsync(5_000);
    // The new screen's source at once, then every second; the old one's never again.
    expect(y.starts).toEqual([3_500, 4_500, 5_500, 6_500, 7_500, 8_500]);
    expect(x.starts).toEqual([0, 1_000, 2_000, 3_000]);
    expect(head.starts.length).toBeGreaterThanOrEqual(8);
    expect(never.starts).toEqual([]);
    expect(results(store).x?.rows).toEqual(['x #4']);
  });

  it('runs a source at the refresh interval, or at its own minimum interval when that is longer', async () => {
    const [often, checks, query, costly] = ['often', 'checks', 'query', 'costly'].map(probe) as [Probe, Probe, Probe, Probe];
    const store = storeOn('a', 1_000);
    schedule(store, [local(often), local(checks, { minIntervalMs: 3_000 }), onMonitor(query), onMonitor(costly, { minIntervalMs: 2_500 })], () => ['often', 'checks', 'query', 'costly'], {
      initialSession: fakeSession(1),
    }).start();
    await vi.advanceTimersByTimeAsync(6_100);
    expect(often.starts).toEqual([0, 1_000, 2_000, 3_000, 4_000, 5_000, 6_000]);
    expect(checks.starts).toEqual([0, 3_000, 6_000]);
    expect(query.starts).toEqual([0, 1_000, 2_000, 3_000, 4_000, 5_000, 6_000]);
    // On the monitor connection it runs with the refresh after its minimum is up.
    expect(costly.starts).toEqual([0, 3_000, 6_000]);

    // A longer refresh interval is every source's minimum.
    setUi(store, { intervalMs: 5_000 });
    const from = now();
    await vi.advanceTimersByTimeAsync(10_100);
    expect(often.starts.filter((t) => t >= from)).toEqual([from, from + 5_000, from + 10_000]);
    expect(checks.starts.filter((t) => t >= from)).toEqual([from, from + 5_000, from + 10_000]);
  });

  it('never runs a source twice at a time: what is asked meanwhile runs once, when the run in flight is done', async () => {
    const slow = probe('slow');
    const gates = [gate(), gate(), gate()];
    const store = storeOn('a', 1_000);
    const s = schedule(store, [local(slow, { work: (n) => gates[n - 1]!.promise })], () => ['slow']);
    s.start();
    await vi.advanceTimersByTimeAsync(5_000);
    s.refreshNow();
    s.refreshNow('slow');
    setUi(store, { intervalMs: 2_000 });
    await vi.advanceTimersByTimeAsync(5_000);
    expect(slow.starts).toEqual([0]);
    gates[0]!.open('done');
    await vi.advanceTimersByTimeAsync(0);
    // One more run at once for all that was asked, then the interval again.
    expect(slow.starts).toEqual([0, 10_000]);
    gates[1]!.open('done');
    await vi.advanceTimersByTimeAsync(2_000);
    expect(slow.starts).toEqual([0, 10_000, 12_000]);
    expect(slow.maxRunning).toBe(1);
  });

  it('runs the sources on the monitor connection one after the other, and the others beside them', async () => {
    const [a, b, files] = ['a', 'b', 'files'].map(probe) as [Probe, Probe, Probe];
    const slowQuery = gate();
    const slowFiles = gate();
    const store = storeOn('a', 1_000);
    schedule(store, [onMonitor(a, { work: () => slowQuery.promise }), onMonitor(b), local(files, { work: () => slowFiles.promise })], () => ['a', 'b', 'files'], {
      initialSession: fakeSession(1),
    }).start();
    await vi.advanceTimersByTimeAsync(500);
    // b waits for a on the connection; the directory listing is already running beside them.
    expect([a.starts, b.starts, files.starts]).toEqual([[0], [], [0]]);
    slowQuery.open('a');
    await vi.advanceTimersByTimeAsync(0);
    expect(b.starts).toEqual([500]);
    // The query refresh goes on at its interval while the listing still runs.
    await vi.advanceTimersByTimeAsync(2_000);
    expect(a.starts).toEqual([0, 1_500, 2_500]);
    expect(files.starts).toEqual([0]);
    expect(a.maxRunning + b.maxRunning).toBe(2);
  });

  it('behind a pooler, runs a refresh in one transaction: a failed source rolls it back and the next sources run in a new one', async () => {
    const [a, b, c] = ['a', 'b', 'c'].map(probe) as [Probe, Probe, Probe];
    const calls: string[] = [];
    const session: FakeSession = {
      ...fakeSession(1),
      pooler: 'PgBouncer 1.18.0',
      pooled: {
        begin: () => (calls.push('begin'), Promise.resolve()),
        recover: () => (calls.push('recover'), Promise.resolve()),
        end: () => (calls.push('end'), Promise.resolve()),
      },
    };
    const store = storeOn('a', 1_000);
    const failing = onMonitor(b, { work: () => (calls.push('b'), Promise.reject(Object.assign(new Error('permission denied'), { code: '42501' }))) });
    const refresh = schedule(
      store,
      [onMonitor(a, { work: () => (calls.push('a'), Promise.resolve('a')) }), failing, onMonitor(c, { work: () => (calls.push('c'), Promise.resolve('c')) })],
      () => ['a', 'b', 'c'],
      { initialSession: session },
    );
    await refresh.refresh();
    expect(calls).toEqual(['begin', 'a', 'b', 'recover', 'c', 'end']);
    expect(results(store).c?.rows).toEqual(['c']);
    expect(results(store).b?.disabled).toBeTruthy();
    // BEGIN and COMMIT count as round trips, and the ROLLBACK after the failure.
    expect(store.getState().data.lastRefresh?.queries).toBe(3 + 3);
  });

  it('writes one refresh of the monitor connection in one store update, with its round trips counted', async () => {
    const [header, health] = ['header', 'health'].map(probe) as [Probe, Probe];
    const seen: unknown[] = [];
    const store = storeOn('a', 1_000);
    const headerSource: PgSource = {
      ...onMonitor(header, { queries: 1 }),
      // What another source read in the same refresh, whichever ran first.
      land(data, value, context) {
        seen.push(context.sameRefresh('health'));
        (data.results as Record<string, Result>).header = { rows: [value], error: null, disabled: null };
      },
    };
    const s = schedule(store, [headerSource, onMonitor(health, { queries: 2 })], byScreen({ a: ['health'], b: [] }, ['header']), { initialSession: fakeSession(1) });
    let updates = 0;
    store.subscribe((state, previous) => {
      if (state.data !== previous.data) updates += 1;
    });
    await s.refresh();
    expect(updates).toBe(1);
    expect(store.getState().data.lastRefresh?.queries).toBe(3);
    expect(results(store).header?.rows).toEqual(['header #1']);
    expect(results(store).health?.rows).toEqual(['health #1']);
    setUi(store, { screen: 'b' });
    await s.refresh();
    expect(store.getState().data.lastRefresh?.queries).toBe(1);
    expect(seen).toEqual(['health #1', undefined]);
  });

  it('sends the due sources that are one statement each in one round trip, and runs them one by one when it fails', async () => {
    const [header, activity, statements] = ['header', 'activity', 'statements'].map(probe) as [Probe, Probe, Probe];
    const sent: string[] = [];
    let failBatch = false;
    const session = fakeSession(1);
    // The server answers a multi-statement query with one result per statement, as pg's simple query does.
    (session.client as unknown as { query: (sql: string) => Promise<unknown> }).query = (sql: string) => {
      sent.push(sql);
      if (failBatch) return Promise.reject(Object.assign(new Error('permission denied for function pg_blocking_pids'), { code: '42501' }));
      return Promise.resolve(sql.split(';\n').map((statement) => ({ rows: [{ said: statement }] })));
    };
    const batchable = (p: Probe, work?: (n: number) => Promise<unknown>): PgSource => ({
      ...onMonitor(p, { work }),
      batch: () => ({ sql: `SELECT '${p.id}'`, finish: (rows) => `${p.id} from ${String(rows[0]!.said)}` }),
    });
    const store = storeOn('a', 1_000);
    const s = schedule(
      store,
      [batchable(header), batchable(activity, () => Promise.reject(Object.assign(new Error('permission denied for function pg_blocking_pids'), { code: '42501' }))), onMonitor(statements)],
      byScreen({ a: ['activity', 'statements'] }, ['header']),
      { initialSession: session },
    );
    await s.refresh();
    expect(sent).toEqual([`SELECT 'header';\nSELECT 'activity'`]);
    expect(results(store).header?.rows).toEqual([`header from SELECT 'header'`]);
    expect(results(store).activity?.rows).toEqual([`activity from SELECT 'activity'`]);
    // The batch, then the source that is more than one statement, alone.
    expect(store.getState().data.lastRefresh?.queries).toBe(2);
    expect(statements.starts).toHaveLength(1);
    expect(header.starts).toHaveLength(0);

    // The batch fails: each runs alone, and the one that fails says so (switched off: the role may not).
    failBatch = true;
    await s.refresh();
    expect(sent).toHaveLength(2);
    expect(header.starts).toHaveLength(1);
    expect(activity.starts).toHaveLength(1);
    expect(results(store).header?.rows).toEqual(['header #1']);
    expect(results(store).activity?.error).toMatch(/permission denied/);
    expect(results(store).activity?.disabled).toBeTruthy();
    expect(store.getState().data.lastRefresh?.queries).toBe(1 + 3);

    // Switched off, activity is not sent again: the header alone runs as it always does.
    failBatch = false;
    await s.refresh();
    expect(sent).toHaveLength(2);
    expect(header.starts).toHaveLength(2);
  });

  it('switches off a source the role may not run (42501) and says why; rests one that timed out (57014); retries any other failure', async () => {
    const [refused, slow, flaky] = ['refused', 'slow', 'flaky'].map(probe) as [Probe, Probe, Probe];
    const pgError = (code: string, message: string) => Object.assign(new Error(message), { code });
    const store = storeOn('a', 1_000);
    schedule(
      store,
      [
        onMonitor(refused, { work: () => Promise.reject(pgError('42501', 'permission denied for table pg_authid')) }),
        onMonitor(slow, { work: (n) => (n === 1 ? Promise.reject(pgError('57014', 'canceling statement due to statement timeout')) : Promise.resolve('slow, at last')) }),
        onMonitor(flaky, { work: (n) => (n === 1 ? Promise.reject(pgError('XX000', 'boom')) : Promise.resolve('flaky, fine')) }),
      ],
      () => ['refused', 'slow', 'flaky'],
      { initialSession: fakeSession(1) },
    ).start();
    await vi.advanceTimersByTimeAsync(100);
    expect(results(store).refused).toEqual({
      rows: [],
      error: 'the refused source failed: permission denied for table pg_authid',
      disabled: 'the refused source is hidden: this role lacks the privilege (permission denied for table pg_authid); grant pg_monitor to see it',
    });
    expect(results(store).slow).toEqual({ rows: [], error: "the slow source took longer than the monitor's statement_timeout; trying again in 30 s", disabled: null });
    expect(results(store).flaky).toEqual({ rows: [], error: 'the flaky source failed: boom', disabled: null });

    await vi.advanceTimersByTimeAsync(1_000);
    expect(results(store).flaky).toEqual({ rows: ['flaky, fine'], error: null, disabled: null });
    await vi.advanceTimersByTimeAsync(28_000);
    expect(slow.starts).toEqual([0]);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(slow.starts).toEqual([0, 30_000]);
    expect(results(store).slow?.rows).toEqual(['slow, at last']);
    expect(refused.starts).toEqual([0]);
    expect(store.getState().connection.state).toBe('connected');
  });

  it('says a lost connection at once, keeps the last rows, and reconnects on the backoff schedule while the other sources go on', async () => {
    const [query, files] = ['query', 'files'].map(probe) as [Probe, Probe];
    const first = fakeSession(101);
    const second = fakeSession(102);
    const backoff = { firstMs: 100, maxMs: 400 };
    const refused = () => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    const connect = vi
      .fn<() => Promise<PgConnection>>()
      .mockRejectedValueOnce(refused())
      .mockRejectedValueOnce(refused())
      .mockRejectedValueOnce(refused())
      .mockResolvedValueOnce(second);
    const store = storeOn('a', 1_000);
    const work = (n: number) => (n === 2 ? Promise.reject(new Error('Connection terminated unexpectedly')) : Promise.resolve(`rows #${n}`));
    schedule(store, [onMonitor(query, { work }), local(files)], () => ['query', 'files'], { initialSession: first, connect, backoff, random: () => 1 }).start();
    await vi.advanceTimersByTimeAsync(10);
    expect(store.getState().connection).toMatchObject({ state: 'connected', ownPids: [101] });
    first.kill();
    await vi.advanceTimersByTimeAsync(0);
    // Noticed now, not at the next refresh, in the connection's own words; the countdown is the real one.
    expect(store.getState().connection).toMatchObject({
      state: 'reconnecting',
      lastError: 'terminating connection due to administrator command',
      retryAt: began + 10 + backoffDelay(0, backoff, () => 1),
    });
    expect(query.starts).toEqual([0, 10]);
    expect(results(store).query).toEqual({ rows: ['rows #1'], error: null, disabled: null });
    // Retries after 100, 200, 400, 400 ms (doubling to the cap); the fourth connects.
    const attempts: number[] = [];
    for (let t = 11; t <= 1_200; t++) {
      const calls = connect.mock.calls.length;
      await vi.advanceTimersByTimeAsync(1);
      if (connect.mock.calls.length > calls) attempts.push(now());
    }
    expect(attempts).toEqual([110, 310, 710, 1_110]);
    expect(store.getState().connection).toMatchObject({ state: 'connected', lastError: null, retryAt: null, ownPids: [102] });
    expect(query.starts).toEqual([0, 10, 1_110]);
    expect(results(store).query?.rows).toEqual(['rows #3']);
    // The other source went on meanwhile, every second.
    expect(files.starts).toEqual([0, 1_000]);
  });

  it('runs nothing while paused, and everything needed at once on resume', async () => {
    const a = probe('a');
    const store = storeOn('a', 1_000);
    schedule(store, [local(a)], () => ['a']).start();
    await vi.advanceTimersByTimeAsync(1_500);
    setUi(store, { paused: true });
    await vi.advanceTimersByTimeAsync(10_000);
    expect(a.starts).toEqual([0, 1_000]);
    setUi(store, { paused: false });
    await vi.advanceTimersByTimeAsync(0);
    expect(a.starts).toEqual([0, 1_000, 11_500]);
  });

  it('tells a source when it runs again after a time unneeded (a watch starts over, the guided session prepares its step)', async () => {
    const checks = probe('checks');
    const store = storeOn('a', 1_000);
    schedule(store, [local(checks)], byScreen({ learn: ['checks'] })).start();
    setUi(store, { screen: 'learn' });
    await vi.advanceTimersByTimeAsync(2_500);
    setUi(store, { screen: 'a' });
    await vi.advanceTimersByTimeAsync(2_000);
    setUi(store, { screen: 'learn' });
    await vi.advanceTimersByTimeAsync(1_500);
    expect(checks.resumed).toEqual([true, false, false, true, false]);
  });

  it('leaves out an id no source has, and refuses two sources of one id', async () => {
    const a = probe('a');
    const store = storeOn('a', 1_000);
    await schedule(store, [local(a)], () => ['ghost', 'a']).refresh();
    expect(a.starts).toEqual([0]);
    expect(() => new Scheduler({ store, sources: [local(a), local(probe('a'))], needed: () => [] })).toThrow('two sources have the id a');
  });
});

describe('Kubernetes permissions', () => {
  it('does not run a source whose Kubernetes need the review denied: it says which, before anything failed; the others run', async () => {
    const [logs, pods] = ['logs', 'pods'].map(probe) as [Probe, Probe];
    const store = storeOn('a');
    store.setState((s) => ({
      connection: {
        ...s.connection,
        kubeAccess: { namespace: 'development', rules: [{ verbs: ['get', 'list'], apiGroups: [''], resources: ['pods'] }], incomplete: false, reviews: {} },
      },
    }));
    const logSource = { ...local(logs), title: 'server log', kubeNeeds: [{ verb: 'get', resource: 'pods', subresource: 'log' }] };
    const podSource = { ...local(pods), kubeNeeds: [{ verb: 'list', resource: 'pods' }] };
    schedule(store, [logSource, podSource], () => ['logs', 'pods']).start();
    await vi.advanceTimersByTimeAsync(2_500);
    expect(logs.starts).toEqual([]);
    expect(results(store).logs).toMatchObject({ disabled: 'server log: needs get pods/log in development' });
    expect(pods.starts).toEqual([0, 1_000, 2_000]);
  });

  it('lets a source go (release) when it is no longer needed, and when the scheduler stops', async () => {
    const x = probe('x');
    let released = 0;
    const store = storeOn('a');
    const s = schedule(store, [{ ...local(x), release: () => (released += 1) }], byScreen({ a: ['x'] }));
    s.start();
    await vi.advanceTimersByTimeAsync(1_500);
    expect(released).toBe(0);
    setUi(store, { screen: 'b' });
    await vi.advanceTimersByTimeAsync(10);
    expect(released).toBe(1);
    await s.stop();
    expect(released).toBe(2);
  });
});
