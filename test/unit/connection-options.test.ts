import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { resolveConnection } from '../../src/db/connection-options.js';
import { tlsOptions } from '../../src/db/tls-options.js';
import { ConnectionError, UsageError } from '../../src/errors.js';

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

  it('maps sslmode to TLS options as libpq does (no verification below verify-ca without a root certificate)', () => {
    const base = resolveConnection({ host: 'h' }, { HOME: emptyHome() }, noSocket);
    expect(tlsOptions({ ...base, sslMode: 'disable' })).toBe(false);
    expect(tlsOptions({ ...base, sslMode: 'prefer' })).toEqual({ rejectUnauthorized: false });
    expect(tlsOptions({ ...base, sslMode: 'require' })).toEqual({ rejectUnauthorized: false });
  });
});

const CA = '-----BEGIN CERTIFICATE-----\nQ0E=\n-----END CERTIFICATE-----';
const OTHER_CA = '-----BEGIN CERTIFICATE-----\nT1RIRVI=\n-----END CERTIFICATE-----';
const CRL = '-----BEGIN X509 CRL-----\nQ1JM\n-----END X509 CRL-----';

let home: string | undefined;
afterEach(() => {
  if (home) rmSync(home, { recursive: true, force: true });
  home = undefined;
});
function emptyHome(): string {
  home = mkdtempSync(path.join(os.tmpdir(), 'pgtop-home-'));
  return home;
}
/** A home directory with ~/.postgresql holding these files. */
function homeWith(files: Record<string, string>): string {
  const dir = emptyHome();
  mkdirSync(path.join(dir, '.postgresql'));
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, '.postgresql', name), text);
  return dir;
}

describe('root certificates as libpq finds them', () => {
  it('takes sslrootcert from the URI, else PGSSLROOTCERT, else ~/.postgresql/root.crt (named even when it is not there)', () => {
    const HOME = emptyHome();
    const uri = 'postgresql://u@db/x?sslrootcert=/uri/ca.crt';
    expect(resolveConnection({ positional: uri }, { HOME, PGSSLROOTCERT: '/env/ca.crt' }, noSocket).sslRootCert).toBe('/uri/ca.crt');
    expect(resolveConnection({ host: 'db' }, { HOME, PGSSLROOTCERT: '/env/ca.crt' }, noSocket).sslRootCert).toBe('/env/ca.crt');
    expect(resolveConnection({ host: 'db' }, { HOME }, noSocket).sslRootCert).toBe(path.join(HOME, '.postgresql', 'root.crt'));
  });

  it('verify-ca and verify-full without a root certificate: one line, exit 1, as libpq refuses', () => {
    const HOME = emptyHome();
    for (const mode of ['verify-ca', 'verify-full']) {
      const connection = resolveConnection({ host: 'db' }, { HOME, PGSSLMODE: mode }, noSocket);
      const failure = (() => {
        try {
          return tlsOptions(connection, {});
        } catch (error) {
          return error;
        }
      })();
      expect(failure).toBeInstanceOf(ConnectionError);
      expect((failure as ConnectionError).exitCode).toBe(1);
      expect((failure as Error).message).toBe(
        `root certificate file "${path.join(HOME, '.postgresql', 'root.crt')}" does not exist (sslmode=${mode}): either provide the file (sslrootcert, PGSSLROOTCERT or ~/.postgresql/root.crt), use the system's trusted roots with sslrootcert=system, or change sslmode to disable server certificate verification`,
      );
    }
    // A named file that is not there is the same refusal, naming it.
    const named = resolveConnection({ positional: 'postgresql://u@db/x?sslmode=verify-full&sslrootcert=/nonexistent/ca.crt' }, { HOME }, noSocket);
    expect(() => tlsOptions(named, {})).toThrow(/^root certificate file "\/nonexistent\/ca\.crt" does not exist \(sslmode=verify-full\)/);
  });

  it('checks against the root certificate in verify-full (names too), verify-ca (chain only), and require when the file exists', () => {
    const HOME = homeWith({ 'root.crt': `subject=CA\n${CA}\n${OTHER_CA}\n` });
    const full = tlsOptions(resolveConnection({ host: 'db' }, { HOME, PGSSLMODE: 'verify-full' }, noSocket), {});
    expect(full).toEqual({ rejectUnauthorized: true, ca: [CA, OTHER_CA] });
    for (const mode of ['verify-ca', 'require']) {
      const options = tlsOptions(resolveConnection({ host: 'db' }, { HOME, PGSSLMODE: mode }, noSocket), {});
      expect(options).toMatchObject({ rejectUnauthorized: true, ca: [CA, OTHER_CA] });
      expect((options as { checkServerIdentity: () => unknown }).checkServerIdentity()).toBeUndefined();
    }
    // prefer does not check (libpq would, then fall back to no TLS at all on failure).
    expect(tlsOptions(resolveConnection({ host: 'db' }, { HOME, PGSSLMODE: 'prefer' }, noSocket), {})).toEqual({ rejectUnauthorized: false });
    // require with a named file that is not there: no check, as libpq.
    expect(tlsOptions(resolveConnection({ host: 'db' }, { HOME, PGSSLMODE: 'require', PGSSLROOTCERT: '/nonexistent/ca.crt' }, noSocket), {})).toEqual({
      rejectUnauthorized: false,
    });
  });

  it('a root certificate file without a certificate in it is one line naming it', () => {
    const HOME = homeWith({ 'root.crt': 'not a certificate\n' });
    expect(() => tlsOptions(resolveConnection({ host: 'db' }, { HOME, PGSSLMODE: 'verify-full' }, noSocket), {})).toThrow(
      new ConnectionError(`could not read root certificate file "${path.join(HOME, '.postgresql', 'root.crt')}": no PEM certificate in it (sslrootcert/PGSSLROOTCERT)`, 'ssl'),
    );
  });

  it('reads a URI whose TLS files pg-connection-string would have read or refused (verify-ca relying on ~/.postgresql/root.crt)', () => {
    const HOME = homeWith({ 'root.crt': CA });
    const connection = resolveConnection({ positional: 'postgresql://u@db/x?sslmode=verify-ca&application_name=a%20b&sslcert=/no/client.crt' }, { HOME }, noSocket);
    expect(connection).toMatchObject({ sslMode: 'verify-ca', sslRootCert: path.join(HOME, '.postgresql', 'root.crt'), sslCert: '/no/client.crt', database: 'x' });
    expect(tlsOptions({ ...connection, sslCert: undefined }, {})).toMatchObject({ rejectUnauthorized: true, ca: [CA] });
  });
});

