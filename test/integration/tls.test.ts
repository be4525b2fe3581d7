// sslmode as libpq means it, against a real server with TLS on: prefer and
// require encrypt without checking, verify-ca/verify-full check the
// certificate against the root certificates libpq would use (sslrootcert,
// PGSSLROOTCERT, ~/.postgresql/root.crt, or sslrootcert=system for the
// system's roots), and refuse without one; require checks too when a root
// certificate file exists; a revoked certificate (~/.postgresql/root.crl) is
// refused; disable does not encrypt; every failure is one clear line.
// A client certificate (PGSSLCERT/PGSSLKEY, a URI's sslcert/sslkey, or
// ~/.postgresql/postgresql.{crt,key}) logs in where pg_hba.conf says `cert`.
import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { openConnection } from '../../src/db/connection.js';
import { resolveConnection, type SslMode } from '../../src/db/connection-options.js';
import { ConnectionError } from '../../src/errors.js';
import { startLocalCluster, type LocalCluster } from '../../src/localcluster/cluster.js';
import { unprivilegedUser } from '../../src/localcluster/os.js';
import pg from 'pg';

let cluster: LocalCluster;
let certDir: string;
/** The CA that signed the server's certificate (for 127.0.0.1) and the client's. */
let caFile: string;
/** A CA that signed neither. */
let otherCaFile: string;
/** Revocation lists from the CA: one revoking nothing, one revoking the server's certificate. */
let emptyCrl: string;
let revokedCrl: string;
let clientCert: string;
let clientKey: string;
const CERT_USER = 'cert_user';

function openssl(...args: string[]): void {
  execFileSync('openssl', args, { cwd: certDir, stdio: 'ignore' });
}

