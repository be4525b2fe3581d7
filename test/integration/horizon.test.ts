// The vacuum horizon named, and prepared transactions as lock holders, on a
// real server of our own (max_prepared_transactions > 0, wal_level logical):
// a session idle in a REPEATABLE READ transaction keeps dead tuples that
// VACUUM must leave (the server's VACUUM VERBOSE says so), and pgtop says who
// and how old in v's outcome, the bloat rows and panel, and health; a row
// locked by PREPARE TRANSACTION puts the prepared transaction at the root of
// the lock tree, and ROLLBACK PREPARED from a connection on another database
// lets the waiter through; a logical slot's catalog_xmin is named as such.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rollbackPrepared } from '../../src/actions/prepared.js';
import { vacuumAnalyze } from '../../src/actions/maintenance.js';
import { DashboardScheduler } from '../../src/cli/dashboard-scheduler.js';
import { openConnection } from '../../src/db/connection.js';
import { resolveConnection } from '../../src/db/connection-options.js';
import { startLocalCluster, type LocalCluster } from '../../src/localcluster/cluster.js';
import { blockingTree } from '../../src/model/locks.js';
import { createPgtopStore } from '../../src/store/store.js';
import { bloatPanel, bloatView, nextVacuumText } from '../../screens/bloat/view.js';
import { healthChecks } from '../../screens/health/view.js';
import { connected, waitFor } from '../support/pg.js';

let cluster: LocalCluster;
const open: pg.Client[] = [];

beforeAll(async () => {
  cluster = await startLocalCluster({ settings: { max_prepared_transactions: '10', wal_level: 'logical' } });
  const admin = await client('postgres');
  await admin.query('CREATE DATABASE shop');
  await admin.query('CREATE DATABASE other');
}, 60_000);

afterAll(async () => {
  await Promise.all(open.map((c) => c.end().catch(() => undefined)));
  await cluster?.stop();
});

async function client(database: string, application = 'pgtop-test'): Promise<pg.Client> {
  const c = await connected(new pg.Client({ host: cluster.host, port: cluster.port, user: cluster.user, password: cluster.password, database, application_name: application }));
  open.push(c);
  return c;
}

function connection(database: string) {
  return resolveConnection({ host: cluster.host, port: String(cluster.port), username: cluster.user, dbname: database }, { PGPASSWORD: cluster.password });
}

/** One refresh of a screen's sources, as the dashboard runs them. */
async function refreshed(screen: 'bloat' | 'health' | 'locks', database = 'shop') {
  const conn = connection(database);
  const store = createPgtopStore({ screen });
  const scheduler = new DashboardScheduler({ store, connect: () => openConnection(conn, { purpose: 'monitor' }), initialSession: await openConnection(conn, { purpose: 'monitor' }) });
  try {
    await scheduler.refresh();
    return store.getState();
  } finally {
    await scheduler.stop();
  }
}

