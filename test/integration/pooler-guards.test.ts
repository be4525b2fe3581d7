// Behind PgBouncer in transaction mode each transaction may run on another
// server connection, and PgBouncer resets nothing there: pgtop's guards and
// timeouts must hold for every refresh and read of its own, and must not
// stay behind on the pool's server connections for the application.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { DashboardScheduler } from '../../src/cli/dashboard-scheduler.js';
import { resolveConnection } from '../../src/db/connection-options.js';
import { openConnection, type PgConnection } from '../../src/db/connection.js';
import { createPgtopStore } from '../../src/store/store.js';
import { actionRequest } from '../../src/actions/action.js';
import { vacuumAnalyze } from '../../src/actions/maintenance.js';
import { ActionRunner } from '../../src/actions/runner.js';
import { connected, pgInfo } from '../support/pg.js';
import { pgbouncerVersion, startPgBouncer, type PgBouncer } from '../support/pgbouncer.js';

describe('pgtop behind PgBouncer in transaction mode', () => {
  let bouncer: PgBouncer;
  const clients: pg.Client[] = [];
  beforeAll(async () => {
    const info = pgInfo();
    bouncer = await startPgBouncer({ host: info.host, port: info.port, user: info.user, password: info.password }, 'transaction');
  });
  afterAll(async () => {
    for (const client of clients) await client.end().catch(() => undefined);
    await bouncer?.stop();
  });

  const viaBouncer = () =>
    resolveConnection(
      { host: bouncer.host, port: String(bouncer.port), username: pgInfo().user, dbname: 'postgres' },
      { PGPASSWORD: pgInfo().password, PGSSLMODE: 'disable' },
    );
  /** An application's client of the pool. */
  async function application(): Promise<pg.Client> {
    const info = pgInfo();
    const client = await connected(new pg.Client({ host: bouncer.host, port: bouncer.port, user: info.user, password: info.password, database: 'postgres' }));
    clients.push(client);
    return client;
  }
  const settingsOf = async (client: pg.ClientBase) =>
    (await client.query<{ path: string; timeout: string }>("SELECT current_setting('search_path') AS path, current_setting('statement_timeout') AS timeout")).rows[0];

  it('sees the pooler, leaves no setting on the pool, and runs every refresh and read with the guards', async () => {
    const session: PgConnection = await openConnection(viaBouncer(), { purpose: 'monitor' });
    const store = createPgtopStore({ screen: 'activity' });
    const scheduler = new DashboardScheduler({ store, initialSession: session });
    try {
      expect(session.pooler).toBe(`PgBouncer ${pgbouncerVersion()}`);
      expect(store.getState().connection.pooler).toBe(`PgBouncer ${pgbouncerVersion()}`);
      // The server connection pgtop's login ran on is the pool's next (LIFO): the application's defaults there.
      const app = await application();
      expect(await settingsOf(app)).toEqual({ path: '"$user", public', timeout: '0' });
      // The application holds that server connection in a transaction: pgtop's next reads get another one.
      await app.query('BEGIN');
      await settingsOf(app);
      const seen = await scheduler.onMonitor((s) => settingsOf(s.client));
      expect(seen).toEqual({ path: 'pg_catalog, pg_temp', timeout: '3s' });
      await scheduler.refresh();
      const state = store.getState();
      expect(state.data.results.activity?.error ?? null).toBeNull();
      expect(state.data.results.activity?.rows.length).toBeGreaterThan(0);
      await app.query('COMMIT');
      // Nothing of pgtop's stays behind on the pool.
      expect(await settingsOf(app)).toEqual({ path: '"$user", public', timeout: '0' });
    } finally {
      await scheduler.stop();
    }
  });

  it('refuses VACUUM and the other actions that would run unguarded on any server connection; nothing reaches the server', async () => {
    const session: PgConnection = await openConnection(viaBouncer(), { purpose: 'monitor' });
    const store = createPgtopStore({ screen: 'sizes' });
    const scheduler = new DashboardScheduler({ store, initialSession: session });
    let opened = 0;
    const runner = new ActionRunner(store, () => {
      opened += 1;
      return openConnection(viaBouncer(), { purpose: 'action' });
    });
    try {
      const table = { schema: 'public', table: 'accounts', qualified: 'public.accounts' };
      runner.request(actionRequest(vacuumAnalyze, { table, serverVersionNum: session.serverVersionNum }), 'public.accounts');
      expect(store.getState().ui.status?.text).toBe(
        `refused behind PgBouncer ${pgbouncerVersion()}: VACUUM (ANALYZE) public.accounts; would run on whichever server connection the pooler gives, without pgtop's guards and timeouts; connect to the server itself for it`,
      );
      expect(store.getState().ui.overlay.kind).toBe('none');
      expect(opened).toBe(0);
    } finally {
      await runner.close();
      await scheduler.stop();
    }
  });
});

