// The server a monitor watches during the benchmark: a database of N small
// tables (each with a primary key and a second index), and M sessions in
// the states an incident shows — most idle, some running queries, a few
// waiting on a row lock that an idle-in-transaction session holds.
// Everything is bounded: the active sessions loop only until stop() (or the
// deadline given), then every connection is closed.
import pg from 'pg';
import type { LocalCluster } from '../../src/localcluster/cluster.js';

export interface Scale {
  name: 'small' | 'large';
  tables: number;
  /** Sessions in all: 1 blocker + waiters + active + the rest idle. */
  connections: number;
  active: number;
  waiters: number;
}

export const SCALES: Record<Scale['name'], Scale> = {
  small: { name: 'small', tables: 20, connections: 30, active: 6, waiters: 3 },
  large: { name: 'large', tables: 2_000, connections: 300, active: 40, waiters: 10 },
};

export const BENCH_DATABASE = 'bench';

export interface Workload {
  blockerPid: number;
  waiterPids: number[];
  activePids: number[];
  idlePids: number[];
  stop(): Promise<void>;
}

export function superuserClient(cluster: LocalCluster, database: string = BENCH_DATABASE, applicationName = 'bench-setup'): pg.Client {
  const client = new pg.Client({
    host: cluster.host,
    port: cluster.port,
    user: cluster.user,
    password: cluster.password,
    database,
    application_name: applicationName,
  });
  // A session ended at stop() may report its error here; the workload does not care.
  client.on('error', () => {});
  return client;
}

/** Creates the bench database with `tables` tables t1…tN (id primary key, account indexed, 20 rows each). */
export async function createSchema(cluster: LocalCluster, tables: number): Promise<void> {
  const admin = superuserClient(cluster, 'postgres');
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${BENCH_DATABASE} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${BENCH_DATABASE}`);
  } finally {
    await admin.end();
  }
  const client = superuserClient(cluster);
  await client.connect();
  try {
    await client.query('CREATE TABLE hot (id int PRIMARY KEY, balance int NOT NULL)');
    await client.query('INSERT INTO hot SELECT g, 100 FROM generate_series(1, 10) g');
    await client.query(`DO $$ BEGIN FOR i IN 1..${tables} LOOP
        EXECUTE format('CREATE TABLE t%s (id int PRIMARY KEY, account int NOT NULL, note text)', i);
        EXECUTE format('CREATE INDEX t%s_account_idx ON t%s (account)', i, i);
        EXECUTE format('INSERT INTO t%s SELECT g, g %% 7, md5(g::text) FROM generate_series(1, 20) g', i);
      END LOOP; END $$`);
    await client.query('ANALYZE');
  } finally {
    await client.end();
  }
}

async function pidOf(client: pg.Client): Promise<number> {
  return (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
}

async function openMany(cluster: LocalCluster, count: number, applicationName: string): Promise<pg.Client[]> {
  const clients: pg.Client[] = [];
  // In batches: scram's key derivation makes each connect cost a few ms of CPU on both sides.
  for (let i = 0; i < count; i += 20) {
    const batch = Array.from({ length: Math.min(20, count - i) }, () => superuserClient(cluster, BENCH_DATABASE, applicationName));
    await Promise.all(batch.map((c) => c.connect()));
    clients.push(...batch);
  }
  return clients;
}

/** Starts the sessions of `scale` and returns once every one is in its state. */
export async function startWorkload(cluster: LocalCluster, scale: Scale, deadlineMs: number): Promise<Workload> {
  const idleCount = scale.connections - 1 - scale.waiters - scale.active;
  const watcher = superuserClient(cluster, BENCH_DATABASE, 'bench-watcher');
  await watcher.connect();

  const [blocker] = await openMany(cluster, 1, 'bench-blocker');
  const blockerPid = await pidOf(blocker!);
  await blocker!.query('BEGIN');
  await blocker!.query('UPDATE hot SET balance = balance - 1 WHERE id = 1');

  const waiters = await openMany(cluster, scale.waiters, 'bench-waiter');
  const waiterPids = await Promise.all(waiters.map(pidOf));
  const waiting = waiters.map((c) => c.query('UPDATE hot SET balance = balance + 1 WHERE id = 1').catch(() => undefined));

  const idle = await openMany(cluster, idleCount, 'bench-idle');
  const idlePids = await Promise.all(idle.map(pidOf));
  // Each idle session last ran a different query, as an application's pool would have.
  await Promise.all(idle.map((c, i) => c.query(`SELECT id, account, note FROM t${(i % scale.tables) + 1} WHERE id = $1`, [i % 20 + 1])));

  const active = await openMany(cluster, scale.active, 'bench-active');
  const activePids = await Promise.all(active.map(pidOf));
  let running = true;
  const deadline = Date.now() + deadlineMs;
  // Each active session: a short indexed read, then a query that stays
  // active 1–3 s (sleeping, so 40 of them do not eat the 2 cores the
  // monitors are measured on), again and again until stop or the deadline.
  const loops = active.map(async (client, i) => {
    for (let round = 0; running && Date.now() < deadline; round += 1) {
      const table = `t${((i * 37 + round) % scale.tables) + 1}`;
      try {
        await client.query(`SELECT count(*) FROM ${table} WHERE account = $1`, [round % 7]);
        await client.query(`SELECT pg_sleep($1), (SELECT sum(id) FROM ${table} WHERE account = $2) /* report ${i} */`, [1 + ((i + round) % 3), i % 7]);
      } catch {
        return; // ended by stop()
      }
    }
  });

  // Ready when every waiter waits on the lock and every active session has started its first query.
  for (let tries = 0; ; tries += 1) {
    const r = await watcher.query<{ waiting: number; active: number }>(
      `SELECT count(*) FILTER (WHERE wait_event_type = 'Lock')::int AS waiting,
              count(*) FILTER (WHERE application_name = 'bench-active' AND state = 'active')::int AS active
       FROM pg_stat_activity WHERE datname = $1`,
      [BENCH_DATABASE],
    );
    if (r.rows[0]!.waiting === scale.waiters && r.rows[0]!.active >= scale.active / 2) break;
    if (tries > 300) throw new Error(`workload did not settle: ${JSON.stringify(r.rows[0])}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await watcher.end();

  return {
    blockerPid,
    waiterPids,
    activePids,
    idlePids,
    async stop() {
      running = false;
      await blocker!.query('ROLLBACK').catch(() => undefined);
      await Promise.all(waiting);
      // Active sessions end when their current query does (at most 3 s); ending the connections ends them at once.
      await Promise.all([blocker!, ...waiters, ...idle, ...active].map((c) => c.end().catch(() => undefined)));
      await Promise.all(loops);
    },
  };
}

/** pg_stat_statements in the postgres database, where the benchmark reads and resets it. */
export async function createExtension(cluster: LocalCluster): Promise<void> {
  const client = superuserClient(cluster, 'postgres');
  await client.connect();
  try {
    await client.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
  } finally {
    await client.end();
  }
}

/** A LOGIN role with pg_monitor per tool, so pg_stat_statements attributes each tool's server time to it. */
export async function createMonitorRole(cluster: LocalCluster, role: string, password: string): Promise<void> {
  const client = superuserClient(cluster, 'postgres');
  await client.connect();
  try {
    await client.query(`DROP ROLE IF EXISTS ${client.escapeIdentifier(role)}`);
    await client.query(`CREATE ROLE ${client.escapeIdentifier(role)} LOGIN PASSWORD ${client.escapeLiteral(password)} IN ROLE pg_monitor`);
  } finally {
    await client.end();
  }
}
