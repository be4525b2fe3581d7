// The scheduler, the query registry and the actions against the real server.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actionRequest } from '../../src/actions/action.js';
import { ActionRunner } from '../../src/actions/runner.js';
import { cancelQuery, terminateBackend } from '../../src/actions/backend.js';
import { openConnection } from '../../src/db/connection.js';
import { resolveConnection } from '../../src/db/connection-options.js';
import type { Backend } from '../../src/model/activity.js';
import { blockingTree } from '../../src/model/locks.js';
import { DashboardScheduler } from '../../src/cli/dashboard-scheduler.js';
import { createPgtopStore, type PgtopStore } from '../../src/store/store.js';
import { connect, createScratchDatabase, pgInfo, waitFor, type ScratchDatabase } from '../support/pg.js';
import { createLockChain } from '../support/sessions.js';

let db: ScratchDatabase;
beforeAll(async () => {
  db = await createScratchDatabase('scheduler');
});
afterAll(async () => {
  await db.drop();
});

function connection(overrides: { user?: string; password?: string; database?: string } = {}) {
  const info = pgInfo();
  return resolveConnection(
    { host: info.host, port: String(info.port), username: overrides.user ?? info.user, dbname: overrides.database ?? db.name },
    { PGPASSWORD: overrides.password ?? info.password },
  );
}

async function schedulerOn(store: PgtopStore, conn = connection()): Promise<DashboardScheduler> {
  const session = await openConnection(conn, { purpose: 'monitor' });
  return new DashboardScheduler({ store, connect: () => openConnection(conn, { purpose: 'monitor' }), initialSession: session, backoff: { firstMs: 100, maxMs: 300 } });
}

