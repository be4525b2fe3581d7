// Where to connect and as whom, resolved exactly as psql does it: a URI's
// parts, then -h/-p/-U/-d, then the PG* environment, then libpq's defaults
// (the Unix socket when one exists, the OS user, a database named after the
// user). Passwords come from the URI, PGPASSWORD or ~/.pgpass (PGPASSFILE).
// TLS files as libpq: sslrootcert, sslcert, sslkey, sslcrl, sslcrldir from
// the URI or PGSSLROOTCERT/PGSSLCERT/PGSSLKEY/PGSSLCRL/PGSSLCRLDIR, else
// ~/.postgresql/{root.crt, postgresql.crt, postgresql.key, root.crl} when they
// exist; src/db/tls-options.ts turns them into TLS options as libpq uses them.
import { existsSync } from 'node:fs';
import { homedir, userInfo } from 'node:os';
import path from 'node:path';
import { parse as parseConnectionString } from 'pg-connection-string';
import { UsageError } from '../errors.js';

export type SslMode = 'disable' | 'allow' | 'prefer' | 'require' | 'verify-ca' | 'verify-full';
const SSL_MODES: readonly SslMode[] = ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full'];

/** What the command line said; every field optional, as in psql. */
export interface ConnectionFlags {
  host?: string;
  port?: string;
  username?: string;
  dbname?: string;
  /** The positional argument: a database name or a postgres:// URI. */
  positional?: string;
}

export interface ResolvedConnection {
  host: string;
  port: number;
  user: string;
  database: string;
  /** Known up front (URI or PGPASSWORD); otherwise looked up in .pgpass when the server asks. */
  password?: string;
  sslMode: SslMode;
  /**
   * The root certificate file libpq would use: sslrootcert, PGSSLROOTCERT, else
   * ~/.postgresql/root.crt (which may not exist); or "system", the trusted roots
   * of the system's OpenSSL (libpq 16+).
   */
  sslRootCert?: string;
  /** Certificate revocation lists, checked with a root certificate file: sslcrl/PGSSLCRL (else ~/.postgresql/root.crl), sslcrldir/PGSSLCRLDIR. */
  sslCrl?: string;
  sslCrlDir?: string;
  /** A client certificate and its key (the server's `cert` authentication, or clientcert=verify-full). */
  sslCert?: string;
  sslKey?: string;
  applicationName: string;
  /** How the header names where the connection goes. */
  describe: string;
}

const SOCKET_DIRS = ['/var/run/postgresql', '/tmp'];

function isUri(text: string | undefined): text is string {
  return !!text && /^postgres(ql)?:\/\//.test(text);
}

function nonEmpty(value: string | null | undefined): string | undefined {
  return value === null || value === undefined || value === '' ? undefined : value;
}

function parsePort(text: string): number {
  const port = Number(text);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new UsageError(`invalid port "${text}": give a number from 1 to 65535 (-p/--port, PGPORT)`);
  }
  return port;
}

function parseSslMode(text: string, from: string): SslMode {
  if ((SSL_MODES as readonly string[]).includes(text)) return text as SslMode;
  throw new UsageError(`invalid sslmode "${text}" in ${from}: use one of ${SSL_MODES.join(', ')}`);
}

/** Parameters whose files pgtop reads itself, as libpq does: the URI parser must not read (or judge) them. */
const TLS_PARAMETERS = ['sslmode', 'sslrootcert', 'sslcert', 'sslkey', 'sslcrl', 'sslcrldir'] as const;
type TlsParameter = (typeof TLS_PARAMETERS)[number];

/** The URI without its TLS parameters, and those parameters. */
function splitTlsParameters(uri: string): { rest: string; tls: Partial<Record<TlsParameter, string>> } {
  const at = uri.indexOf('?');
  if (at === -1) return { rest: uri, tls: {} };
  const params = new URLSearchParams(uri.slice(at + 1));
  const tls: Partial<Record<TlsParameter, string>> = {};
  for (const name of TLS_PARAMETERS) {
    const value = params.get(name);
    if (value !== null) tls[name] = value;
    params.delete(name);
  }
  const query = params.toString();
  return { rest: uri.slice(0, at) + (query ? `?${query}` : ''), tls };
}

