// The built binary against a real server holding hostile names and query
// texts, and with queries that really fail: --once text carries no control
// character, --json the exact text; a screen whose data failed to load says
// so and exits 1, never printing a failure as an empty list.
import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import { describe, expect, it } from 'vitest';
import { runPgtop, serverArgs } from '../support/binary.js';
import { EVIL, evil, strayControls } from '../support/hostile-rows.js';
import { connect, createScratchDatabase, pgInfo, waitFor } from '../support/pg.js';

const ident = (client: pg.Client, name: string) => client.escapeIdentifier(name);

describe('--once with hostile names and query texts', () => {
  it('prints them as visible escapes in text, and exactly in JSON', async () => {
    const db = await createScratchDatabase('once_hostile');
    const c = await connect({ database: db.name });
    const sleeper = await connect({ database: db.name });
    const role = evil(`mallory_${randomBytes(3).toString('hex')}`);
    const schema = evil('sales');
    const table = evil('orders');
    const query = `SELECT pg_sleep(30) /* ${EVIL} */`;
    try {
      await c.query(`CREATE ROLE ${ident(c, role)}`);
      await c.query(`CREATE SCHEMA ${ident(c, schema)}`);
      await c.query(`CREATE TABLE ${ident(c, schema)}.${ident(c, table)} (id int PRIMARY KEY, note text)`);
      await c.query(`INSERT INTO ${ident(c, schema)}.${ident(c, table)} SELECT g, g::text FROM generate_series(1, 100) g`);
      await c.query(`CREATE INDEX ${ident(c, evil('orders_note'))} ON ${ident(c, schema)}.${ident(c, table)} (note)`);
      await c.query(`GRANT SELECT ON ${ident(c, schema)}.${ident(c, table)} TO ${ident(c, role)}`);
      await c.query(`ANALYZE ${ident(c, schema)}.${ident(c, table)}`);
      const sleeping = sleeper.query(query).catch(() => undefined);
      await waitFor(async () => (await c.query('SELECT 1 FROM pg_stat_activity WHERE query = $1', [query])).rowCount === 1, { what: 'the hostile query running' });

      const { args, env } = serverArgs(db.name);
      for (const screen of ['activity', 'sizes', 'bloat', 'roles']) {
        const run = await runPgtop([...args, '--once', '--screen', screen], env);
        expect(run.code, `${screen}: ${run.stderr}`).toBe(0);
        expect(strayControls(run.stdout), `${screen} text:\n${run.stdout}`).toEqual([]);
        expect(strayControls(run.stderr)).toEqual([]);
        // Whole where a column is wide enough (the query), at least its start in a narrow one (a role's name).
        expect(run.stdout, screen).toContain(screen === 'activity' ? '\\x1b]0;pwned\\x07\\x1b[2J\\x9b31m\\u202e' : '\\x1b]');
      }

      const json = async (screen: string) => {
        const run = await runPgtop([...args, '--once', '--json', '--screen', screen], env);
        expect(run.code, run.stderr).toBe(0);
        expect(strayControls(run.stdout), `${screen} JSON`).toEqual([]);
        return JSON.parse(run.stdout);
      };
      expect((await json('activity')).rows.some((b: { query: string }) => b.query === query)).toBe(true);
      const sizes = await json('sizes');
      expect(sizes.tables.map((t: { schema: string; table: string }) => [t.schema, t.table])).toEqual([[schema, table]]);
      expect(sizes.indexes.map((i: { index: string }) => i.index).sort()).toEqual([evil('orders_note'), `${table}_pkey`].sort());
      expect((await json('roles')).roles.some((r: { name: string }) => r.name === role)).toBe(true);

      await c.query('SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE query = $1', [query]);
      await sleeping;
    } finally {
      await sleeper.end();
      await c.end();
      await db.drop();
      const admin = await connect();
      await admin.query(`DROP ROLE IF EXISTS ${ident(admin, role)}`).finally(() => admin.end());
    }
  });

  it('learn --check names the hostile table as terminal text', async () => {
    const db = await createScratchDatabase('check_hostile');
    const c = await connect({ database: db.name });
    const schema = evil('sales');
    const table = evil('orders');
    try {
      await c.query(`CREATE SCHEMA ${ident(c, schema)}`);
      await c.query(`CREATE TABLE ${ident(c, schema)}.${ident(c, table)} (id int PRIMARY KEY)`);
      await c.query(`INSERT INTO ${ident(c, schema)}.${ident(c, table)} SELECT generate_series(1, 100)`);
      // The guided session's checks name the table with the most dead tuples: here the hostile one.
      await c.query(`DELETE FROM ${ident(c, schema)}.${ident(c, table)} WHERE id <= 50`);
      await waitFor(async () => (await c.query('SELECT n_dead_tup > 0 AS dead FROM pg_stat_user_tables')).rows[0]?.dead, { what: 'dead tuples counted' });
      const { args, env } = serverArgs(db.name);
      const check = await runPgtop(['learn', '--check', ...args], env);
      // It ends by itself (exit 0 when every criterion passes, else 1), not killed by the timeout (-1).
      expect([0, 1], check.stderr).toContain(check.code);
      expect(check.stdout).toMatch(/ of \d+ criteria pass\n$/);
      expect(strayControls(check.stdout), `learn --check:\n${check.stdout}`).toEqual([]);
      expect(strayControls(check.stderr)).toEqual([]);
      expect(check.stdout).toContain('\\x1b]0;pwned\\x07\\x1b[2J\\x9b31m\\u202e');
    } finally {
      await c.end();
      await db.drop();
    }
  });
});

