// The TLS options for a connection, as libpq would use its files: the
// server's certificate is checked against the root certificates exactly when
// libpq checks it (sslrootcert, PGSSLROOTCERT, ~/.postgresql/root.crt, or the
// system's roots for sslrootcert=system), with the revocation lists libpq
// loads beside them, and never against Node's own list of public CAs.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { ConnectionError } from '../errors.js';
import type { ResolvedConnection } from './connection-options.js';

/** A TLS file's contents; one line naming the file and the setting when it cannot be read. */
function readTlsFile(file: string, setting: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new ConnectionError(`cannot read ${file} (${setting}): ${code}; check the path and its permissions`);
  }
}

interface TlsOptions {
  rejectUnauthorized: boolean;
  ca?: string[];
  crl?: string[];
  cert?: string;
  key?: string;
  checkServerIdentity?: () => undefined;
}

/** libpq tests a root certificate file with stat(): anything that is there counts, readable or not. */
function isThere(file: string): boolean {
  try {
    statSync(file);
    return true;
  } catch {
    return false;
  }
}

function pemBlocks(text: string, label: 'CERTIFICATE' | 'X509 CRL'): string[] {
  return text.match(new RegExp(`-----BEGIN ${label}-----[\\s\\S]+?-----END ${label}-----`, 'g')) ?? [];
}

/**
 * Where OpenSSL keeps the system's trusted roots (its "default verify paths",
 * which libpq loads for sslrootcert=system): SSL_CERT_FILE, else the bundle
 * the distribution installs; plus the certificates in SSL_CERT_DIR. Node 20
 * cannot load that store itself, so the files are read here.
 */
const SYSTEM_CA_BUNDLES = [
  '/etc/ssl/certs/ca-certificates.crt', // Debian, Ubuntu, Alpine, Arch
  '/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem', // Fedora, RHEL
  '/etc/pki/tls/certs/ca-bundle.crt', // older RHEL
  '/etc/ssl/ca-bundle.pem', // openSUSE
  '/etc/ssl/cert.pem', // macOS, BSDs
];

function systemRoots(env: NodeJS.ProcessEnv): string[] {
  const bundle = env.SSL_CERT_FILE || SYSTEM_CA_BUNDLES.find(isThere);
  const files = bundle ? [bundle] : [];
  for (const dir of (env.SSL_CERT_DIR ?? '').split(':').filter(Boolean)) {
    try {
      files.push(...readdirSync(dir).map((name) => path.join(dir, name)));
    } catch {
      // OpenSSL skips a directory it cannot list.
    }
  }
  const roots = files.flatMap((file) => {
    try {
      return pemBlocks(readFileSync(file, 'utf8'), 'CERTIFICATE');
    } catch {
      return [];
    }
  });
  if (roots.length === 0) {
    throw new ConnectionError(
      `sslrootcert=system: no trusted root certificates found (${bundle ?? SYSTEM_CA_BUNDLES.join(', ')}): install the system's CA certificates, or point SSL_CERT_FILE at a CA bundle`,
      'ssl',
    );
  }
  return roots;
}

/** The revocation lists libpq would load next to a root certificate file; missing or empty ones are skipped, as libpq does. */
function revocationLists(connection: ResolvedConnection): string[] {
  const files = connection.sslCrl && isThere(connection.sslCrl) ? [connection.sslCrl] : [];
  if (connection.sslCrlDir) {
    try {
      files.push(...readdirSync(connection.sslCrlDir).map((name) => path.join(connection.sslCrlDir!, name)));
    } catch {
      // A directory that is not there holds no lists.
    }
  }
  return files.flatMap((file) => {
    try {
      return pemBlocks(readFileSync(file, 'utf8'), 'X509 CRL');
    } catch {
      return [];
    }
  });
}

/**
 * The root certificates to check the server against, or undefined when libpq
 * would not check it. libpq (fe-secure-openssl.c, initialize_SSL) loads the
 * root certificate file whenever it exists, in every sslmode that uses TLS;
 * verify-ca and verify-full without one are an error.
 */
function rootCertificates(connection: ResolvedConnection, env: NodeJS.ProcessEnv): { ca: string[]; crl: string[] } | undefined {
  if (connection.sslRootCert === 'system') return { ca: systemRoots(env), crl: [] };
  const file = connection.sslRootCert ?? path.join(env.HOME || homedir(), '.postgresql', 'root.crt');
  if (!isThere(file)) {
    if (connection.sslMode !== 'verify-ca' && connection.sslMode !== 'verify-full') return undefined;
    throw new ConnectionError(
      `root certificate file "${file}" does not exist (sslmode=${connection.sslMode}): either provide the file (sslrootcert, PGSSLROOTCERT or ~/.postgresql/root.crt), use the system's trusted roots with sslrootcert=system, or change sslmode to disable server certificate verification`,
      'ssl',
    );
  }
  const ca = pemBlocks(readTlsFile(file, 'sslrootcert/PGSSLROOTCERT'), 'CERTIFICATE');
  if (ca.length === 0) {
    throw new ConnectionError(`could not read root certificate file "${file}": no PEM certificate in it (sslrootcert/PGSSLROOTCERT)`, 'ssl');
  }
  return { ca, crl: revocationLists(connection) };
}

/** The TLS options for node's tls.connect that match an sslmode, or false for none. */
export function tlsOptions(connection: ResolvedConnection, env: NodeJS.ProcessEnv = process.env): false | TlsOptions {
  if (connection.sslMode === 'disable' || connection.sslMode === 'allow') return false;
  // As libpq: the client certificate is offered in every mode that uses TLS, when there is one with its key.
  const client =
    connection.sslCert && connection.sslKey
      ? { cert: readTlsFile(connection.sslCert, 'sslcert/PGSSLCERT'), key: readTlsFile(connection.sslKey, 'sslkey/PGSSLKEY') }
      : {};
  // prefer does not check: libpq checks against a root file there too, but falls
  // back to no TLS at all when the check fails, which protects nothing more.
  if (connection.sslMode === 'prefer') return { rejectUnauthorized: false, ...client };
  const roots = rootCertificates(connection, env);
  if (!roots) return { rejectUnauthorized: false, ...client };
  const checked = { rejectUnauthorized: true, ca: roots.ca, ...(roots.crl.length ? { crl: roots.crl } : {}), ...client };
  if (connection.sslMode === 'verify-full') return checked;
  // verify-ca; and require with a root certificate file, which libpq's docs
  // (libpq-ssl, "Client Verification of Server Certificates") put so: "For
  // backwards compatibility with earlier versions of PostgreSQL, if a root CA
  // file exists, the behavior of sslmode=require will be the same as that of
  // verify-ca, meaning the server certificate is validated against the CA."
  return { ...checked, checkServerIdentity: () => undefined };
}

/** What to do when the server's certificate failed the check, for the one line the user reads. */
export function certificateFix(connection: ResolvedConnection): string {
  if (connection.sslRootCert === 'system') {
    return "the system's trusted roots do not vouch for it: give its CA with sslrootcert/PGSSLROOTCERT";
  }
  const fix = `checked against ${connection.sslRootCert ?? '~/.postgresql/root.crt'}: give the server's CA with sslrootcert/PGSSLROOTCERT`;
  return connection.sslMode === 'require' ? `${fix} (sslmode=require checks too when that file exists, as libpq does)` : fix;
}