export function resolveConnection(
  flags: ConnectionFlags,
  env: NodeJS.ProcessEnv = process.env,
  exists: (path: string) => boolean = existsSync,
): ResolvedConnection {
  const home = env.HOME || homedir();
  const libpqFile = (name: string) => {
    const file = path.join(home, '.postgresql', name);
    return exists(file) ? file : undefined;
  };
  // psql accepts a URI as the positional argument or as -d.
  const uriText = isUri(flags.dbname) ? flags.dbname : isUri(flags.positional) ? flags.positional : undefined;
  let uri: Record<string, string | null | undefined> = {};
  // pg-connection-string would read sslrootcert itself (failing on "system"), and refuse
  // verify-ca without it in the URI even when PGSSLROOTCERT or ~/.postgresql/root.crt exists.
  const { rest: uriWithoutTls, tls: uriTls } = uriText ? splitTlsParameters(uriText) : { rest: undefined, tls: {} };
  if (uriWithoutTls) {
    try {
      uri = parseConnectionString(uriWithoutTls, { useLibpqCompat: true }) as typeof uri;
    } catch (error) {
      throw new UsageError(`invalid connection URI: ${(error as Error).message}`);
    }
  }
  const dbFlag = isUri(flags.dbname) ? undefined : flags.dbname;
  const dbPositional = isUri(flags.positional) ? undefined : flags.positional;

  const portText = nonEmpty(uri.port) ?? flags.port ?? nonEmpty(env.PGPORT) ?? '5432';
  const port = parsePort(portText);
  const host =
    nonEmpty(uri.host) ??
    flags.host ??
    nonEmpty(env.PGHOST) ??
    SOCKET_DIRS.find((dir) => exists(`${dir}/.s.PGSQL.${port}`)) ??
    'localhost';
  const user = nonEmpty(uri.user) ?? flags.username ?? nonEmpty(env.PGUSER) ?? osUser();
  const database = nonEmpty(uri.database) ?? dbFlag ?? dbPositional ?? nonEmpty(env.PGDATABASE) ?? user;
  const password = nonEmpty(uri.password) ?? nonEmpty(env.PGPASSWORD);

  const isSocket = host.startsWith('/');
  const sslRootCert = nonEmpty(uriTls.sslrootcert) ?? nonEmpty(env.PGSSLROOTCERT) ?? path.join(home, '.postgresql', 'root.crt');
  const sslModeText = nonEmpty(uriTls.sslmode) ?? nonEmpty(env.PGSSLMODE);
  const chosenMode = sslModeText ? parseSslMode(sslModeText, uriTls.sslmode ? 'the URI' : 'PGSSLMODE') : undefined;
  // libpq 16: "When using sslrootcert=system, the default sslmode is changed to
  // verify-full, and any weaker setting will result in an error." (libpq-connect, sslrootcert)
  if (sslRootCert === 'system' && chosenMode && chosenMode !== 'verify-full') {
    throw new UsageError(`weak sslmode "${chosenMode}" may not be used with sslrootcert=system (use "verify-full")`);
  }
  const sslMode = isSocket ? 'disable' : (chosenMode ?? (sslRootCert === 'system' ? 'verify-full' : 'prefer'));
  const sslCrlDir = nonEmpty(uriTls.sslcrldir) ?? nonEmpty(env.PGSSLCRLDIR);
  // libpq looks for ~/.postgresql/root.crl only when neither sslcrl nor sslcrldir is set.
  const sslCrl = nonEmpty(uriTls.sslcrl) ?? nonEmpty(env.PGSSLCRL) ?? (sslCrlDir ? undefined : path.join(home, '.postgresql', 'root.crl'));

  return {
    host,
    port,
    user,
    database,
    password,
    sslMode,
    sslRootCert,
    ...(sslCrl ? { sslCrl } : {}),
    ...(sslCrlDir ? { sslCrlDir } : {}),
    sslCert: nonEmpty(uriTls.sslcert) ?? nonEmpty(env.PGSSLCERT) ?? libpqFile('postgresql.crt'),
    sslKey: nonEmpty(uriTls.sslkey) ?? nonEmpty(env.PGSSLKEY) ?? libpqFile('postgresql.key'),
    applicationName: nonEmpty(env.PGAPPNAME) ?? 'pgtop',
    describe: isSocket ? `socket ${host}:${port}` : `${host}:${port}`,
  };
}

function osUser(): string {
  try {
    return userInfo().username;
  } catch {
    return 'postgres';
  }
}
