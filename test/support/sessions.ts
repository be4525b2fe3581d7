// Real sessions that create the conditions pgtop must show: a row-lock
// chain (one session idle in transaction holding a row, others waiting),
// a long query. Each helper returns what a test needs to clean up.
import type pg from 'pg';
import { connect, waitFor } from './pg.js';

export interface LockChain {
  blocker: pg.Client;
  blockerPid: number;
  waiterPids: number[];
  /** Settles when each waiter's UPDATE finishes (or fails). */
  waiterDone: Promise<unknown>[];
  table: string;
  close(): Promise<void>;
}

/** One session holds a row lock idle in transaction; `waiters` sessions queue behind it. */
export async function createLockChain(database: string, waiters = 2, table = 'accounts'): Promise<LockChain> {
  const setup = await connect({ database });
  await setup.query(`CREATE TABLE IF NOT EXISTS ${table} (id int PRIMARY KEY, balance int NOT NULL)`);
  await setup.query(`INSERT INTO ${table} VALUES (1, 100) ON CONFLICT (id) DO NOTHING`);
  await setup.end();

  const blocker = await connect({ database, applicationName: 'blocker' });
  const blockerPid = (await blocker.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
  await blocker.query('BEGIN');
  await blocker.query(`UPDATE ${table} SET balance = balance - 1 WHERE id = 1`);

  // pg_stat_activity is a snapshot per transaction: watch from outside the blocker's.
  const watcher = await connect({ database, applicationName: 'lock-chain-watcher' });
  const waiterClients: pg.Client[] = [];
  const waiterPids: number[] = [];
  const waiterDone: Promise<unknown>[] = [];
  for (let i = 0; i < waiters; i += 1) {
    const client = await connect({ database, applicationName: `waiter${i + 1}` });
    waiterClients.push(client);
    waiterPids.push((await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid);
    waiterDone.push(client.query(`UPDATE ${table} SET balance = balance + 1 WHERE id = 1`).catch((error: unknown) => error));
    // Wait until this one queues, so the chain has a stable order.
    const pid = waiterPids[i]!;
    await waitFor(
      async () => {
        const r = await watcher.query("SELECT 1 FROM pg_stat_activity WHERE pid = $1 AND wait_event_type = 'Lock'", [pid]);
        return r.rowCount === 1;
      },
      { what: `waiter ${pid} to wait on the lock` },
    );
  }
  await watcher.end();
  return {
    blocker,
    blockerPid,
    waiterPids,
    waiterDone,
    table,
    async close() {
      await Promise.all([blocker, ...waiterClients].map((c) => c.end().catch(() => undefined)));
    },
  };
}
