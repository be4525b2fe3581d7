// The built binary in a real terminal (tmux) against the throwaway server:
// one action on each screen that has them — E creates pg_stat_statements,
// R rebuilds an unused index, v vacuums a bloated table — then config and
// health show what they should; the server is checked after each action.
import { afterEach, describe, expect, it } from 'vitest';
import { BIN, cleanEnv, serverArgs } from '../support/binary.js';
import { connect, createScratchDatabase, waitFor } from '../support/pg.js';
import { startTmux, type TmuxSession } from '../support/tmux.js';

let session: TmuxSession | undefined;
afterEach(async () => {
  await session?.kill();
  session = undefined;
});

describe('maintenance screens in a terminal', () => {
  it('E on statements, R on sizes, v on bloat change the server; config and health show it', async () => {
    const db = await createScratchDatabase('e2e_maint');
    const c = await connect({ database: db.name });
    try {
      await c.query(`
        CREATE TABLE orders (id int PRIMARY KEY, note text);
        INSERT INTO orders SELECT g, 'n' || g FROM generate_series(1, 1000) g;
        CREATE INDEX orders_note_unused ON orders (note);
        CREATE TABLE bloated (id int) WITH (autovacuum_enabled = false);
        INSERT INTO bloated SELECT generate_series(1, 1000);
        ANALYZE;
        DELETE FROM bloated WHERE id <= 700;
      `);
      await c.query(`ALTER DATABASE ${c.escapeIdentifier(db.name)} SET work_mem = '12MB'`);
      const relfilenode = async (name: string) => (await c.query('SELECT relfilenode AS f FROM pg_class WHERE relname = $1', [name])).rows[0].f as number;
      const indexBefore = await relfilenode('orders_note_unused');

      const { args, env } = serverArgs(db.name);
      session = await startTmux({
        command: [process.execPath, BIN, ...args, '-i', '1'],
        env: { ...(cleanEnv() as Record<string, string>), TERM: 'xterm-256color', ...env },
        cols: 120,
        rows: 32,
      });
      await session.waitForText('connected');

      // statements: not created in this database yet; E creates it.
      await session.sendText(':statements');
      await session.sendKey('Enter');
      await session.waitForText('press E to run CREATE EXTENSION');
      await session.sendText('E');
      await session.waitForText('will run: CREATE EXTENSION IF NOT EXISTS pg_stat_statements SCHEMA public;');
      await session.sendText('y');
      await session.waitForText(`created pg_stat_statements in ${db.name}`);
      expect((await c.query("SELECT 1 FROM pg_extension WHERE extname = 'pg_stat_statements'")).rowCount).toBe(1);
      await session.waitForText(/TOTAL\s+MEAN\s+CALLS/);

      // sizes → indexes: the unused index, rebuilt with R.
      await session.sendText(':sizes');
      await session.sendKey('Enter');
      await session.waitForText(/orders\s+1000/);
      await session.sendText('i');
      await session.waitForText(/orders_note_unused .*unused/);
      await session.sendText('/note_unused');
      await session.sendKey('Enter');
      await session.sendText('R');
      await session.waitForText('will run: REINDEX INDEX CONCURRENTLY public.orders_note_unused;');
      await session.sendText('y');
      await session.waitForText(/REINDEX INDEX CONCURRENTLY public\.orders_note_unused done in/);
      expect(await relfilenode('orders_note_unused')).not.toBe(indexBefore);

      // bloat: 700 dead tuples; v vacuums them.
      await session.sendText(':bloat');
      await session.sendKey('Enter');
      await session.waitForText(/bloated\s+300\s+700\s+70%\s+av off/);
      await session.sendText('/bloated');
      await session.sendKey('Enter');
      await session.sendText('v');
      await session.waitForText('will run: VACUUM (ANALYZE) public.bloated;');
      await session.sendText('y');
      await session.waitForText(/VACUUM \(ANALYZE\) public\.bloated done in/);
      await waitFor(
        async () => ((await c.query("SELECT n_dead_tup::int AS n FROM pg_stat_user_tables WHERE relname = 'bloated'")).rows[0].n === 0 ? true : undefined),
        { what: 'the dead tuples of bloated to be gone' },
      );
      await session.waitForText(/bloated\s+300\s+0\s+0%/);

      // config: the changed setting, readable, with its source.
      await session.sendText(':config');
      await session.sendKey('Enter');
      await session.waitForText(/•work_mem\s+12MB\s+4MB\s+database/);

      // health: the checks, and charts once two refreshes are in.
      await session.sendText(':health');
      await session.sendKey('Enter');
      await session.waitForText(/OK\s+connectivity[\s\S]*XID wraparound[\s\S]*TPS[\s\S]*[┼┤]/);

      await session.sendText('q');
      expect(await session.waitForExit(5_000)).toBe(0);
    } finally {
      await c.end();
      await db.drop();
    }
  });
});
