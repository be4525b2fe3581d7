// The maintenance actions on the real server, through the action runner as
// the keys start them: names that need quoting cannot inject SQL, a table
// dropped since the refresh and a lock timeout are said plainly, the
// dashboard goes on, and --read-only refuses them all.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actionRequest } from '../../src/actions/action.js';
import { analyzeDatabase, analyzeTable, reindex, vacuumAnalyze, vacuumFull, type MaintenanceTarget } from '../../src/actions/maintenance.js';
import { ActionRunner } from '../../src/actions/runner.js';
import { openConnection } from '../../src/db/connection.js';
import { resolveConnection } from '../../src/db/connection-options.js';
import type { IndexUsage, TableSize } from '../../src/model/sizes.js';
import { DashboardScheduler } from '../../src/cli/dashboard-scheduler.js';
import { createPgtopStore, setUi, type PgtopStore } from '../../src/store/store.js';
import { connect, createScratchDatabase, pgInfo, waitFor, type ScratchDatabase } from '../support/pg.js';

let db: ScratchDatabase;
// Quotes, spaces, capitals, a semicolon with a statement after it, unicode.
const SCHEMA = 'Sales "EU"; DROP TABLE victim; --';
const TABLE = 'Orders 📦 "2024"; DROP TABLE victim; --';
const INDEX = 'Idx ✓ "x"; DROP TABLE victim; --';

beforeAll(async () => {
  db = await createScratchDatabase('actions4');
  const c = await connect({ database: db.name });
  try {
    const schema = c.escapeIdentifier(SCHEMA);
    const table = `${schema}.${c.escapeIdentifier(TABLE)}`;
    await c.query(`
      CREATE TABLE victim (id int);
      CREATE SCHEMA ${schema};
      CREATE TABLE ${table} (id int PRIMARY KEY, "Note" text);
      INSERT INTO ${table} SELECT g, 'n' || g FROM generate_series(1, 500) g;
      CREATE INDEX ${c.escapeIdentifier(INDEX)} ON ${table} ("Note");
      DELETE FROM ${table} WHERE id <= 200;
      CREATE TABLE doomed (id int);
      CREATE TABLE held (id int);
    `);
  } finally {
    await c.end();
  }
});

afterAll(async () => {
  await db.drop();
});

function connection() {
  const info = pgInfo();
  return resolveConnection({ host: info.host, port: String(info.port), username: info.user, dbname: db.name }, { PGPASSWORD: info.password });
}

function runner(store: PgtopStore): ActionRunner {
  const conn = connection();
  return new ActionRunner(store, () => openConnection(conn, { purpose: 'action' }), { connection: conn });
}

/** The sizes screen's rows, as the scheduler reads them: the names come back quoted by the server. */
async function sizesRows(): Promise<{ tables: TableSize[]; indexes: IndexUsage[] }> {
  const conn = connection();
  const store = createPgtopStore({ screen: 'sizes' });
  const scheduler = new DashboardScheduler({ store, connect: () => openConnection(conn, { purpose: 'monitor' }), initialSession: await openConnection(conn, { purpose: 'monitor' }) });
  try {
    await scheduler.refresh();
    setUi(store, { screenMode: { sizes: 'indexes' } });
    await scheduler.refresh();
    const results = store.getState().data.results;
    return { tables: results.sizeTables!.rows, indexes: results.sizeIndexes!.rows };
  } finally {
    await scheduler.stop();
  }
}

async function run(store: PgtopStore, r: ActionRunner, spec: typeof vacuumAnalyze, target: MaintenanceTarget, typed?: string) {
  r.request(actionRequest(spec, target), 'key');
  const overlay = store.getState().ui.overlay;
  expect(overlay.kind).toBe('confirm');
  if (typed !== undefined && overlay.kind === 'confirm') expect(overlay.action.typeToConfirm).toBe(typed);
  await r.confirm();
  return store.getState().ui.status!;
}

async function relfilenode(name: string): Promise<number> {
  const c = await connect({ database: db.name });
  try {
    return (await c.query('SELECT relfilenode AS f FROM pg_class WHERE relname = $1', [name])).rows[0].f as number;
  } finally {
    await c.end();
  }
}

