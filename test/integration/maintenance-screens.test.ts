// The statements, sizes, bloat, config and health screens against the real
// server: each scenario creates the condition (a bloated table after a mass
// delete, an unused and a duplicate index, a statement called 100 times, a
// changed setting), polls it with the real scheduler into the rendered App, and
// asserts what the screen shows; then presses the action's keys and checks
// what the server now holds.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openConnection } from '../../src/db/connection.js';
import { resolveConnection } from '../../src/db/connection-options.js';
import { DashboardScheduler } from '../../src/cli/dashboard-scheduler.js';
import type { PgtopStore } from '../../src/store/store.js';
import { connect, createScratchDatabase, pgInfo, waitFor, type ScratchDatabase } from '../support/pg.js';
import { renderApp, type RenderedApp } from '../support/render-app.js';

let db: ScratchDatabase;
let app: RenderedApp | undefined;
let scheduler: DashboardScheduler | undefined;

beforeAll(async () => {
  db = await createScratchDatabase('screens4');
  const c = await connect({ database: db.name });
  try {
    await c.query(`
      CREATE EXTENSION pg_stat_statements;
      -- Autovacuum off for it, so only the test's VACUUM removes its dead tuples.
      CREATE TABLE bloated (id int PRIMARY KEY, pad text) WITH (autovacuum_enabled = false);
      INSERT INTO bloated SELECT g, repeat('x', 100) FROM generate_series(1, 10000) g;
      CREATE TABLE orders (id int PRIMARY KEY, customer int, note text);
      INSERT INTO orders SELECT g, g % 50, 'n' || g FROM generate_series(1, 2000) g;
      CREATE INDEX orders_note_unused ON orders (note);
      CREATE INDEX orders_customer ON orders (customer);
      CREATE INDEX orders_customer_again ON orders (customer);
      ANALYZE;
      DELETE FROM bloated WHERE id <= 6000;
    `);
    await c.query(`ALTER DATABASE ${c.escapeIdentifier(db.name)} SET work_mem = '12MB'`);
  } finally {
    await c.end();
  }
});

afterAll(async () => {
  await db.drop();
});

function connection(database = db.name) {
  const info = pgInfo();
  return resolveConnection({ host: info.host, port: String(info.port), username: info.user, dbname: database }, { PGPASSWORD: info.password });
}

/** The App on a screen, fed by the real scheduler, with actions on a real actions connection. */
async function dashboard(screen: 'statements' | 'sizes' | 'bloat' | 'config' | 'health', database = db.name): Promise<{ app: RenderedApp; refresh(): Promise<void> }> {
  const conn = connection(database);
  app = renderApp({ screen, openActionSession: () => openConnection(conn, { purpose: 'action' }) });
  const store: PgtopStore = app.store;
  const session = await openConnection(conn, { purpose: 'monitor' });
  scheduler = new DashboardScheduler({ store, connect: () => openConnection(conn, { purpose: 'monitor' }), initialSession: session });
  const p = scheduler;
  const refresh = async () => {
    await p.refresh();
    // Let React draw the new rows.
    await new Promise((resolve) => setTimeout(resolve, 30));
  };
  await refresh();
  return { app, refresh };
}

async function closeDashboard() {
  app?.unmount();
  app = undefined;
  await scheduler?.stop();
  scheduler = undefined;
}

async function serverValue<T>(sql: string, params: unknown[] = []): Promise<T> {
  const c = await connect({ database: db.name });
  try {
    return (await c.query(sql, params)).rows[0] as T;
  } finally {
    await c.end();
  }
}

