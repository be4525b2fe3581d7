// pgtop behind PgBouncer (Debian's, its defaults) in transaction and in
// session mode: it connects, every refresh works, and the header says a
// pooler is in between.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runPgtop, serverArgs } from '../support/binary.js';
import { pgInfo } from '../support/pg.js';
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
