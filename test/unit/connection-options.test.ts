import { describe, expect, it } from 'vitest';
import { resolveConnection, tlsOptions } from '../../src/db/connection-options.js';
import { UsageError } from '../../src/errors.js';

const noSocket = () => false;

describe('resolveConnection (psql rules)', () => {
  it('takes -h/-p/-U/-d', () => {
    const c = resolveConnection({ host: 'db.example', port: '6543', username: 'alice', dbname: 'shop' }, {}, noSocket);
    expect(c).toMatchObject({ host: 'db.example', port: 6543, user: 'alice', database: 'shop', sslMode: 'prefer' });
    expect(c.describe).toBe('db.example:6543');
  });

  it('falls back to PG* variables, then to the OS user and a database named after the user', () => {
    const c = resolveConnection({}, { PGHOST: 'envhost', PGPORT: '5433', PGUSER: 'bob', PGPASSWORD: 's3cret', PGSSLMODE: 'require', PGAPPNAME: 'oncall' }, noSocket);
    expect(c).toMatchObject({ host: 'envhost', port: 5433, user: 'bob', database: 'bob', password: 's3cret', sslMode: 'require', applicationName: 'oncall' });
  });

  it('prefers the flags over the environment', () => {
    const c = resolveConnection({ host: 'flag', username: 'u1' }, { PGHOST: 'env', PGUSER: 'u2', PGDATABASE: 'envdb' }, noSocket);
    expect(c).toMatchObject({ host: 'flag', user: 'u1', database: 'envdb' });
  });

  it('reads a postgres:// URI given as the positional argument or as -d, password and sslmode included', () => {
    const uri = 'postgresql://carol:p%40ss@pg.internal:7000/orders?sslmode=verify-full&application_name=x';
    for (const flags of [{ positional: uri }, { dbname: uri }]) {
      const c = resolveConnection(flags, {}, noSocket);
      expect(c).toMatchObject({ host: 'pg.internal', port: 7000, user: 'carol', password: 'p@ss', database: 'orders', sslMode: 'verify-full' });
    }
  });

  it('uses the Unix socket directory when a socket exists and no host is given, as libpq does', () => {
    const c = resolveConnection({}, { PGUSER: 'postgres' }, (p) => p === '/var/run/postgresql/.s.PGSQL.5432');
    expect(c.host).toBe('/var/run/postgresql');
    expect(c.sslMode).toBe('disable');
    expect(c.describe).toBe('socket /var/run/postgresql:5432');
  });

  it('falls back to localhost when there is no socket', () => {
    expect(resolveConnection({}, { PGUSER: 'x' }, noSocket).host).toBe('localhost');
  });

  it('rejects a bad port and a bad sslmode with a usage error naming the fix', () => {
    expect(() => resolveConnection({ port: 'abc' }, {}, noSocket)).toThrow(UsageError);
    expect(() => resolveConnection({ port: '70000' }, {}, noSocket)).toThrow(/1 to 65535/);
    expect(() => resolveConnection({}, { PGSSLMODE: 'sometimes' }, noSocket)).toThrow(/invalid sslmode "sometimes" in PGSSLMODE/);
  });

  it('maps sslmode to TLS options as libpq does (no verification below verify-ca)', () => {
    const base = resolveConnection({ host: 'h' }, {}, noSocket);
    expect(tlsOptions({ ...base, sslMode: 'disable' })).toBe(false);
    expect(tlsOptions({ ...base, sslMode: 'require' })).toEqual({ rejectUnauthorized: false });
    expect(tlsOptions({ ...base, sslMode: 'verify-full' })).toMatchObject({ rejectUnauthorized: true });
  });
});