describe('bloat', () => {
  it('shows the dead tuples of a mass delete, and v then y vacuums them away', async () => {
    const { app, refresh } = await dashboard('bloat');
    try {
      await waitFor(
        async () => {
          await refresh();
          return /bloated\s+4000\s+6000\s+60%\s+av off/.test(app.frame());
        },
        { what: 'the bloated table with 6000 dead tuples on the bloat screen' },
      );
      const frame = app.frame();
      expect(frame).toMatch(/autovacuum on · naptime/);
      expect(frame).toMatch(/XID age: /);
      // The bloated table sorts first (most dead tuples) and is selected.
      await app.press('enter');
      expect(await app.waitFor('own autovacuum settings')).toContain('autovacuum_enabled=false');
      await app.press('escape', 'v');
      await app.waitFor('will run: VACUUM (ANALYZE) public.bloated;');
      await app.press('y');
      await app.waitFor(/VACUUM \(ANALYZE\) public\.bloated done in/, 10_000);
      const dead = await waitFor(
        async () => {
          const row = await serverValue<{ n: string }>("SELECT n_dead_tup AS n FROM pg_stat_user_tables WHERE relname = 'bloated'");
          return Number(row.n) === 0 ? row : undefined;
        },
        { what: 'n_dead_tup of bloated to drop to 0' },
      );
      expect(Number(dead.n)).toBe(0);
      await waitFor(
        async () => {
          await refresh();
          return /bloated\s+4000\s+0\s+0%/.test(app.frame());
        },
        { what: 'the screen to show no dead tuples' },
      );
    } finally {
      await closeDashboard();
    }
  });

  it('a then y analyzes the selected table: last_analyze is set', async () => {
    const c = await connect({ database: db.name });
    await c.query('CREATE TABLE fresh (id int); INSERT INTO fresh SELECT generate_series(1, 100)');
    await c.end();
    const { app, refresh } = await dashboard('bloat');
    try {
      await app.press('/', 'f', 'r', 'e', 's', 'h', 'enter');
      await waitFor(
        async () => {
          await refresh();
          return /fresh\s/.test(app.frame());
        },
        { what: 'the fresh table on the bloat screen' },
      );
      await app.press('a');
      await app.waitFor('will run: ANALYZE public.fresh;');
      await app.press('y');
      await app.waitFor(/ANALYZE public\.fresh done in/, 10_000);
      const row = await waitFor(
        async () => (await serverValue<{ at: Date | null }>("SELECT last_analyze AS at FROM pg_stat_user_tables WHERE relname = 'fresh'")).at ?? undefined,
        { what: 'last_analyze of fresh' },
      );
      expect(row).toBeInstanceOf(Date);
    } finally {
      await closeDashboard();
    }
  });
});

describe('sizes', () => {
  it('lists tables with their sizes, indexes with unused and duplicate flagged, and databases', async () => {
    const { app, refresh } = await dashboard('sizes');
    try {
      let frame = app.frame();
      expect(frame).toMatch(/t tables\s+i indexes\s+d databases/);
      // orders: 2000 rows, heap, TOAST, indexes and total sizes, 4 indexes.
      expect(frame).toMatch(/orders\s+2000(\s+\d+(\.\d)? (B|kB)){4}\s+4\n/);
      expect(frame).toMatch(/bloated\s+\S+\s+\d+(\.\d)? MB/);

      await app.press('i');
      await refresh();
      frame = await app.waitFor('FLAGS');
      expect(frame).toMatch(/orders_note_unused\s+orders\s+0 .*unused/);
      expect(frame).toMatch(/orders_customer\S*\s+orders .*dup of orders_c/);
      expect(frame).toMatch(/orders_pkey .* pk/);
      expect(frame).toMatch(/3 unused .*2 duplicate/);

      await app.press('d');
      await refresh();
      frame = await app.waitFor('DATABASE');
      expect(frame).toContain(`*${db.name}`);
      expect(frame).toMatch(/postgres\s+\d+(\.\d)? MB/);
    } finally {
      await closeDashboard();
    }
  });

  it('F rewrites the selected table after its name is typed: the relfilenode changes', async () => {
    const before = await serverValue<{ f: number }>("SELECT relfilenode AS f FROM pg_class WHERE relname = 'orders'");
    const { app } = await dashboard('sizes');
    try {
      await app.press('/', 'o', 'r', 'd', 'e', 'r', 's', 'enter');
      await app.waitFor(/1\/1/);
      await app.press('F');
      await app.waitFor('will run: VACUUM FULL public.orders;');
      // A wrong name runs nothing.
      await app.press('o', 'r', 'd', 'enter');
      await app.waitFor('typed "ord" is not "orders": nothing was run');
      await app.press('backspace', 'backspace', 'backspace', 'o', 'r', 'd', 'e', 'r', 's', 'enter');
      await app.waitFor(/VACUUM FULL public\.orders done in/, 10_000);
      const after = await serverValue<{ f: number }>("SELECT relfilenode AS f FROM pg_class WHERE relname = 'orders'");
      expect(after.f).not.toBe(before.f);
    } finally {
      await closeDashboard();
    }
  });

  it('R on an index rebuilds it concurrently: the index gets a new relfilenode', async () => {
    const before = await serverValue<{ f: number }>("SELECT relfilenode AS f FROM pg_class WHERE relname = 'orders_note_unused'");
    const { app, refresh } = await dashboard('sizes');
    try {
      await app.press('i');
      await refresh();
      await app.press('/', 'n', 'o', 't', 'e', '_', 'u', 'enter');
      await app.waitFor(/orders_note_unused/);
      await app.press('R');
      await app.waitFor('will run: REINDEX INDEX CONCURRENTLY public.orders_note_unused;');
      await app.press('y');
      await app.waitFor(/REINDEX INDEX CONCURRENTLY public\.orders_note_unused done in/, 10_000);
      const after = await serverValue<{ f: number }>("SELECT relfilenode AS f FROM pg_class WHERE relname = 'orders_note_unused'");
      expect(after.f).not.toBe(before.f);
    } finally {
      await closeDashboard();
    }
  });
});