describe('scheduler on a real server', () => {
  it('fills the header and the activity rows in one round trip per refresh, marking its own session', async () => {
    const other = await connect({ database: db.name, applicationName: 'checkout-service' });
    await other.query('SELECT 1');
    const store = createPgtopStore({ screen: 'activity' });
    const scheduler = await schedulerOn(store);
    try {
      await scheduler.refresh();
      const state = store.getState();
      expect(state.connection.state).toBe('connected');
      expect(state.connection.serverVersionNum).toBe(pgInfo().serverVersionNum);
      expect(state.data.header).toMatchObject({ database: db.name, user: 'postgres' });
      expect(state.data.header!.maxConnections).toBeGreaterThan(0);
      expect(state.data.lastRefresh?.queries).toBe(1);
      const rows = state.data.results.activity!.rows;
      const mine = rows.find((b) => b.pid === state.connection.ownPids[0]);
      expect(mine?.application).toBe('pgtop');
      expect(rows.find((b) => b.application === 'checkout-service')).toMatchObject({ state: 'idle', query: 'SELECT 1', database: db.name });
      // The locks query is not polled while the activity screen shows.
      expect(state.data.results.locks).toBeUndefined();
    } finally {
      await scheduler.stop();
      await other.end();
    }
  });

  it('asks the server two statements per refresh in one round trip on the activity and locks screens, as the server itself counts them', async () => {
    // A role of its own, so pg_stat_statements tells its statements apart from every other test's.
    const role = `scheduler_count_${randomBytes(4).toString('hex')}`;
    const password = randomBytes(12).toString('hex');
    const admin = await connect({ database: db.name });
    await admin.query(`CREATE ROLE ${role} LOGIN PASSWORD '${password}' IN ROLE pg_monitor`);
    await admin.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
    const toplevel = pgInfo().serverVersionNum >= 140000 ? 'AND toplevel' : '';
    const statements = async () => {
      const r = await admin.query(
        `SELECT coalesce(sum(calls), 0)::int AS calls FROM pg_stat_statements s JOIN pg_roles r ON r.oid = s.userid WHERE r.rolname = $1 ${toplevel}`,
        [role],
      );
      return r.rows[0].calls as number;
    };
    // Someone waits, so the locks query reads the lock table and pg_blocking_pids() runs.
    const chain = await createLockChain(db.name, 2, 'counted');
    try {
      for (const screen of ['activity', 'locks'] as const) {
        const store = createPgtopStore({ screen });
        const scheduler = await schedulerOn(store, connection({ user: role, password }));
        try {
          await scheduler.refresh(); // the first refresh may also ask what the server supports
          const before = await statements();
          for (let i = 0; i < 3; i += 1) await scheduler.refresh();
          expect((await statements()) - before).toBe(6);
          // The header's and the screen's statements, sent as one multi-statement query.
          expect(store.getState().data.lastRefresh?.queries).toBe(1);
          const rows = store.getState().data.results[screen]!.rows as { pid: number }[];
          expect(rows.map((r) => r.pid)).toEqual(expect.arrayContaining(chain.waiterPids));
        } finally {
          await scheduler.stop();
        }
      }
    } finally {
      await chain.close();
      await admin.query(`DROP ROLE ${role}`);
      await admin.end();
    }
  });

  it('runs the monitor with application_name=pgtop and short statement and lock timeouts', async () => {
    const session = await openConnection(connection(), { purpose: 'monitor' });
    try {
      const r = await session.client.query("SELECT current_setting('application_name') a, current_setting('statement_timeout') s, current_setting('lock_timeout') l");
      expect(r.rows[0]).toEqual({ a: 'pgtop', s: '3s', l: '500ms' });
    } finally {
      await session.close();
    }
  });

  it('builds the blocking tree of a real lock chain, and terminating the blocker frees the waiters', async () => {
    const chain = await createLockChain(db.name, 2);
    const store = createPgtopStore({ screen: 'locks' });
    const scheduler = await schedulerOn(store);
    const runner = new ActionRunner(store, () => openConnection(connection(), { purpose: 'action' }));
    try {
      await scheduler.refresh();
      const participants = store.getState().data.results.locks!.rows;
      // Other tests may hold locks on the same server at the same time: look at this chain's subtree.
      const tree = blockingTree(participants);
      const root = tree.find((r) => r.depth === 0 && r.participant.pid === chain.blockerPid);
      expect(root).toMatchObject({ waiterCount: 2, participant: { state: 'idle in transaction' } });
      const waiters = tree.filter((r) => r.key.startsWith(`${chain.blockerPid}/`)).map((r) => r.participant);
      expect(waiters.map((w) => w.pid).sort()).toEqual([...chain.waiterPids].sort());
      for (const w of waiters) {
        // Schema-qualified: pgtop's search_path holds pg_catalog alone, so regclass names every user table with its schema.
        expect(w.relation).toBe('public.accounts');
        expect(w.mode).toMatch(/ShareLock|ExclusiveLock/);
        expect(w.waitSeconds).toBeGreaterThanOrEqual(0);
      }

      runner.request(actionRequest(terminateBackend, { pid: chain.blockerPid, user: 'postgres', database: db.name, state: 'idle in transaction', query: '' }), 'k');
      expect(store.getState().ui.overlay.kind).toBe('confirm');
      await runner.confirm();
      expect(store.getState().ui.status).toEqual({ text: `terminated pid ${chain.blockerPid}`, kind: 'success' });
      // The waiters finish, and the server no longer has the blocker.
      const outcomes = await Promise.all(chain.waiterDone);
      expect(outcomes.every((o) => !(o instanceof Error))).toBe(true);
      const check = await connect({ database: db.name });
      const gone = await check.query('SELECT count(*)::int AS n FROM pg_stat_activity WHERE pid = $1', [chain.blockerPid]);
      expect(gone.rows[0].n).toBe(0);
      const balance = await check.query('SELECT balance FROM accounts WHERE id = 1');
      expect(balance.rows[0].balance).toBe(102);
      await check.end();
      // The action ran on its own connection, also marked as pgtop's.
      expect(store.getState().connection.ownPids).toHaveLength(2);
    } finally {
      await runner.close();
      await scheduler.stop();
      await chain.close();
    }
  });

  it('cancels a running query', async () => {
    const sleeper = await connect({ database: db.name, applicationName: 'sleeper' });
    const pid = (await sleeper.query('SELECT pg_backend_pid() AS pid')).rows[0].pid as number;
    const sleeping = sleeper.query('SELECT pg_sleep(60)').catch((error: unknown) => error);
    const store = createPgtopStore();
    const runner = new ActionRunner(store, () => openConnection(connection(), { purpose: 'action' }));
    try {
      await waitFor(async () => (await connect({ database: db.name }).then(async (c) => {
        const r = await c.query("SELECT 1 FROM pg_stat_activity WHERE pid = $1 AND query LIKE 'SELECT pg_sleep%' AND state = 'active'", [pid]);
        await c.end();
        return r.rowCount === 1;
      })), { what: 'the sleeper to run' });
      runner.request(actionRequest(cancelQuery, { pid, user: 'postgres', database: db.name, state: 'active', query: 'SELECT pg_sleep(60)' }), 'k');
      await runner.confirm();
      const error = (await sleeping) as { code?: string };
      expect(error.code).toBe('57014');
      expect(store.getState().ui.status?.text).toBe(`cancel sent to pid ${pid}`);
    } finally {
      await runner.close();
      await sleeper.end();
    }
  });

  it('reports the server\'s error verbatim when an action is not allowed, and keeps going', async () => {
    const admin = await connect();
    const role = `weak_${Date.now()}`;
    await admin.query(`CREATE ROLE ${role} LOGIN PASSWORD 'weak-pass-123'`);
    const victim = await connect({ database: db.name });
    const victimPid = (await victim.query('SELECT pg_backend_pid() AS pid')).rows[0].pid as number;
    const store = createPgtopStore();
    const runner = new ActionRunner(store, () => openConnection(connection({ user: role, password: 'weak-pass-123' }), { purpose: 'action' }));
    try {
      runner.request(actionRequest(terminateBackend, { pid: victimPid, user: 'postgres', database: db.name, state: 'idle', query: '' }), 'k');
      await runner.confirm();
      const status = store.getState().ui.status!;
      expect(status.kind).toBe('error');
      expect(status.text).toMatch(/^SELECT pg_terminate_backend\(\d+\); failed: permission denied to terminate process|must be a (superuser|member of the role)/);
      expect((await victim.query('SELECT 1 AS ok')).rows[0].ok).toBe(1);
    } finally {
      await runner.close();
      await victim.end();
      await admin.query(`DROP ROLE ${role}`);
      await admin.end();
    }
  });
});

