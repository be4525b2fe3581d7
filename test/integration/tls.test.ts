// sslmode as libpq means it, against a real server with TLS on: prefer and
// require encrypt without checking, verify-ca/verify-full check the
// certificate, disable does not encrypt, and a failed check is one clear line.
// A client certificate (PGSSLCERT/PGSSLKEY, a URI's sslcert/sslkey, or
// ~/.postgresql/postgresql.{crt,key}) logs in where pg_hba.conf says `cert`.
import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSession } from '../../src/db/connection.js';
import { resolveConnection, type SslMode } from '../../src/db/connection-options.js';
import { ConnectionError } from '../../src/errors.js';
import { startLocalCluster, type LocalCluster } from '../../src/localcluster/cluster.js';
import { unprivilegedUser } from '../../src/localcluster/os.js';
import pg from 'pg';

let cluster: LocalCluster;
let certDir: string;
let certFile: string;
let clientCert: string;
let clientKey: string;
const CERT_USER = 'cert_user';

beforeAll(async () => {
  certDir = mkdtempSync(join(tmpdir(), 'pgtop-tls-'));
  certFile = join(certDir, 'server.crt');
  const keyFile = join(certDir, 'server.key');
  // A self-signed certificate for 127.0.0.1: it is its own CA.
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=127.0.0.1',
    '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', keyFile, '-out', certFile,
  ], { stdio: 'ignore' });
  // A client certificate for CERT_USER, signed by that certificate (the server trusts it as its CA).
  clientCert = join(certDir, 'client.crt');
  clientKey = join(certDir, 'client.key');
  const csr = join(certDir, 'client.csr');
  execFileSync('openssl', ['req', '-new', '-newkey', 'rsa:2048', '-nodes', '-subj', `/CN=${CERT_USER}`, '-keyout', clientKey, '-out', csr], { stdio: 'ignore' });
  execFileSync('openssl', ['x509', '-req', '-in', csr, '-CA', certFile, '-CAkey', keyFile, '-CAcreateserial', '-days', '2', '-out', clientCert], { stdio: 'ignore' });
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
  cluster = await startLocalCluster({ settings: { ssl: 'on', ssl_cert_file: certFile, ssl_key_file: keyFile, ssl_ca_file: certFile, hba_file: hbaFile } });
  const admin = new pg.Client({ host: cluster.host, port: cluster.port, user: cluster.user, password: cluster.password, database: 'postgres' });
  await admin.connect();
  await admin.query(`CREATE ROLE ${CERT_USER} LOGIN`);
  await admin.end();
}, 60_000);

afterAll(async () => {
  await cluster?.stop();
  rmSync(certDir, { recursive: true, force: true });
});

function connectionWith(sslmode: SslMode, rootCert?: string) {
  return resolveConnection(
    { host: cluster.host, port: String(cluster.port), username: cluster.user },
    { PGPASSWORD: cluster.password, PGSSLMODE: sslmode, ...(rootCert ? { PGSSLROOTCERT: rootCert } : {}) },
  );
}

async function encrypted(sslmode: SslMode, rootCert?: string): Promise<boolean> {
  const session = await openSession(connectionWith(sslmode, rootCert), { purpose: 'monitor' });
  try {
    const result = await session.client.query<{ ssl: boolean }>('SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()');
    return result.rows[0]!.ssl;
  } finally {
    await session.close();
  }
}

describe('sslmode against a server with TLS', () => {
  it('prefer (the default) and require encrypt', async () => {
    expect(await encrypted('prefer')).toBe(true);
    expect(await encrypted('require')).toBe(true);
  });

  it('disable does not', async () => {
    expect(await encrypted('disable')).toBe(false);
  });

  it('verify-ca and verify-full accept the server when given its CA', async () => {
    expect(await encrypted('verify-ca', certFile)).toBe(true);
    expect(await encrypted('verify-full', certFile)).toBe(true);
  });

  it('verify-full without the CA fails with one line that says how to fix it', async () => {
    const failure = await openSession(connectionWith('verify-full'), { purpose: 'monitor' }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ConnectionError);
    expect((failure as Error).message).toMatch(/^TLS certificate check failed for 127\.0\.0\.1:\d+ .*sslrootcert\/PGSSLROOTCERT/);
    expect((failure as Error).message).not.toContain('\n');
  });
});

describe('a client certificate, where pg_hba.conf says cert', () => {
  async function whoAmI(env: Record<string, string>): Promise<string> {
    const connection = resolveConnection({ host: cluster.host, port: String(cluster.port), username: CERT_USER, dbname: 'postgres' }, env, () => false);
    const session = await openSession(connection, { purpose: 'monitor' });
    try {
      return (await session.client.query<{ who: string }>('SELECT current_user AS who')).rows[0]!.who;
    } finally {
      await session.close();
    }
  }

  it('logs in with PGSSLCERT/PGSSLKEY (with the server verified through PGSSLROOTCERT), and no password', async () => {
    expect(await whoAmI({ PGSSLMODE: 'verify-full', PGSSLROOTCERT: certFile, PGSSLCERT: clientCert, PGSSLKEY: clientKey })).toBe(CERT_USER);
    expect(await whoAmI({ PGSSLMODE: 'require', PGSSLCERT: clientCert, PGSSLKEY: clientKey })).toBe(CERT_USER);
  });

  it("finds them in ~/.postgresql as libpq does: postgresql.crt, postgresql.key and root.crt", async () => {
    const home = mkdtempSync(join(tmpdir(), 'pgtop-home-'));
    try {
      mkdirSync(join(home, '.postgresql'));
      copyFileSync(clientCert, join(home, '.postgresql', 'postgresql.crt'));
      copyFileSync(clientKey, join(home, '.postgresql', 'postgresql.key'));
      copyFileSync(certFile, join(home, '.postgresql', 'root.crt'));
      const connection = resolveConnection({ host: cluster.host, port: String(cluster.port), username: CERT_USER }, { HOME: home, PGSSLMODE: 'verify-full' });
      expect(connection).toMatchObject({ sslCert: join(home, '.postgresql', 'postgresql.crt'), sslRootCert: join(home, '.postgresql', 'root.crt') });
      const session = await openSession({ ...connection, database: 'postgres' }, { purpose: 'monitor' });
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