beforeAll(async () => {
  certDir = mkdtempSync(join(tmpdir(), 'pgtop-tls-'));
  caFile = join(certDir, 'ca.crt');
  otherCaFile = join(certDir, 'other-ca.crt');
  const keyFile = join(certDir, 'server.key');
  const certFile = join(certDir, 'server.crt');
  const caExtensions = ['-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'];
  openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=pgtop-test-ca', ...caExtensions, '-keyout', 'ca.key', '-out', caFile);
  openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=pgtop-other-ca', ...caExtensions, '-keyout', 'other-ca.key', '-out', otherCaFile);
  // The server's certificate names 127.0.0.1, so verify-full passes there.
  writeFileSync(join(certDir, 'server.ext'), 'subjectAltName=IP:127.0.0.1\n');
  openssl('req', '-new', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=127.0.0.1', '-keyout', keyFile, '-out', 'server.csr');
  openssl('x509', '-req', '-in', 'server.csr', '-CA', caFile, '-CAkey', 'ca.key', '-CAcreateserial', '-days', '2', '-extfile', 'server.ext', '-out', certFile);
  // A client certificate for CERT_USER, signed by the same CA (the server trusts it).
  clientCert = join(certDir, 'client.crt');
  clientKey = join(certDir, 'client.key');
  openssl('req', '-new', '-newkey', 'rsa:2048', '-nodes', '-subj', `/CN=${CERT_USER}`, '-keyout', clientKey, '-out', 'client.csr');
  openssl('x509', '-req', '-in', 'client.csr', '-CA', caFile, '-CAkey', 'ca.key', '-CAcreateserial', '-days', '2', '-out', clientCert);
  // The CA's revocation lists, before and after revoking the server's certificate.
  writeFileSync(join(certDir, 'index.txt'), '');
  writeFileSync(join(certDir, 'crlnumber'), '01\n');
  writeFileSync(join(certDir, 'ca.cnf'), '[ca]\ndefault_ca = test\n[test]\ndatabase = index.txt\ncrlnumber = crlnumber\ndefault_md = sha256\ndefault_crl_days = 2\n');
  emptyCrl = join(certDir, 'empty.crl');
  revokedCrl = join(certDir, 'revoked.crl');
  const ca = ['-config', 'ca.cnf', '-keyfile', 'ca.key', '-cert', caFile];
  openssl('ca', ...ca, '-gencrl', '-out', emptyCrl);
  openssl('ca', ...ca, '-revoke', certFile);
  openssl('ca', ...ca, '-gencrl', '-out', revokedCrl);
  // CERT_USER logs in only with its certificate; everyone else as initdb set it up.
  const hbaFile = join(certDir, 'pg_hba.conf');
  writeFileSync(
    hbaFile,
    [
      'local all all trust',
      `hostssl all ${CERT_USER} 127.0.0.1/32 cert`,
      'host all all 127.0.0.1/32 scram-sha-256',
      'host all all ::1/128 scram-sha-256',
      '',
    ].join('\n'),
    { mode: 0o644 },
  );
  chmodSync(certDir, 0o755);
  chmodSync(keyFile, 0o600);
  const runAs = unprivilegedUser();
  if (runAs) chownSync(keyFile, runAs.uid, runAs.gid);
  cluster = await startLocalCluster({ settings: { ssl: 'on', ssl_cert_file: certFile, ssl_key_file: keyFile, ssl_ca_file: caFile, hba_file: hbaFile } });
  const admin = new pg.Client({ host: cluster.host, port: cluster.port, user: cluster.user, password: cluster.password, database: 'postgres' });
  await admin.connect();
  await admin.query(`CREATE ROLE ${CERT_USER} LOGIN`);
  await admin.end();
}, 60_000);

afterAll(async () => {
  await cluster?.stop();
  rmSync(certDir, { recursive: true, force: true });
});

const homes: string[] = [];
afterEach(() => {
  vi.unstubAllEnvs();
  for (const home of homes.splice(0)) rmSync(home, { recursive: true, force: true });
});

/** A home directory whose ~/.postgresql holds copies of these files (root.crt, root.crl…); empty without any. */
function homeWith(files: Record<string, string> = {}): string {
  const home = mkdtempSync(join(tmpdir(), 'pgtop-home-'));
  homes.push(home);
  mkdirSync(join(home, '.postgresql'));
  for (const [name, from] of Object.entries(files)) copyFileSync(from, join(home, '.postgresql', name));
  return home;
}

function connectionWith(sslmode: SslMode | undefined, env: Record<string, string> = {}) {
  return resolveConnection(
    { host: cluster.host, port: String(cluster.port), username: cluster.user },
    { HOME: homeWith(), PGPASSWORD: cluster.password, ...(sslmode ? { PGSSLMODE: sslmode } : {}), ...env },
  );
}

async function encrypted(sslmode: SslMode | undefined, env: Record<string, string> = {}): Promise<boolean> {
  const session = await openConnection(connectionWith(sslmode, env), { purpose: 'monitor' });
  try {
    const result = await session.client.query<{ ssl: boolean }>('SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()');
    return result.rows[0]!.ssl;
  } finally {
    await session.close();
  }
}

/** The one line a failed connection says. */
async function failure(sslmode: SslMode | undefined, env: Record<string, string> = {}): Promise<string> {
  const error = await openConnection(connectionWith(sslmode, env), { purpose: 'monitor' }).then(
    async (session) => {
      await session.close();
      return new Error('it connected');
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ConnectionError);
  expect((error as Error).message).not.toContain('\n');
  return (error as Error).message;
}

describe('sslmode against a server with TLS', () => {
  it('prefer (the default) and require encrypt, without a root certificate file', async () => {
    expect(await encrypted(undefined)).toBe(true);
    expect(await encrypted('require')).toBe(true);
  });

  it('disable does not', async () => {
    expect(await encrypted('disable')).toBe(false);
  });

  it('verify-ca and verify-full accept the server given its CA by PGSSLROOTCERT or ~/.postgresql/root.crt', async () => {
    expect(await encrypted('verify-ca', { PGSSLROOTCERT: caFile })).toBe(true);
    expect(await encrypted('verify-full', { PGSSLROOTCERT: caFile })).toBe(true);
    expect(await encrypted('verify-full', { HOME: homeWith({ 'root.crt': caFile }) })).toBe(true);
  });

  it("verify-ca and verify-full without a root certificate refuse in one line, as libpq does (never Node's list of public CAs)", async () => {
    for (const mode of ['verify-ca', 'verify-full'] as const) {
      const home = homeWith();
      expect(await failure(mode, { HOME: home })).toBe(
        `root certificate file "${join(home, '.postgresql', 'root.crt')}" does not exist (sslmode=${mode}): either provide the file (sslrootcert, PGSSLROOTCERT or ~/.postgresql/root.crt), use the system's trusted roots with sslrootcert=system, or change sslmode to disable server certificate verification`,
      );
    }
  });

  it('verify-full with a CA that did not sign the server fails with one line that says how to fix it', async () => {
    expect(await failure('verify-full', { PGSSLROOTCERT: otherCaFile })).toMatch(
      new RegExp(`^TLS certificate check failed for 127\\.0\\.0\\.1:\\d+ \\(.+\\): checked against ${otherCaFile}: give the server's CA with sslrootcert/PGSSLROOTCERT$`),
    );
  });

  it('require checks the server when ~/.postgresql/root.crt exists, as libpq does (verify-ca)', async () => {
    expect(await encrypted('require', { HOME: homeWith({ 'root.crt': caFile }) })).toBe(true);
    const home = homeWith({ 'root.crt': otherCaFile });
    expect(await failure('require', { HOME: home })).toMatch(
      new RegExp(`^TLS certificate check failed .*checked against ${join(home, '.postgresql', 'root.crt')}: .*\\(sslmode=require checks too when that file exists, as libpq does\\)$`),
    );
  });

  it('refuses a server whose certificate ~/.postgresql/root.crl revokes, and accepts it under a list that does not', async () => {
    expect(await encrypted('verify-full', { HOME: homeWith({ 'root.crt': caFile, 'root.crl': emptyCrl }) })).toBe(true);
    expect(await failure('verify-full', { HOME: homeWith({ 'root.crt': caFile, 'root.crl': revokedCrl }) })).toMatch(
      /^TLS certificate check failed for 127\.0\.0\.1:\d+ \(certificate revoked\)/,
    );
    expect(await failure('verify-ca', { PGSSLROOTCERT: caFile, PGSSLCRL: revokedCrl })).toMatch(/\(certificate revoked\)/);
  });

  it("sslrootcert=system checks against the system's roots (SSL_CERT_FILE honoured), in verify-full by default", async () => {
    vi.stubEnv('SSL_CERT_FILE', caFile);
    const connection = connectionWith(undefined, { PGSSLROOTCERT: 'system' });
    expect(connection.sslMode).toBe('verify-full');
    expect(await encrypted(undefined, { PGSSLROOTCERT: 'system' })).toBe(true);
    // The distribution's public CAs did not sign this test server.
    vi.stubEnv('SSL_CERT_FILE', undefined);
    expect(await failure(undefined, { PGSSLROOTCERT: 'system' })).toMatch(
      /^TLS certificate check failed for 127\.0\.0\.1:\d+ \(.+\): the system's trusted roots do not vouch for it: give its CA with sslrootcert\/PGSSLROOTCERT$/,
    );
  });
});

describe('a client certificate, where pg_hba.conf says cert', () => {
  async function whoAmI(env: Record<string, string>): Promise<string> {
    const connection = resolveConnection({ host: cluster.host, port: String(cluster.port), username: CERT_USER, dbname: 'postgres' }, { HOME: homeWith(), ...env }, () => false);
    const session = await openConnection(connection, { purpose: 'monitor' });
    try {
      return (await session.client.query<{ who: string }>('SELECT current_user AS who')).rows[0]!.who;
    } finally {
      await session.close();
    }
  }

  it('logs in with PGSSLCERT/PGSSLKEY (with the server verified through PGSSLROOTCERT), and no password', async () => {
    expect(await whoAmI({ PGSSLMODE: 'verify-full', PGSSLROOTCERT: caFile, PGSSLCERT: clientCert, PGSSLKEY: clientKey })).toBe(CERT_USER);
    expect(await whoAmI({ PGSSLMODE: 'require', PGSSLCERT: clientCert, PGSSLKEY: clientKey })).toBe(CERT_USER);
  });

  it("finds them in ~/.postgresql as libpq does: postgresql.crt, postgresql.key and root.crt", async () => {
    const home = mkdtempSync(join(tmpdir(), 'pgtop-home-'));
    try {
      mkdirSync(join(home, '.postgresql'));
      copyFileSync(clientCert, join(home, '.postgresql', 'postgresql.crt'));
      copyFileSync(clientKey, join(home, '.postgresql', 'postgresql.key'));
      copyFileSync(caFile, join(home, '.postgresql', 'root.crt'));
      const connection = resolveConnection({ host: cluster.host, port: String(cluster.port), username: CERT_USER }, { HOME: home, PGSSLMODE: 'verify-full' });
      expect(connection).toMatchObject({ sslCert: join(home, '.postgresql', 'postgresql.crt'), sslRootCert: join(home, '.postgresql', 'root.crt') });
      const session = await openConnection({ ...connection, database: 'postgres' }, { purpose: 'monitor' });
      expect((await session.client.query('SELECT current_user AS who')).rows[0].who).toBe(CERT_USER);
      await session.close();
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });

  it('without one the server refuses, and a certificate file that is not there is one line naming it', async () => {
    await expect(whoAmI({ PGSSLMODE: 'require' })).rejects.toThrow(ConnectionError);
    const missing = await whoAmI({ PGSSLMODE: 'require', PGSSLCERT: '/nonexistent/client.crt', PGSSLKEY: clientKey }).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(ConnectionError);
    expect((missing as Error).message).toBe('cannot read /nonexistent/client.crt (sslcert/PGSSLCERT): ENOENT; check the path and its permissions');
  });
});