describe('maintenance with names that need quoting', () => {
  it('runs VACUUM, ANALYZE, VACUUM FULL and REINDEX on them, quoted by the server, and injects nothing', async () => {
    const { tables, indexes } = await sizesRows();
    const table = tables.find((t) => t.table === TABLE)!;
    const index = indexes.find((i) => i.index === INDEX)!;
    expect(table.qualified).toBe('"Sales ""EU""; DROP TABLE victim; --"."Orders 📦 ""2024""; DROP TABLE victim; --"');
    expect(index.qualifiedIndex).toBe('"Sales ""EU""; DROP TABLE victim; --"."Idx ✓ ""x""; DROP TABLE victim; --"');
    const version = pgInfo().serverVersionNum;
    const store = createPgtopStore();
    const r = runner(store);
    try {
      const target: MaintenanceTarget = { table, serverVersionNum: version };
      let status = await run(store, r, vacuumAnalyze, target);
      expect(status).toEqual({ kind: 'success', text: expect.stringMatching(/^VACUUM \(ANALYZE\) "Sales ""EU""; DROP TABLE victim; --"\."Orders 📦 ""2024""; DROP TABLE victim; --" done in/) });
      const dead = await waitFor(
        async () => {
          const c = await connect({ database: db.name });
          const row = (await c.query('SELECT n_dead_tup::int AS n, last_vacuum FROM pg_stat_user_tables WHERE relname = $1', [TABLE])).rows[0];
          await c.end();
          return row.last_vacuum ? row : undefined;
        },
        { what: 'the vacuum to show in pg_stat_user_tables' },
      );
      expect(dead.n).toBe(0);

      status = await run(store, r, analyzeTable, target);
      expect(status.kind).toBe('success');

      const heapBefore = await relfilenode(TABLE);
      status = await run(store, r, vacuumFull, target, TABLE);
      expect(status.kind).toBe('success');
      expect(await relfilenode(TABLE)).not.toBe(heapBefore);

      const indexBefore = await relfilenode(INDEX);
      const indexTarget: MaintenanceTarget = { table, index: { name: index.index, qualified: index.qualifiedIndex }, serverVersionNum: version };
      status = await run(store, r, reindex, indexTarget);
      expect(status).toEqual({ kind: 'success', text: expect.stringMatching(/^REINDEX INDEX CONCURRENTLY "Sales ""EU""; DROP TABLE victim; --"\."Idx ✓ ""x""; DROP TABLE victim; --" done in/) });
      expect(await relfilenode(INDEX)).not.toBe(indexBefore);

      status = await run(store, r, reindex, target);
      expect(status.text).toMatch(/^REINDEX TABLE CONCURRENTLY .* done in/);

      // Every "; DROP TABLE victim" stayed inside a name.
      const c = await connect({ database: db.name });
      expect((await c.query("SELECT count(*)::int AS n FROM pg_class WHERE relname = 'victim'")).rows[0].n).toBe(1);
      await c.end();
    } finally {
      await r.close();
    }
  });
});

describe('the whole database', () => {
  it('ANALYZE; on the databases list analyzes every table of the connected database', async () => {
    const c = await connect({ database: db.name });
    await c.query('CREATE TABLE late (id int); INSERT INTO late SELECT generate_series(1, 50)');
    const store = createPgtopStore();
    const r = runner(store);
    try {
      r.request(actionRequest(analyzeDatabase, { database: db.name, current: true, connectedTo: db.name }), 'key');
      expect(store.getState().ui.overlay).toMatchObject({ kind: 'confirm', action: { sql: 'ANALYZE;' } });
      await r.confirm();
      expect(store.getState().ui.status).toEqual({ kind: 'success', text: expect.stringMatching(new RegExp(`^ANALYZE of database ${db.name} done in`)) });
      const analyzed = await waitFor(
        async () => (await c.query("SELECT last_analyze FROM pg_stat_user_tables WHERE relname = 'late'")).rows[0]?.last_analyze ?? undefined,
        { what: 'last_analyze of the table created just before' },
      );
      expect(analyzed).toBeInstanceOf(Date);
    } finally {
      await r.close();
      await c.end();
    }
  });
});