describe('--once when a screen\'s data fails to load', () => {
  it('says which query failed and why, in the part it fills, and exits 1 (a catalog the privileges query reads is locked)', async () => {
    const db = await createScratchDatabase('once_failed');
    const c = await connect({ database: db.name });
    const locker = await connect({ database: db.name });
    try {
      // pg_default_acl is read by the roles screen's privileges query only (not when a session starts, not by
      // the header): that query waits for the lock past the monitor's lock_timeout and fails; the rest loads.
      await locker.query('BEGIN');
      await locker.query('LOCK TABLE pg_catalog.pg_default_acl IN ACCESS EXCLUSIVE MODE');
      const { args, env } = serverArgs(db.name);
      const run = await runPgtop([...args, '--once', '--screen', 'roles'], env);
      expect(run.code, run.stdout + run.stderr).toBe(1);
      expect(run.stderr).toBe('');
      expect(run.stdout).toMatch(/\nroles:\nROLE\s+ATTRIBUTES[\s\S]*\*postgres\s+superuser login/);
      expect(run.stdout).toMatch(/\nsecurity audit:\nerror: privileges failed: canceling statement due to lock timeout\n/);

      const json = await runPgtop([...args, '--once', '--json', '--screen', 'roles'], env);
      expect(json.code).toBe(1);
      const document = JSON.parse(json.stdout);
      expect(document.errors).toEqual([{ query: 'rolesPrivileges', message: 'privileges failed: canceling statement due to lock timeout' }]);
      expect(document.error).toBe('privileges failed: canceling statement due to lock timeout');
      expect(json.stderr).toBe('pgtop: privileges failed: canceling statement due to lock timeout\n');

      await locker.query('ROLLBACK');
      const after = await runPgtop([...args, '--once', '--screen', 'roles'], env);
      expect(after.code, after.stdout + after.stderr).toBe(0);
      expect(after.stdout).not.toContain('error:');
    } finally {
      await locker.end();
      await c.end();
      await db.drop();
    }
  });

  it('a query the role may not run is a failure (exit 1); a part the screen does without is not (the audit says "unchecked")', async () => {
    const db = await createScratchDatabase('once_denied');
    const c = await connect({ database: db.name });
    const user = `once_denied_${randomBytes(3).toString('hex')}`;
    const password = randomBytes(12).toString('hex');
    try {
      await c.query(`CREATE ROLE ${user} LOGIN PASSWORD '${password}'`);
      const info = pgInfo();
      const args = ['-h', info.host, '-p', String(info.port), '-U', user, '-d', db.name];
      const env = { PGPASSWORD: password };

      // Neither pg_authid nor pg_hba_file_rules is readable to this role: the roles screen says so in its audit and succeeds.
      const roles = await runPgtop([...args, '--once', '--screen', 'roles'], env);
      expect(roles.code, roles.stdout + roles.stderr).toBe(0);
      expect(roles.stdout).not.toContain('error:');
      expect(roles.stdout).toMatch(/unchecked\s+stored passwords not checked/);
      expect(roles.stdout).toMatch(/unchecked\s+pg_hba\.conf not checked/);

      // Catalog privileges are per database: only this one is changed.
      await c.query('REVOKE SELECT ON pg_catalog.pg_stat_activity FROM PUBLIC');
      const activity = await runPgtop([...args, '--once'], env);
      expect(activity.code, activity.stdout + activity.stderr).toBe(1);
      expect(activity.stdout).toMatch(/\nerror: activity is hidden: this role lacks the privilege \(permission denied for (view|relation) pg_stat_activity\)/);
      expect(activity.stdout).not.toContain('no backends');
    } finally {
      await c.end();
      await db.drop();
      const admin = await connect();
      await admin.query(`DROP ROLE IF EXISTS ${user}`).finally(() => admin.end());
    }
  });

  it('a planted format() that raises never turns the sizes screen into "no tables" with exit 0', async () => {
    // Before every connection ran with search_path = pg_catalog, pg_temp, public.format(text, name, name)
    // was picked over pg_catalog.format and its error failed the query; since, it is never called.
    // Either way pgtop must not print an empty list and succeed.
    const db = await createScratchDatabase('once_planted');
    const c = await connect({ database: db.name });
    try {
      await c.query('CREATE TABLE orders (id int PRIMARY KEY); INSERT INTO orders SELECT generate_series(1, 100); ANALYZE orders');
      await c.query(`CREATE FUNCTION public.format(text, name, name) RETURNS text LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'planted format() ran'; END $$`);
      const { args, env } = serverArgs(db.name);
      const run = await runPgtop([...args, '--once', '--screen', 'sizes'], env);
      expect(run.stdout).not.toContain('no tables in this database');
      if (run.code === 0) expect(run.stdout).toMatch(/\ntables:\nTABLE\s+ROWS~[\s\S]*\norders\s+100\s/);
      else {
        expect(run.code).toBe(1);
        expect(run.stdout).toMatch(/\ntables:\nerror: table sizes failed: planted format\(\) ran\n/);
      }
    } finally {
      await c.end();
      await db.drop();
    }
  });
});