describe('statements', () => {
  it('shows a statement called 100 times with its calls, rows and hit ratio; Enter shows it whole', async () => {
    const marker = `mk_${Date.now() % 100_000}`;
    const c = await connect({ database: db.name });
    for (let i = 0; i < 100; i++) await c.query(`SELECT count(*) AS ${marker} FROM orders WHERE customer = $1`, [i % 50]);
    await c.end();
    const { app, refresh } = await dashboard('statements');
    try {
      await app.press('/', ...marker, 'enter');
      await waitFor(
        async () => {
          await refresh();
          return app.frame().includes(marker) ? true : undefined;
        },
        { what: 'the marked statement on the statements screen' },
      );
      const frame = app.frame();
      const line = frame.split('\n').find((l) => l.includes(`AS ${marker}`))!;
      expect(line).toMatch(/\s100\s+100\s+\d+\.\d%/);
      expect(line).toContain(db.name.slice(0, 8));
      await app.press('enter');
      const detail = await app.waitFor('Statements: details');
      expect(detail).toContain(`SELECT count(*) AS ${marker} FROM orders WHERE customer = $1`);
      expect(detail).toMatch(/calls\s+100/);
    } finally {
      await closeDashboard();
    }
  });
});

describe('statements without the extension', () => {
  it('explains it is not created here, and E then y creates it: the statements appear', async () => {
    const bare = await createScratchDatabase('bare4');
    try {
      const { app, refresh } = await dashboard('statements', bare.name);
      try {
        await app.waitFor(`pg_stat_statements is preloaded but not created in database ${bare.name}: press E`);
        await app.press('E');
        await app.waitFor('will run: CREATE EXTENSION IF NOT EXISTS pg_stat_statements SCHEMA public;');
        await app.press('y');
        await app.waitFor(`created pg_stat_statements in ${bare.name}`, 10_000);
        const c = await connect({ database: bare.name });
        expect((await c.query("SELECT extversion FROM pg_extension WHERE extname = 'pg_stat_statements'")).rowCount).toBe(1);
        await c.end();
        await refresh();
        const frame = await app.waitFor('QUERY');
        expect(frame).toMatch(/TOTAL\s+MEAN\s+CALLS\s+ROWS\s+HIT%/);
        expect(app.store.getState().data.results.statements!.rows.length).toBeGreaterThan(0);
      } finally {
        await closeDashboard();
      }
    } finally {
      await bare.drop();
    }
  });
});

describe('config', () => {
  it('shows a changed setting in readable units with its source, and the key settings first', async () => {
    const { app } = await dashboard('config');
    try {
      await app.press('/', 'w', 'o', 'r', 'k', '_', 'm', 'e', 'm', 'enter');
      const frame = await app.waitFor(/work_mem\s+12MB\s+4MB\s+database/);
      expect(frame).toMatch(/•work_mem/);
      await app.press('escape');
      const all = await app.waitFor('•max_connections');
      // The seed's settings come first, in readable units.
      expect(all).toMatch(/•shared_buffers\s+\d+(MB|GB|kB)/);
    } finally {
      await closeDashboard();
    }
  });
});

describe('health', () => {
  it('shows every check with its number, and charts once there are samples', async () => {
    const { app, refresh } = await dashboard('health');
    try {
      for (let i = 0; i < 3; i++) await refresh();
      const frame = app.frame();
      for (const check of ['connectivity', 'connections', 'cache hit ratio', 'long-running queries', 'idle in transaction', 'lock waits', 'XID wraparound']) {
        expect(frame).toMatch(new RegExp(`(OK|WARN|ALARM)\\s+${check}`));
      }
      expect(frame).toMatch(/database size\s+\S+ \d+(\.\d)? MB/);
      expect(frame).toMatch(/TPS/);
      // Eleven checks fill a 24-row terminal; the charts come where there is room under them.
      expect(app.store.getState().data.history.length).toBe(4);
      await app.resize(100, 40);
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(app.frame()).toMatch(/┼|┤/);
    } finally {
      await closeDashboard();
    }
  });
});
