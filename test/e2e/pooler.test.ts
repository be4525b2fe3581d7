// pgtop behind PgBouncer (Debian's, its defaults) in transaction and in
// session mode: it connects, every refresh works, and the header says a
// pooler is in between.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { BIN, cleanEnv, runPgtop, serverArgs } from '../support/binary.js';
import { connect, connected, pgInfo } from '../support/pg.js';
import { startTmux, type TmuxSession } from '../support/tmux.js';
import { pgbouncerVersion, startPgBouncer, type PgBouncer } from '../support/pgbouncer.js';

const bouncerVersion = () => pgbouncerVersion();

describe('pgtop connected straight to the server', () => {
  it('says no pooler', async () => {
    const { args, env } = serverArgs();
    const run = await runPgtop([...args, '--once', '--json'], env);
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout).server.pooler).toBeNull();
  });
});

for (const mode of ['transaction', 'session'] as const) {
  describe(`pgtop behind PgBouncer in ${mode} mode`, () => {
    let bouncer: PgBouncer;
    beforeAll(async () => {
      const info = pgInfo();
      bouncer = await startPgBouncer({ host: info.host, port: info.port, user: info.user, password: info.password }, mode);
    });
    afterAll(async () => {
      await bouncer?.stop();
    });

    it('connects and prints the activity screen (no startup parameter PgBouncer refuses)', async () => {
      const info = pgInfo();
      const run = await runPgtop(['-h', bouncer.host, '-p', String(bouncer.port), '-U', info.user, '-d', 'postgres', '--once', '--json'], {
        PGPASSWORD: info.password,
      });
      expect(run.stderr, bouncer.log()).toBe('');
      expect(run.code).toBe(0);
      const json = JSON.parse(run.stdout);
      expect(json.rows.length).toBeGreaterThan(0);
      expect(json.error).toBeNull();
      expect(bouncer.log()).not.toContain('unsupported startup parameter');
      expect(json.server.pooler).toBe(`PgBouncer ${bouncerVersion()}`);
    });

    it('says in the header that it sees PgBouncer and that the sessions are its server connections', async () => {
      const info = pgInfo();
      const run = await runPgtop(['-h', bouncer.host, '-p', String(bouncer.port), '-U', info.user, '-d', 'postgres', '--once'], {
        PGPASSWORD: info.password,
      });
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout.split('\n')[0]).toMatch(
        new RegExp(`direct 127\\.0\\.0\\.1:${bouncer.port}  via PgBouncer ${bouncerVersion().replaceAll('.', '\\.')}: sessions are its server connections$`),
      );
    });
  });
}

describe('K behind PgBouncer in transaction mode, in a terminal', () => {
  let bouncer: PgBouncer;
  let session: TmuxSession | undefined;
  let app: pg.Client | undefined;
  beforeAll(async () => {
    const info = pgInfo();
    bouncer = await startPgBouncer({ host: info.host, port: info.port, user: info.user, password: info.password }, 'transaction');
  });
  afterAll(async () => {
    await session?.kill();
    await app?.end().catch(() => undefined);
    await bouncer?.stop();
  });

  it('the header says PgBouncer, the confirmation says K ends a server connection of the pool, and the server shows it gone', async () => {
    const info = pgInfo();
    // An application of the pool holding its server connection in a transaction (PgBouncer gives it its application_name).
    app = await connected(new pg.Client({ host: bouncer.host, port: bouncer.port, user: info.user, password: info.password, database: 'postgres', application_name: 'pooled-app' }));
    await app.query('BEGIN');
    const serverPid = (await app.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
    session = await startTmux({
      command: [process.execPath, BIN, '-h', bouncer.host, '-p', String(bouncer.port), '-U', info.user, '-d', 'postgres', '-i', '1'],
      env: { ...(cleanEnv() as Record<string, string>), TERM: 'xterm-256color', PGPASSWORD: info.password },
      cols: 200,
      rows: 40,
    });
    await session.waitForText(`via PgBouncer ${bouncerVersion()}: sessions are its server connections`);
    await session.sendText('/pooled-app');
    await session.sendKey('Enter');
    await session.waitForText(new RegExp(`${serverPid} +postgres `));
    await session.sendText('K');
    const screen = await session.waitForText(`will run: SELECT pg_terminate_backend(${serverPid});`);
    expect(screen).toContain(`behind PgBouncer ${bouncerVersion()}: this ends the server connection; the pool's clients using it now lose`);
    await session.sendText('y');
    await session.waitForText(`terminated pid ${serverPid}`);
    const check = await connect();
    try {
      expect((await check.query('SELECT count(*)::int AS n FROM pg_stat_activity WHERE pid = $1', [serverPid])).rows[0].n).toBe(0);
    } finally {
      await check.end();
    }
  });
});
