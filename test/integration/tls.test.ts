// sslmode as libpq means it, against a real server with TLS on: prefer and
// require encrypt without checking, verify-ca/verify-full check the
// certificate, disable does not encrypt, and a failed check is one clear line.
import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSession } from '../../src/db/connection.js';
import { resolveConnection, type SslMode } from '../../src/db/connection-options.js';
import { ConnectionError } from '../../src/errors.js';
import { startLocalCluster, type LocalCluster } from '../../src/localcluster/cluster.js';
import { unprivilegedUser } from '../../src/localcluster/os.js';

let cluster: LocalCluster;
let certDir: string;
let certFile: string;

beforeAll(async () => {
  certDir = mkdtempSync(join(tmpdir(), 'pgtop-tls-'));
  certFile = join(certDir, 'server.crt');
  const keyFile = join(certDir, 'server.key');
  // A self-signed certificate for 127.0.0.1: it is its own CA.
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=127.0.0.1',
    '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', keyFile, '-out', certFile,
  ], { stdio: 'ignore' });
  chmodSync(certDir, 0o755);
  chmodSync(keyFile, 0o600);
  const runAs = unprivilegedUser();
  if (runAs) chownSync(keyFile, runAs.uid, runAs.gid);
  cluster = await startLocalCluster({ settings: { ssl: 'on', ssl_cert_file: certFile, ssl_key_file: keyFile } });
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
