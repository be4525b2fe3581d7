// The logs screen on a direct connection, against real servers: a throwaway
// cluster with the logging collector on (its newest log file's tail, then the
// lines written since, an ERROR among them), a role that may list the files
// (pg_monitor) but not read them until EXECUTE is granted, and the shared
// test server, which logs to stderr (logging_collector off).
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DashboardScheduler } from '../../src/cli/dashboard-scheduler.js';
import { openConnection } from '../../src/db/connection.js';
import { resolveConnection } from '../../src/db/connection-options.js';
import { startLocalCluster, type LocalCluster } from '../../src/localcluster/cluster.js';
import { logSeverity } from '../../src/model/server-log.js';
import { createPgtopStore, type PgtopStore } from '../../src/store/store.js';
import { logRows } from '../../screens/logs/view.js';
import { pgInfo } from '../support/pg.js';

let cluster: LocalCluster;
const READER = { user: 'log_reader', password: 'reader-pass-7' };

beforeAll(async () => {
  cluster = await startLocalCluster({ settings: { logging_collector: 'on', log_min_messages: 'warning' } });
  const admin = new pg.Client({ host: cluster.host, port: cluster.port, user: cluster.user, password: cluster.password, database: 'postgres' });
  await admin.connect();
  await admin.query(`CREATE ROLE ${READER.user} LOGIN PASSWORD '${READER.password}' IN ROLE pg_monitor`);
  await admin.end();
}, 60_000);
afterAll(async () => {
  await cluster?.stop();
});

function connectionTo(server: { host: string; port: number }, user: string, password: string) {
  return resolveConnection({ host: server.host, port: String(server.port), username: user, dbname: 'postgres' }, { PGPASSWORD: password });
}

async function logsScheduler(conn: ReturnType<typeof connectionTo>): Promise<{ store: PgtopStore; scheduler: DashboardScheduler }> {
  const store = createPgtopStore({ screen: 'logs' });
  const scheduler = new DashboardScheduler({ store, connect: () => openConnection(conn, { purpose: 'monitor' }), initialSession: await openConnection(conn, { purpose: 'monitor' }) });
  return { store, scheduler };
}

const texts = (store: PgtopStore) => logRows(store.getState()).map((l) => l.text);

describe('the server log over SQL (direct connection)', () => {
  it("reads the newest log file's tail, then only what the server wrote since: an ERROR appears, in the alert tone", async () => {
    const { store, scheduler } = await logsScheduler(connectionTo(cluster, cluster.user, cluster.password));
    try {
      await scheduler.refresh();
      const result = store.getState().data.results.serverLog!;
      expect(result.error).toBeNull();
      expect(result.rows[0]!.origin).toMatch(/^log\/postgresql-.*\.log$/);
      expect(texts(store).some((t) => t.includes('starting PostgreSQL'))).toBe(true);
      const first = texts(store);

      const client = new pg.Client({ host: cluster.host, port: cluster.port, user: cluster.user, password: cluster.password, database: 'postgres' });
      await client.connect();
      await client.query('SELECT 1/0').catch(() => undefined);
      await client.end();
      // The collector writes through a pipe: give it a moment.
      let after: string[] = [];
      for (let i = 0; i < 50 && !after.some((t) => t.includes('division by zero')); i++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        await scheduler.refresh();
        after = texts(store);
      }
      const error = after.find((t) => t.includes('division by zero'))!;
      expect(error).toMatch(/ERROR: {2}division by zero/);
      expect(logSeverity(error)).toBe('alert');
      // Appended after what was read before, nothing read twice.
      expect(after.slice(0, first.length)).toEqual(first);
      expect(after.filter((t) => t.includes('starting PostgreSQL'))).toHaveLength(1);
    } finally {
      await scheduler.stop();
    }
  });

  it('says a pg_monitor role needs EXECUTE on pg_read_binary_file, and reads once it is granted', async () => {
    const denied = await logsScheduler(connectionTo(cluster, READER.user, READER.password));
    try {
      await denied.scheduler.refresh();
      expect(denied.store.getState().data.results.serverLog!.disabled).toMatch(/^server log: reading the log files needs EXECUTE on pg_read_binary_file, or superuser/);
    } finally {
      await denied.scheduler.stop();
    }
    const admin = new pg.Client({ host: cluster.host, port: cluster.port, user: cluster.user, password: cluster.password, database: 'postgres' });
    await admin.connect();
    await admin.query(`GRANT EXECUTE ON FUNCTION pg_read_binary_file(text, bigint, bigint, boolean) TO ${READER.user}`);
    await admin.end();
    const granted = await logsScheduler(connectionTo(cluster, READER.user, READER.password));
    try {
      await granted.scheduler.refresh();
      expect(granted.store.getState().data.results.serverLog!.disabled).toBeNull();
      expect(texts(granted.store).some((t) => t.includes('starting PostgreSQL'))).toBe(true);
    } finally {
      await granted.scheduler.stop();
    }
  });

  it('says the server logs to stderr when the logging collector is off (the shared test server)', async () => {
    const info = pgInfo();
    const { store, scheduler } = await logsScheduler(connectionTo(info, info.user, info.password));
    try {
      await scheduler.refresh();
      expect(store.getState().data.results.serverLog!.disabled).toMatch(/^server log: the server logs to stderr \(logging_collector is off/);
    } finally {
      await scheduler.stop();
    }
  });
});