describe('sslrootcert=system (libpq 16)', () => {
  it('makes verify-full the default, and refuses any weaker sslmode as libpq does', () => {
    const HOME = emptyHome();
    expect(resolveConnection({ positional: 'postgresql://u@db/x?sslrootcert=system' }, { HOME }, noSocket).sslMode).toBe('verify-full');
    expect(resolveConnection({ host: 'db' }, { HOME, PGSSLROOTCERT: 'system' }, noSocket).sslMode).toBe('verify-full');
    expect(() => resolveConnection({ positional: 'postgresql://u@db/x?sslrootcert=system&sslmode=require' }, { HOME }, noSocket)).toThrow(
      new UsageError('weak sslmode "require" may not be used with sslrootcert=system (use "verify-full")'),
    );
    expect(() => resolveConnection({ host: 'db' }, { HOME, PGSSLROOTCERT: 'system', PGSSLMODE: 'verify-ca' }, noSocket)).toThrow(/weak sslmode "verify-ca"/);
  });

  it("checks against OpenSSL's trusted roots: SSL_CERT_FILE and the certificates in SSL_CERT_DIR", () => {
    const dir = emptyHome();
    writeFileSync(path.join(dir, 'bundle.pem'), `${CA}\n`);
    mkdirSync(path.join(dir, 'certs'));
    writeFileSync(path.join(dir, 'certs', 'abcd1234.0'), OTHER_CA);
    const connection = resolveConnection({ host: 'db' }, { HOME: dir, PGSSLROOTCERT: 'system' }, noSocket);
    expect(tlsOptions(connection, { SSL_CERT_FILE: path.join(dir, 'bundle.pem'), SSL_CERT_DIR: path.join(dir, 'certs') })).toEqual({
      rejectUnauthorized: true,
      ca: [CA, OTHER_CA],
    });
    expect(() => tlsOptions(connection, { SSL_CERT_FILE: path.join(dir, 'none.pem') })).toThrow(
      new ConnectionError(`sslrootcert=system: no trusted root certificates found (${path.join(dir, 'none.pem')}): install the system's CA certificates, or point SSL_CERT_FILE at a CA bundle`, 'ssl'),
    );
  });

  it('without SSL_CERT_FILE reads the bundle the distribution installs', () => {
    const bundle = '/etc/ssl/certs/ca-certificates.crt';
    const connection = resolveConnection({ host: 'db' }, { HOME: emptyHome(), PGSSLROOTCERT: 'system' }, noSocket);
    if (!existsSync(bundle)) return expect(() => tlsOptions(connection, {})).toThrow(/no trusted root certificates found/);
    const options = tlsOptions(connection, {}) as { ca: string[] };
    expect(options.ca.length).toBe((readFileSync(bundle, 'utf8').match(/-----BEGIN CERTIFICATE-----/g) ?? []).length);
  });
});

describe('revocation lists, as libpq loads them next to a root certificate file', () => {
  it('uses ~/.postgresql/root.crl when it exists, sslcrl/PGSSLCRL and sslcrldir/PGSSLCRLDIR when given, and skips files without a list', () => {
    const HOME = homeWith({ 'root.crt': CA, 'root.crl': CRL });
    expect(tlsOptions(resolveConnection({ host: 'db' }, { HOME, PGSSLMODE: 'verify-full' }, noSocket), {})).toEqual({ rejectUnauthorized: true, ca: [CA], crl: [CRL] });
    mkdirSync(path.join(HOME, 'crls'));
    writeFileSync(path.join(HOME, 'crls', 'abcd.r0'), CRL);
    writeFileSync(path.join(HOME, 'crls', 'README'), 'not a list');
    // With sslcrldir alone, libpq does not look at ~/.postgresql/root.crl.
    const dirOnly = resolveConnection({ host: 'db' }, { HOME, PGSSLMODE: 'verify-full', PGSSLCRLDIR: path.join(HOME, 'crls') }, noSocket);
    expect(dirOnly.sslCrl).toBeUndefined();
    expect(tlsOptions(dirOnly, {})).toMatchObject({ crl: [CRL] });
    const viaUri = resolveConnection({ positional: `postgresql://u@db/x?sslmode=verify-ca&sslcrl=${path.join(HOME, 'crls', 'README')}` }, { HOME }, noSocket);
    expect(tlsOptions(viaUri, {})).not.toHaveProperty('crl');
  });
});
