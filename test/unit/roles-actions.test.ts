// What `n` and `P` will run and show: the statements of each profile, the
// password redacted, names quoted, bad names refused before anything runs.
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { changePassword, newRole, newRoleStatements, REDACTED_PASSWORD, roleNameProblem, type NewRoleTarget } from '../../src/actions/roles.js';
import { quoteIdent, quoteLiteral } from '../../src/sql/quote.js';

const target: NewRoleTarget = { database: 'shop', currentUser: 'postgres', existingRoles: ['postgres', 'app'], schemas: ['public', 'app_data'] };

describe('new role profiles', () => {
  it('read-write: data and sequences now and later, no CREATE', () => {
    expect(newRoleStatements({ role: 'app2', exists: false, profile: 'read-write', schema: 'public', database: 'shop', createSchema: false }, REDACTED_PASSWORD)).toEqual([
      `CREATE ROLE "app2" LOGIN PASSWORD ${REDACTED_PASSWORD};`,
      'GRANT CONNECT ON DATABASE "shop" TO "app2";',
      'GRANT USAGE ON SCHEMA "public" TO "app2";',
      'GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA "public" TO "app2";',
      'GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA "public" TO "app2";',
      'ALTER DEFAULT PRIVILEGES IN SCHEMA "public" GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO "app2";',
      'ALTER DEFAULT PRIVILEGES IN SCHEMA "public" GRANT USAGE, SELECT ON SEQUENCES TO "app2";',
    ]);
  });

  it('read-only in a new schema: creates it, SELECT now and later, search_path for this database', () => {
    expect(newRoleStatements({ role: 'report', exists: false, profile: 'read-only', schema: 'reporting', database: 'shop', createSchema: true }, "'v'")).toEqual([
      `CREATE ROLE "report" LOGIN PASSWORD 'v';`,
      'GRANT CONNECT ON DATABASE "shop" TO "report";',
      'CREATE SCHEMA IF NOT EXISTS "reporting";',
      'GRANT USAGE ON SCHEMA "reporting" TO "report";',
      'GRANT SELECT ON ALL TABLES IN SCHEMA "reporting" TO "report";',
      'ALTER DEFAULT PRIVILEGES IN SCHEMA "reporting" GRANT SELECT ON TABLES TO "report";',
      'ALTER ROLE "report" IN DATABASE "shop" SET search_path TO "reporting", public;',
    ]);
  });

  it('monitor: pg_monitor, not grants on single views', () => {
    expect(newRoleStatements({ role: 'mon', exists: false, profile: 'monitor', schema: 'public', database: 'shop', createSchema: false }, "'v'")).toEqual([
      `CREATE ROLE "mon" LOGIN PASSWORD 'v';`,
      'GRANT CONNECT ON DATABASE "shop" TO "mon";',
      'GRANT pg_monitor TO "mon";',
    ]);
  });

  it('an existing role: the grants are added, its password and search_path stay unless a password is typed', () => {
    const values = { name: 'app', profile: 'read-only', schema: 'app_data', password: '' };
    expect(newRole.title(target, values)).toBe('Add the grants of a profile (read-only) to the existing role "app"?');
    expect(newRole.sql(target, values).split('\n')).toEqual([
      'GRANT CONNECT ON DATABASE "shop" TO "app";',
      'GRANT USAGE ON SCHEMA "app_data" TO "app";',
      'GRANT SELECT ON ALL TABLES IN SCHEMA "app_data" TO "app";',
      'ALTER DEFAULT PRIVILEGES IN SCHEMA "app_data" GRANT SELECT ON TABLES TO "app";',
    ]);
    expect(newRole.details(target, values)).toEqual(['its password stays as it is']);
    expect(newRole.sql(target, { ...values, password: 'a typed password' }).split('\n')[0]).toBe(`ALTER ROLE "app" PASSWORD ${REDACTED_PASSWORD};`);
  });

  it('shows the statements with the password redacted, and what the grants mean', () => {
    const values = { name: `O'Brien "ro"`, profile: 'read-only', schema: 'new schema', password: '' };
    const sql = newRole.sql(target, values);
    expect(sql).toContain(`CREATE ROLE "O'Brien ""ro""" LOGIN PASSWORD '‹redacted›';`);
    expect(sql).toContain('CREATE SCHEMA IF NOT EXISTS "new schema";');
    expect(sql).not.toMatch(/SCRAM-SHA-256\$/);
    const details = newRole.details(target, values).join('\n');
    expect(details).toBe('password: generated, shown once when the role exists; sent as a SCRAM-SHA-256 verifier');
    expect(newRole.title(target, values)).toBe(`Create role "O'Brien ""ro""" (read-only)?`);
    // What a read-only refusal names before any answer: still a statement, not a crash.
    expect(newRole.sql(target, {})).toMatch(/^CREATE ROLE "‹name›"/);
    expect(changePassword.sql({ role: 'a"b', canLogin: true, isCurrentUser: false }, {})).toBe(`ALTER ROLE "a""b" PASSWORD ${REDACTED_PASSWORD};`);
  });

  it('refuses names PostgreSQL would refuse or cut', () => {
    expect(roleNameProblem('')).toMatch(/type a role name/);
    expect(roleNameProblem('pg_mine')).toMatch(/reserved/);
    expect(roleNameProblem('public')).toMatch(/reserved/);
    expect(roleNameProblem('x'.repeat(64))).toMatch(/at most 63 bytes/);
    expect(roleNameProblem('é'.repeat(32))).toMatch(/at most 63 bytes/);
    expect(roleNameProblem('tab\there')).toMatch(/control characters/);
    expect(roleNameProblem(`Reporting "team" it's`)).toBeNull();
    const [name, , schema, password] = newRole.inputs!(target, {});
    expect(name!.validate!('pg_x')).toMatch(/reserved/);
    expect(schema!.initial).toBe('public');
    expect(password).toMatchObject({ secret: true });
    expect(password!.validate!('')).toBeNull();
    expect(password!.validate!('short')).toMatch(/at least 12/);
  });

  it('quotes exactly as pg (libpq) does', () => {
    for (const text of ['plain', `O'Brien`, 'a"b', 'back\\slash', `all ' " \\ of them`, '']) {
      expect(quoteIdent(text)).toBe(pg.escapeIdentifier(text));
      expect(quoteLiteral(text)).toBe(pg.escapeLiteral(text));
    }
  });
});