describe('when the action cannot run', () => {
  it('says a table dropped since the last refresh no longer exists, and the next action still runs', async () => {
    const { tables } = await sizesRows();
    const doomed = tables.find((t) => t.table === 'doomed')!;
    const c = await connect({ database: db.name });
    await c.query('DROP TABLE doomed');
    await c.end();
    const store = createPgtopStore();
    const r = runner(store);
    try {
      const status = await run(store, r, vacuumAnalyze, { table: doomed, serverVersionNum: pgInfo().serverVersionNum });
      expect(status).toEqual({
        kind: 'error',
        text: 'VACUUM (ANALYZE) public.doomed; failed: table public.doomed no longer exists (dropped or renamed since the last refresh); nothing was run',
      });
      const held = tables.find((t) => t.table === 'held')!;
      expect((await run(store, r, analyzeTable, { table: held, serverVersionNum: pgInfo().serverVersionNum })).kind).toBe('success');
    } finally {
      await r.close();
    }
  });

  it('gives up after the lock timeout when another session holds the table, and says so', async () => {
    const { tables } = await sizesRows();
    const held = tables.find((t) => t.table === 'held')!;
    const holder = await connect({ database: db.name });
    await holder.query('BEGIN; LOCK TABLE held IN ACCESS EXCLUSIVE MODE');
    const store = createPgtopStore();
    const r = runner(store);
    try {
      const started = Date.now();
      const status = await run(store, r, vacuumFull, { table: held, serverVersionNum: pgInfo().serverVersionNum }, 'held');
      expect(status.kind).toBe('error');
      expect(status.text).toMatch(/^VACUUM FULL public\.held; failed: lock timeout: another session holds a lock on table public\.held/);
      expect(status.text).toContain('nothing was changed');
      // The actions connection's lock_timeout is 5 s: it did not wait forever.
      expect(Date.now() - started).toBeLessThan(15_000);
    } finally {
      await holder.query('ROLLBACK');
      await holder.end();
      await r.close();
    }
  });

  it('reports a VACUUM the server skipped for lack of privilege as a failure, not a success', async () => {
    const role = `weak4_${Date.now()}`;
    const admin = await connect({ database: db.name });
    await admin.query(`CREATE ROLE ${role} LOGIN PASSWORD 'weak-pass-4'`);
    const { tables } = await sizesRows();
    const held = tables.find((t) => t.table === 'held')!;
    const info = pgInfo();
    const conn = resolveConnection({ host: info.host, port: String(info.port), username: role, dbname: db.name }, { PGPASSWORD: 'weak-pass-4' });
    const store = createPgtopStore();
    const r = new ActionRunner(store, () => openConnection(conn, { purpose: 'action' }), { connection: conn });
    try {
      const status = await run(store, r, vacuumAnalyze, { table: held, serverVersionNum: info.serverVersionNum });
      expect(status.kind).toBe('error');
      expect(status.text).toMatch(/failed: the server skipped it: .*(permission denied|only table or database owner)/);
    } finally {
      await r.close();
      await admin.query(`DROP ROLE ${role}`).catch(() => undefined);
      await admin.end();
    }
  });

  it('refuses every maintenance action under --read-only, running nothing', async () => {
    const { tables } = await sizesRows();
    const held = tables.find((t) => t.table === 'held')!;
    const store = createPgtopStore({ readOnly: true });
    const r = runner(store);
    const before = await relfilenode('held');
    try {
      for (const spec of [vacuumAnalyze, analyzeTable, vacuumFull, reindex]) {
        r.request(actionRequest(spec, { table: held, serverVersionNum: pgInfo().serverVersionNum }), 'key');
        expect(store.getState().ui.overlay.kind).toBe('none');
        expect(store.getState().ui.status).toEqual({ kind: 'error', text: `read-only mode: refused to run ${spec.sql({ table: held, serverVersionNum: pgInfo().serverVersionNum }, {})}` });
      }
      expect(await relfilenode('held')).toBe(before);
    } finally {
      await r.close();
    }
  });
});