describe('a role without superuser', () => {
  it('with pg_monitor sees every session; without it, others are marked hidden, not an error', async () => {
    const admin = await connect();
    const suffix = Date.now();
    const monitor = `monitor_${suffix}`;
    const plain = `plain_${suffix}`;
    await admin.query(`CREATE ROLE ${monitor} LOGIN PASSWORD 'monitor-pass-123' IN ROLE pg_monitor`);
    await admin.query(`CREATE ROLE ${plain} LOGIN PASSWORD 'plain-pass-123'`);
    const busy = await connect({ database: db.name, applicationName: 'busy-app' });
    await busy.query("SELECT 'secret query text'");
    try {
      for (const [role, password, seesAll] of [[monitor, 'monitor-pass-123', true], [plain, 'plain-pass-123', false]] as const) {
        for (const screen of ['activity', 'locks'] as const) {
          const store = createPgtopStore({ screen });
          const scheduler = await schedulerOn(store, connection({ user: role, password }));
          await scheduler.refresh();
          await scheduler.stop();
          const state = store.getState();
          expect(state.connection.state).toBe('connected');
          expect(state.data.header?.user).toBe(role);
          const result = state.data.results[screen]!;
          expect(result.error).toBeNull();
          expect(result.disabled).toBeNull();
          if (screen === 'activity') {
            const busyPid = (busy as unknown as { processID: number }).processID;
            const row = (result.rows as Backend[]).find((b) => b.pid === busyPid);
            if (!row) throw new Error(`no row for ${busyPid} among ${JSON.stringify(result.rows)}`);
            expect(row?.hidden).toBe(!seesAll);
            expect(row?.query).toBe(seesAll ? "SELECT 'secret query text'" : '');
          }
        }
      }
    } finally {
      await busy.end();
      await admin.query(`DROP ROLE ${monitor}`);
      await admin.query(`DROP ROLE ${plain}`);
      await admin.end();
    }
  });
});

describe('losing the connection', () => {
  it('notices at once, not at the next refresh: reconnecting, then connected again, well within a 30 s interval', async () => {
    const store = createPgtopStore({ intervalMs: 30_000 });
    const scheduler = await schedulerOn(store);
    const admin = await connect();
    try {
      scheduler.start();
      await scheduler.firstRefresh;
      const firstPid = store.getState().connection.ownPids[0]!;
      const states: string[] = [];
      const unsubscribe = store.subscribe((s, prev) => {
        if (s.connection.state !== prev.connection.state) states.push(s.connection.state);
      });
      const killedAt = Date.now();
      await admin.query('SELECT pg_terminate_backend($1)', [firstPid]);
      await waitFor(async () => store.getState().connection.state === 'connected' && store.getState().connection.ownPids[0] !== firstPid, {
        what: 'a new monitor session',
        timeoutMs: 5_000,
      });
      unsubscribe();
      expect(states).toEqual(['reconnecting', 'connected']);
      expect(Date.now() - killedAt).toBeLessThan(3_000);
    } finally {
      await scheduler.stop();
      await admin.end();
    }
  });

  it('says reconnecting and carries on with a new session when its backend is terminated', async () => {
    const store = createPgtopStore();
    const scheduler = await schedulerOn(store);
    const admin = await connect();
    try {
      await scheduler.refresh();
      const firstPid = store.getState().connection.ownPids[0]!;
      await admin.query('SELECT pg_terminate_backend($1)', [firstPid]);
      await waitFor(async () => !(await admin.query('SELECT 1 FROM pg_stat_activity WHERE pid = $1', [firstPid])).rowCount, { what: 'the monitor backend to end' });
      await scheduler.refresh();
      expect(store.getState().connection.state).toBe('reconnecting');
      expect(store.getState().connection.lastError).toMatch(/terminat/i);
      // The last rows stay on screen while reconnecting.
      expect(store.getState().data.results.activity!.rows.length).toBeGreaterThan(0);
      await scheduler.refresh();
      const state = store.getState().connection;
      expect(state.state).toBe('connected');
      expect(state.ownPids[0]).not.toBe(firstPid);
      expect(state.ownPids).not.toContain(firstPid);
    } finally {
      await scheduler.stop();
      await admin.end();
    }
  });
});