async function pidOf(c: pg.Client): Promise<number> {
  return (await c.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
}

describe('the vacuum horizon', () => {
  it('names the session idle in REPEATABLE READ that keeps dead tuples: in v, the bloat rows and panel, and health', async () => {
    const setup = await client('shop');
    await setup.query('CREATE TABLE bloated (id int) WITH (autovacuum_enabled = false); INSERT INTO bloated SELECT generate_series(1, 1000)');
    const holder = await client('shop', 'reporting');
    const holderPid = await pidOf(holder);
    await holder.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
    await holder.query('SELECT count(*) FROM bloated');
    await setup.query('DELETE FROM bloated WHERE id <= 700');

    // What the server says: VACUUM leaves the 700, dead but not yet removable.
    const notices: string[] = [];
    setup.on('notice', (n) => notices.push(`${n.message ?? ''} ${n.detail ?? ''}`));
    await setup.query('VACUUM (VERBOSE) bloated');
    expect(notices.join('\n')).toMatch(/700 are dead but not yet removable/);

    const actions = await openConnection(connection('shop'), { purpose: 'action' });
    try {
      const target = { table: { schema: 'public', table: 'bloated', qualified: 'public.bloated' }, serverVersionNum: cluster.serverVersionNum };
      const message = await vacuumAnalyze.run({ client: async () => actions.client, onMonitor: (run) => run(actions.client), progress: () => undefined, env: {} }, target, {});
      expect(message).toMatch(
        new RegExp(`^VACUUM \\(ANALYZE\\) public\\.bloated done in .*; 700 dead tuples not yet removable: the oldest xmin is held by pid ${holderPid} \\(postgres, shop, reporting, idle in transaction\\): \\d+ xids, \\S+ old; K ends pid ${holderPid}`),
      );

      const bloat = await refreshed('bloat');
      const row = bloatView.rows(bloat).find((r) => r.table.table === 'bloated')!;
      expect(row.heldBy).toMatchObject({ kind: 'backend', pid: holderPid, user: 'postgres', state: 'idle in transaction' });
      expect(nextVacuumText(row)).toBe('held');
      expect(bloatPanel(bloat.data).map((l) => l.text).join('\n')).toMatch(new RegExp(`vacuum horizon: pid ${holderPid} \\(postgres, shop, reporting, idle in transaction\\) holds the oldest xmin, \\d+ xids, \\S+ old · K ends pid ${holderPid}`));
      expect(bloatView.actions!.terminateBackend!(row, bloat)!.target).toMatchObject({ pid: holderPid });

      const health = healthChecks(await refreshed('health'));
      expect(health.find((c) => c.id === 'horizon')!.value).toMatch(new RegExp(`^\\d+ xids, \\S+ old: pid ${holderPid} \\(postgres, shop, reporting, idle in transaction\\)$`));

      // The session ends its transaction: the same VACUUM removes them, and nothing is named.
      await holder.query('COMMIT');
      const after = await vacuumAnalyze.run({ client: async () => actions.client, onMonitor: (run) => run(actions.client), progress: () => undefined, env: {} }, target, {});
      expect(after).toMatch(/^VACUUM \(ANALYZE\) public\.bloated done in [^;]*$/);
      const clean = await refreshed('bloat');
      expect(bloatView.rows(clean).find((r) => r.table.table === 'bloated')).toMatchObject({ heldBy: null, table: { deadTuples: 0 } });
    } finally {
      await actions.close();
    }
  });

  it('names a logical slot by its catalog_xmin, which holds back the system catalogs only', async () => {
    const setup = await client('shop');
    await setup.query("SELECT pg_create_logical_replication_slot('pgtop_slot', 'test_decoding')");
    try {
      const state = await refreshed('health');
      const slot = state.data.results.horizon!.rows.find((h) => h.name === 'pgtop_slot')!;
      expect(slot).toMatchObject({ kind: 'catalog slot', state: 'inactive', holdsHere: false, database: 'shop' });
      expect(healthChecks(state).find((c) => c.id === 'horizon')!.value).toMatch(/^\d+ xids old: replication slot pgtop_slot \(catalog_xmin: system catalogs only, inactive\)$/);
      // Not this database's tables: the bloat screen does not blame it.
      const bloat = await refreshed('bloat');
      expect(bloatPanel(bloat.data).map((l) => l.text)).toContain('vacuum horizon: nothing holds an old xmin');
    } finally {
      await setup.query("SELECT pg_drop_replication_slot('pgtop_slot')");
    }
  });
});

describe('prepared transactions', () => {
  it('are the root of the lock tree their waiters sit under, and ROLLBACK PREPARED from another database lets them through', async () => {
    const setup = await client('shop');
    await setup.query('CREATE TABLE accounts (id int PRIMARY KEY, balance int); INSERT INTO accounts VALUES (1, 100)');
    const gid = `pgtop's "x" 1`;
    const preparer = await client('shop', 'preparer');
    await preparer.query('BEGIN');
    await preparer.query('UPDATE accounts SET balance = 0 WHERE id = 1');
    await preparer.query(`PREPARE TRANSACTION ${preparer.escapeLiteral(gid)}`);
    const waiter = await client('shop', 'waiter');
    const waiterPid = await pidOf(waiter);
    const done = waiter.query('UPDATE accounts SET balance = balance + 1 WHERE id = 1 RETURNING balance');
    // Awaited below; a failed test must not leave its rejection unhandled when the server stops.
    done.catch(() => undefined);
    await waitFor(async () => (await setup.query("SELECT 1 FROM pg_stat_activity WHERE application_name = 'waiter' AND wait_event_type = 'Lock'")).rowCount === 1, { what: 'the waiter to wait' });

    const state = await refreshed('locks', 'other');
    const tree = blockingTree(state.data.results.locks!.rows);
    expect(tree.map((r) => [r.depth, r.participant.kind, r.participant.prepared?.gid ?? r.participant.pid])).toEqual([
      [0, 'prepared', gid],
      [1, 'backend', waiterPid],
    ]);
    expect(tree[0]!.participant).toMatchObject({ user: 'postgres', database: 'shop', state: 'prepared' });
    expect(tree[1]!.participant).toMatchObject({ blockedBy: [], blockedByPrepared: [gid], blockedByUnknown: false, lockType: 'transactionid' });

    // The horizon names it too.
    const horizon = (await refreshed('health', 'shop')).data.results.horizon!.rows;
    expect(horizon.find((h) => h.kind === 'prepared')).toMatchObject({ name: gid, user: 'postgres', database: 'shop', holdsHere: true });

    // The actions connection is on another database: the statement runs in shop.
    const actions = await openConnection(connection('other'), { purpose: 'action' });
    try {
      const target = { gid, owner: 'postgres', database: 'shop', xid: tree[0]!.participant.prepared!.xid, seconds: 1, waiters: 1 };
      expect(rollbackPrepared.sql(target, {})).toBe(`ROLLBACK PREPARED 'pgtop''s "x" 1';`);
      const message = await rollbackPrepared.run({ client: async () => actions.client, onMonitor: (run) => run(actions.client), progress: () => undefined, env: { connection: connection('other') } }, target, {});
      expect(message).toBe(`rolled back prepared transaction '${gid}' in shop`);
    } finally {
      await actions.close();
    }
    expect((await done).rows[0]).toEqual({ balance: 101 });
    expect((await setup.query('SELECT count(*)::int AS n FROM pg_prepared_xacts')).rows[0]).toEqual({ n: 0 });
  });
});
