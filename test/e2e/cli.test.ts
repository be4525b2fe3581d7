// The built binary without a terminal: --once output, and every failure
// before the UI as one line, the right exit code, within 10 seconds.
import { mkdtempSync, writeFileSync, chmodSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cleanEnv, runPgtop, serverArgs } from '../support/binary.js';
import { connect, createScratchDatabase, pgInfo } from '../support/pg.js';
import { createLockChain } from '../support/sessions.js';

function expectOneLineFailure(run: { code: number; stdout: string; stderr: string; ms: number }, code: number, pattern: RegExp) {
  expect(run.code).toBe(code);
  expect(run.stdout).toBe('');
  const lines = run.stderr.trimEnd().split('\n');
  expect(lines, run.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^pgtop: /);
  expect(lines[0]).toMatch(pattern);
  expect(run.stderr).not.toMatch(/\n\s+at /); // no stack trace
  // It does not hang: runPgtop's deadline would end it with code -1. How fast is the benchmark's to say, not a test's.
}

async function unusedPort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

describe('pgtop --once', () => {
  it('prints the activity screen as text, with the header and its own session marked', async () => {
    const { args, env } = serverArgs();
    const run = await runPgtop([...args, '--once'], env);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^pgtop {2}PostgreSQL \d+\.\d+ \(primary\) {2}db postgres {2}user postgres {2}direct 127\.0\.0\.1:\d+\n/);
    // The server runs on this host: its processes' columns too (docs/host-figures.md).
    expect(run.stdout).toMatch(/PID\s+USER\s+DB\s+APP\s+CLIENT\s+CPU%\s+MEM\s+READ\/s\s+WRITE\/s\s+STATE/);
    expect(run.stdout).toMatch(/\*\d+ postgres\s+postgres\s+pgtop/);
  });

  it('prints the roles and the whole security audit for --screen roles, as text and as JSON (for cron)', async () => {
    const { args, env } = serverArgs();
    const run = await runPgtop([...args, '--once', '--screen', 'roles'], env);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/\nroles:\nROLE\s+ATTRIBUTES[\s\S]*\*postgres\s+superuser login/);
    // The test server trusts local connections and has ssl off: the audit says so, with evidence.
    expect(run.stdout).toMatch(/\nsecurity audit:\nSEVERITY\s+CHECK\s+ABOUT\s+EVIDENCE/);
    expect(run.stdout).toMatch(/medium\s+pg_hba\.conf rule with trust\s+pg_hba\.conf line \d+\s+local\s+all\s+all\s+trust/);
    expect(run.stdout).not.toContain('A shows it');
    const json = JSON.parse((await runPgtop([...args, '--once', '--json', '--screen', 'roles'], env)).stdout);
    expect(json.roles.some((r: { name: string; superuser: boolean }) => r.name === 'postgres' && r.superuser)).toBe(true);
    expect(json.audit.some((f: { severity: string; fix: string }) => f.severity === 'medium' && /trust/.test(JSON.stringify(f)))).toBe(true);
  });

  it('prints all three lists of sizes for --screen sizes: databases, tables, indexes (the screen shows one at a time)', async () => {
    const db = await createScratchDatabase('cli_sizes');
    const c = await connect({ database: db.name });
    try {
      await c.query('CREATE TABLE orders (id int PRIMARY KEY, note text); INSERT INTO orders SELECT g, g::text FROM generate_series(1, 500) g; CREATE INDEX orders_note ON orders (note); ANALYZE orders');
      const { args, env } = serverArgs(db.name);
      const run = await runPgtop([...args, '--once', '--screen', 'sizes'], env);
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(new RegExp(`\\ndatabases:\\nDATABASE\\s+SIZE[\\s\\S]*\\*${db.name}\\s`));
      expect(run.stdout).toMatch(/\ntables:\nTABLE\s+ROWS~[\s\S]*\norders\s+500\s/);
      expect(run.stdout).toMatch(/\nindexes:\nINDEX\s+TABLE[\s\S]*orders_note\s+orders\s+0\s+0\s+0\s+[\d.]+ kB unused/);
      const json = JSON.parse((await runPgtop([...args, '--once', '--json', '--screen', 'sizes'], env)).stdout);
      expect(json.tables.map((t: { table: string }) => t.table)).toEqual(['orders']);
      expect(json.indexes.map((i: { index: string }) => i.index).sort()).toEqual(['orders_note', 'orders_pkey']);
      expect(json.databases.some((d: { database: string; current: boolean }) => d.database === db.name && d.current)).toBe(true);
    } finally {
      await c.end();
      await db.drop();
    }
  });

  it('prints rows as JSON with --json, for the locks screen too', async () => {
    const { args, env } = serverArgs();
    const activity = JSON.parse((await runPgtop([...args, '--once', '--json'], env)).stdout);
    expect(activity.screen).toBe('activity');
    expect(activity.server).toMatchObject({ database: 'postgres', user: 'postgres', versionNum: pgInfo().serverVersionNum });
    expect(activity.rows.some((r: { own: boolean; application: string }) => r.own && r.application === 'pgtop')).toBe(true);
    const db = await createScratchDatabase('cli_locks');
    const chain = await createLockChain(db.name, 1);
    try {
      const inDb = serverArgs(db.name);
      const locks = JSON.parse((await runPgtop([...inDb.args, '--once', '--json', '--screen', 'locks'], inDb.env)).stdout);
      expect(locks).toMatchObject({ screen: 'locks', error: null });
      // Other tests may hold locks in the same server: look for this chain.
      const blocker = locks.rows.find((r: { pid: number }) => r.pid === chain.blockerPid);
      expect(blocker).toMatchObject({ depth: 0, waiterCount: 1, state: 'idle in transaction', database: db.name });
      const waiter = locks.rows[locks.rows.indexOf(blocker) + 1];
      expect(waiter).toMatchObject({ depth: 1, pid: chain.waiterPids[0], relation: 'public.accounts', blockedBy: [chain.blockerPid] });
      // Seen from another database, the relation cannot be named there: pgtop says where it is.
      const fromPostgres = JSON.parse((await runPgtop([...args, '--once', '--json', '--screen', 'locks'], env)).stdout);
      const elsewhere = fromPostgres.rows.find((r: { pid: number }) => r.pid === chain.waiterPids[0]);
      expect(elsewhere.relation).toMatch(new RegExp(`^oid \\d+ in ${db.name}$`));
    } finally {
      await chain.close();
      await db.drop();
    }
  });

  it('accepts a postgres:// URI, PG* variables and ~/.pgpass (PGPASSFILE) as psql does', async () => {
    const info = pgInfo();
    const uri = `postgres://${info.user}:${encodeURIComponent(info.password)}@${info.host}:${info.port}/postgres?sslmode=prefer`;
    expect((await runPgtop([uri, '--once', '--json'])).code).toBe(0);
    const viaEnv = await runPgtop(['--once', '--json'], { PGHOST: info.host, PGPORT: String(info.port), PGUSER: info.user, PGPASSWORD: info.password, PGDATABASE: 'postgres' });
    expect(JSON.parse(viaEnv.stdout).server.user).toBe('postgres');
    const dir = mkdtempSync(join(tmpdir(), 'pgtop-pgpass-'));
    try {
      const file = join(dir, 'pgpass');
      writeFileSync(file, `${info.host}:${info.port}:*:${info.user}:${info.password}\n`);
      chmodSync(file, 0o600);
      const viaPgpass = await runPgtop(['-h', info.host, '-p', String(info.port), '-U', info.user, '--once'], { PGPASSFILE: file });
      expect(viaPgpass.stderr).toBe('');
      expect(viaPgpass.code).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('marks what a role without pg_monitor cannot see, and still works', async () => {
    const admin = await connect();
    const role = `cli_plain_${Date.now()}`;
    await admin.query(`CREATE ROLE ${role} LOGIN PASSWORD 'cli-plain-pass'`);
    try {
      const info = pgInfo();
      const run = await runPgtop(['-h', info.host, '-p', String(info.port), '-U', role, '-d', 'postgres', '--once'], { PGPASSWORD: 'cli-plain-pass' });
      expect(run.code).toBe(0);
      expect(run.stdout).toContain('‹hidden›: needs pg_read_all_stats');
    } finally {
      await admin.query(`DROP ROLE ${role}`);
      await admin.end();
    }
  });
});

describe('failures before the UI: one line, exit code, no stack trace, within 10 s', () => {
  it('bad flags and values are usage errors (exit 2)', async () => {
    expectOneLineFailure(await runPgtop(['--bogus']), 2, /unknown option '--bogus'/);
    expectOneLineFailure(await runPgtop(['-i', '0.1', '--once']), 2, /invalid --interval "0.1".*at least 0.5/);
    expectOneLineFailure(await runPgtop(['--screen', 'nope', '--once']), 2, /--screen.*nope.*activity, locks/);
    expectOneLineFailure(await runPgtop(['--json']), 2, /--json needs --once/);
    expectOneLineFailure(await runPgtop(['-p', 'abc', '--once']), 2, /invalid port "abc"/);
  });

  it('stdout not a terminal without --once is a usage error', async () => {
    const { args, env } = serverArgs();
    expectOneLineFailure(await runPgtop(args, env), 2, /not a terminal.*--once/);
  });

  it('an unknown host, a refused port, a wrong password and a missing database name their cause and fix (exit 1)', async () => {
    const info = pgInfo();
    expectOneLineFailure(await runPgtop(['-h', 'no-such-host.invalid', '--once']), 1, /could not resolve host "no-such-host.invalid": check -h\/--host/);
    const port = await unusedPort();
    expectOneLineFailure(await runPgtop(['-h', '127.0.0.1', '-p', String(port), '--once']), 1, new RegExp(`connection refused by 127.0.0.1:${port}.*-p/--port`));
    expectOneLineFailure(
      await runPgtop(['-h', info.host, '-p', String(info.port), '-U', info.user, '--once'], { PGPASSWORD: 'wrong' }),
      1,
      /password authentication failed for user "postgres".*PGPASSWORD, ~\/.pgpass/,
    );
    expectOneLineFailure(
      await runPgtop(['-h', info.host, '-p', String(info.port), '-U', info.user, '-d', 'no_such_db', '--once'], { PGPASSWORD: info.password }),
      1,
      /database "no_such_db" does not exist.*-d\/--dbname/,
    );
  });

  it('sslmode=verify-full without a root certificate is refused before connecting, as libpq does (exit 1); a weak sslmode with sslrootcert=system is a usage error (exit 2)', async () => {
    const { args, env } = serverArgs();
    const home = mkdtempSync(join(tmpdir(), 'pgtop-home-'));
    try {
      const run = await runPgtop([...args, '--once'], { ...env, HOME: home, PGSSLMODE: 'verify-full' });
      expectOneLineFailure(run, 1, new RegExp(`^pgtop: root certificate file "${join(home, '.postgresql', 'root.crt')}" does not exist \\(sslmode=verify-full\\): either provide the file .*sslrootcert=system, or change sslmode`));
      const weak = await runPgtop([...args, '--once'], { ...env, HOME: home, PGSSLMODE: 'require', PGSSLROOTCERT: 'system' });
      expectOneLineFailure(weak, 2, /^pgtop: weak sslmode "require" may not be used with sslrootcert=system \(use "verify-full"\)$/);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });

  it('without a password it says how to give one instead of hanging', async () => {
    const info = pgInfo();
    const run = await runPgtop(['-h', info.host, '-p', String(info.port), '-U', info.user, '--once'], { PGPASSFILE: '/nonexistent' });
    expectOneLineFailure(run, 1, /asks a password.*PGPASSWORD.*~\/.pgpass/);
  });

  it('--help and --version exit 0', async () => {
    const help = await runPgtop(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/-h, --host <host>/);
    expect(help.stdout).toMatch(/--once/);
    const version = await runPgtop(['--version']);
    // The version and the commit the build was made from (a hex id, -dirty when built from uncommitted changes).
    expect(version.stdout.trim()).toMatch(/^pgtop \d+\.\d+\.\d+ \(commit ([0-9a-f]{12}(-dirty)?|unknown)\)$/);
    void cleanEnv;
  });
});
