// The built binary in tmux when the server has no free connection slot: K
// still ends the blocker (it runs on the connection pgtop holds); and c on
// a session idle in transaction says a cancel would not end it and offers
// terminate.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { startLocalCluster, type LocalCluster } from '../../src/localcluster/cluster.js';
import { BIN, cleanEnv, runPgtop } from '../support/binary.js';
import { connected, waitFor } from '../support/pg.js';
import { startTmux, type TmuxSession } from '../support/tmux.js';

let cluster: LocalCluster;
let session: TmuxSession | undefined;
const clients: pg.Client[] = [];
const APP_PASSWORD = 'app-secret';

beforeAll(async () => {
  // 6 slots, 2 of them for superusers: ordinary roles are refused at 4.
  cluster = await startLocalCluster({ settings: { max_connections: '6', superuser_reserved_connections: '2' } });
  const admin = await clientAs('postgres');
  await admin.query(`CREATE ROLE app LOGIN PASSWORD '${APP_PASSWORD}'`);
  await admin.end();
  clients.splice(clients.indexOf(admin), 1);
}, 60_000);

afterEach(async () => {
  await session?.kill();
  session = undefined;
  for (const client of clients.splice(0)) await client.end().catch(() => undefined);
});

afterAll(async () => {
  await cluster?.stop();
});

function clientAs(user: 'postgres' | 'app', application = 'filler'): Promise<pg.Client> {
  const client = new pg.Client({
    host: cluster.host,
    port: cluster.port,
    user,
    password: user === 'postgres' ? cluster.password : APP_PASSWORD,
    database: 'postgres',
    application_name: application,
  });
  return connected(client).then((c) => (clients.push(c), c));
}

/** Opens connections as this user until the server refuses one; the refusal's SQLSTATE. */
async function fillAs(user: 'postgres' | 'app'): Promise<string> {
  for (let i = 0; i < 20; i++) {
    try {
      await clientAs(user);
    } catch (error) {
      return String((error as { code?: string }).code);
    }
  }
  throw new Error('the server never refused a connection');
}

async function startPgtop(): Promise<TmuxSession> {
  const tmux = await startTmux({
    command: [process.execPath, BIN, '-h', cluster.host, '-p', String(cluster.port), '-U', 'postgres', '-i', '1'],
    env: { ...(cleanEnv() as Record<string, string>), TERM: 'xterm-256color', PGPASSWORD: cluster.password },
    cols: 160,
    rows: 40,
  });
  await tmux.waitForText('connected');
  return tmux;
}

describe('health on a server whose ordinary slots are nearly gone', () => {
  it('counts the reserved slots: 4 of 4 for ordinary roles is red, with the top users and applications', async () => {
    for (let i = 0; i < 2; i++) await clientAs('app', 'shop-web');
    await clientAs('app', 'shop-cron');
    const run = await runPgtop(['-h', cluster.host, '-p', String(cluster.port), '-U', 'postgres', '--once', '--json', '--screen', 'health'], {
      PGPASSWORD: cluster.password,
    });
    expect(run.code, run.stderr).toBe(0);
    const check = (JSON.parse(run.stdout).rows as { id: string; level: string; value: string }[]).find((c) => c.id === 'connections')!;
    // 3 of the app's and pgtop's own: 4 of max_connections 6 is 67 %, but ordinary roles are refused at 6 - 2.
    expect(check.level).toBe('alarm');
    expect(check.value).toBe(
      '4 of 4 for ordinary roles (100%; max_connections 6 less superuser_reserved_connections 2); most by user: app 3, postgres 1; by application: shop-web 2, pgtop 1, shop-cron 1',
    );
  });
});

describe('pgtop on a server with every slot taken', () => {
  it('K then y terminates the blocker though no connection can be opened', async () => {
    session = await startPgtop();
    const blocker = await clientAs('app', 'the-blocker');
    const blockerPid = (await blocker.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
    void blocker.query('SELECT pg_sleep(600)').catch(() => undefined);
    expect(await fillAs('app')).toBe('53300');
    expect(await fillAs('postgres')).toBe('53300');

    await session.sendText('/the-blocker');
    await session.sendKey('Enter');
    await session.waitForText(new RegExp(`${blockerPid} +app `));
    await session.sendText('K');
    await session.waitForText(`will run: SELECT pg_terminate_backend(${blockerPid});`);
    await session.sendText('y');
    await session.waitForText(`terminated pid ${blockerPid}`);
    // In the server: the blocker is gone (asked on a filler's connection: no slot for a new one).
    const filler = clients[clients.length - 1]!;
    await waitFor(
      async () => (await filler.query('SELECT count(*)::int AS n FROM pg_stat_activity WHERE pid = $1', [blockerPid])).rows[0].n === 0,
      { what: 'the blocker to be gone' },
    );
  });

  it('c on a session idle in transaction says a cancel does not end it, and K there terminates it instead', async () => {
    session = await startPgtop();
    const idle = await clientAs('app', 'the-idle-one');
    const idlePid = (await idle.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
    await idle.query('BEGIN');
    await idle.query('SELECT 1');
    await session.sendText('/the-idle-one');
    await session.sendKey('Enter');
    await session.waitForText(new RegExp(`${idlePid} +app .*idle in tx`));
    await session.sendText('c');
    const screen = await session.waitForText(`will run: SELECT pg_cancel_backend(${idlePid});`);
    expect(screen).toContain(`Cancel pid ${idlePid}? It is idle in transaction: no query runs, so a cancel does not end it`);
    expect(screen.replace(/\s+/g, ' ')).toContain('Only terminate ends it: K terminates it instead');
    await session.sendText('K');
    await session.waitForText(`will run: SELECT pg_terminate_backend(${idlePid});`);
    await session.sendText('y');
    await session.waitForText(`terminated pid ${idlePid}`);
    const check = await clientAs('postgres');
    expect((await check.query('SELECT count(*)::int AS n FROM pg_stat_activity WHERE pid = $1', [idlePid])).rows[0].n).toBe(0);
  });
});
