// The built binary against a server of our own (max_prepared_transactions
// > 0): a session idle in REPEATABLE READ holding dead tuples is named in
// --once --json of bloat, health and activity; a prepared transaction is the
// root of the lock tree, and in a terminal X rolls it back (pgtop connected
// to another database) and the waiter behind it is done.
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startLocalCluster, type LocalCluster } from '../../src/localcluster/cluster.js';
import { BIN, cleanEnv, runPgtop } from '../support/binary.js';
import { connected, waitFor } from '../support/pg.js';
import { startTmux, type TmuxSession } from '../support/tmux.js';

let cluster: LocalCluster;
const clients: pg.Client[] = [];
let session: TmuxSession | undefined;

beforeAll(async () => {
  cluster = await startLocalCluster({ settings: { max_prepared_transactions: '10' } });
  const admin = await client('postgres');
  await admin.query('CREATE DATABASE shop');
}, 60_000);

afterEach(async () => {
  await session?.kill();
  session = undefined;
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.end().catch(() => undefined)));
  await cluster?.stop();
});

async function client(database: string, application = 'pgtop-e2e'): Promise<pg.Client> {
  const c = await connected(new pg.Client({ host: cluster.host, port: cluster.port, user: cluster.user, password: cluster.password, database, application_name: application }));
  clients.push(c);
  return c;
}

function server(database: string) {
  return { args: ['-h', cluster.host, '-p', String(cluster.port), '-U', cluster.user, '-d', database], env: { PGPASSWORD: cluster.password } };
}

async function onceJson(database: string, screen: string) {
  const { args, env } = server(database);
  const run = await runPgtop([...args, '--once', '--json', '--screen', screen], env);
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  return JSON.parse(run.stdout) as { rows: Record<string, unknown>[] };
}

describe('the vacuum horizon in --once', () => {
  it('names the session whose snapshot keeps dead tuples: bloat says held by its pid, health names it, activity marks it', async () => {
    const setup = await client('shop');
    await setup.query('CREATE TABLE bloated (id int) WITH (autovacuum_enabled = false); INSERT INTO bloated SELECT generate_series(1, 1000)');
    const holder = await client('shop', 'reporting');
    const holderPid = (await holder.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
    await holder.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
    await holder.query('SELECT count(*) FROM bloated');
    await setup.query('DELETE FROM bloated WHERE id <= 700');
    await setup.query('VACUUM bloated');
    try {
      const bloat = await onceJson('shop', 'bloat');
      const row = bloat.rows.find((r) => r.table === 'bloated')!;
      expect(row).toMatchObject({ deadTuples: 700, heldBy: { kind: 'backend', pid: holderPid, user: 'postgres', database: 'shop', application: 'reporting', state: 'idle in transaction' } });
      expect((row.heldBy as { xidAge: number }).xidAge).toBeGreaterThan(0);

      const health = await onceJson('shop', 'health');
      expect(health.rows.find((c) => c.id === 'horizon')).toMatchObject({ name: 'vacuum horizon', value: expect.stringMatching(new RegExp(`old: pid ${holderPid} \\(postgres, shop, reporting, idle in transaction\\)$`)) });

      const activity = await onceJson('shop', 'activity');
      expect(activity.rows.find((b) => b.pid === holderPid)).toMatchObject({ holdsHorizon: true, xminAge: expect.any(Number) });
      expect(activity.rows.filter((b) => b.holdsHorizon)).toHaveLength(1);

      const { args, env } = server('shop');
      const text = await runPgtop([...args, '--once', '--screen', 'bloat'], env);
      expect(text.stdout).toMatch(/bloated\s+300\s+700\s+70%\s+held/);
    } finally {
      await holder.query('COMMIT');
    }
  });
});

describe('prepared transactions', () => {
  it('are the root of the lock tree in --once; X in a terminal rolls one back in its own database and its waiter is done', async () => {
    const setup = await client('shop');
    await setup.query('CREATE TABLE accounts (id int PRIMARY KEY, balance int); INSERT INTO accounts VALUES (1, 100)');
    const preparer = await client('shop', 'preparer');
    await preparer.query('BEGIN');
    await preparer.query('UPDATE accounts SET balance = 0 WHERE id = 1');
    await preparer.query("PREPARE TRANSACTION 'e2e-gid'");
    const waiter = await client('shop', 'waiter');
    const waiterPid = (await waiter.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
    const done = waiter.query('UPDATE accounts SET balance = balance + 1 WHERE id = 1 RETURNING balance');
    // Awaited below; a failed test must not leave its rejection unhandled when the server stops.
    done.catch(() => undefined);
    await waitFor(async () => (await setup.query("SELECT 1 FROM pg_stat_activity WHERE application_name = 'waiter' AND wait_event_type = 'Lock'")).rowCount === 1, { what: 'the waiter to wait' });

    const locks = await onceJson('postgres', 'locks');
    expect(locks.rows.map((r) => [r.depth, r.kind, r.kind === 'prepared' ? (r.prepared as { gid: string }).gid : r.pid])).toEqual([
      [0, 'prepared', 'e2e-gid'],
      [1, 'backend', waiterPid],
    ]);
    expect(locks.rows[0]).toMatchObject({ user: 'postgres', database: 'shop', waiterCount: 1 });
    expect(locks.rows[1]).toMatchObject({ blockedBy: [], blockedByPrepared: ['e2e-gid'] });

    // pgtop on another database than the prepared transaction's.
    const { args, env } = server('postgres');
    session = await startTmux({
      command: [process.execPath, BIN, ...args, '-i', '1', '--screen', 'locks'],
      env: { ...(cleanEnv() as Record<string, string>), TERM: 'xterm-256color', ...env },
      cols: 120,
      rows: 30,
    });
    await session.waitForText(/prepared\s+postgres\s+shop\s+prepared\s+blocks 1/);
    await session.waitForText(new RegExp(`└ ${waiterPid}\\s`));
    await session.sendText('X');
    await session.waitForText("will run: ROLLBACK PREPARED 'e2e-gid';");
    await session.sendText('y');
    await session.waitForText("rolled back prepared transaction 'e2e-gid' in shop");
    expect((await done).rows[0]).toEqual({ balance: 101 });
    expect((await setup.query('SELECT count(*)::int AS n FROM pg_prepared_xacts')).rows[0]).toEqual({ n: 0 });
    await session.waitForText('no session is waiting on a lock, and no transaction is prepared');
  });
});
