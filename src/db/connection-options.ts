// Where to connect and as whom, resolved exactly as psql does it: a URI's
// parts, then -h/-p/-U/-d, then the PG* environment, then libpq's defaults
// (the Unix socket when one exists, the OS user, a database named after the
// user). Passwords come from the URI, PGPASSWORD or ~/.pgpass (PGPASSFILE).
import { existsSync, readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
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
  sslRootCert?: string;
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

export function resolveConnection(
  flags: ConnectionFlags,
  env: NodeJS.ProcessEnv = process.env,
  socketExists: (path: string) => boolean = existsSync,
): ResolvedConnection {
  // psql accepts a URI as the positional argument or as -d.
  const uriText = isUri(flags.dbname) ? flags.dbname : isUri(flags.positional) ? flags.positional : undefined;
  let uri: Record<string, string | null | undefined> = {};
  if (uriText) {
    try {
      uri = parseConnectionString(uriText, { useLibpqCompat: true }) as typeof uri;
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
    SOCKET_DIRS.find((dir) => socketExists(`${dir}/.s.PGSQL.${port}`)) ??
    'localhost';
  const user = nonEmpty(uri.user) ?? flags.username ?? nonEmpty(env.PGUSER) ?? osUser();
  const database = nonEmpty(uri.database) ?? dbFlag ?? dbPositional ?? nonEmpty(env.PGDATABASE) ?? user;
  const password = nonEmpty(uri.password) ?? nonEmpty(env.PGPASSWORD);

  const isSocket = host.startsWith('/');
  const sslModeText = nonEmpty(uri.sslmode) ?? nonEmpty(env.PGSSLMODE);
  const sslMode = isSocket
    ? 'disable'
    : sslModeText
      ? parseSslMode(sslModeText, uri.sslmode ? 'the URI' : 'PGSSLMODE')
      : 'prefer';

  return {
    host,
    port,
    user,
    database,
    password,
    sslMode,
    sslRootCert: nonEmpty(uri.sslrootcert) ?? nonEmpty(env.PGSSLROOTCERT),
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

/** The TLS options for node's tls.connect that match an sslmode, or false for none. */
export function tlsOptions(connection: ResolvedConnection): false | { rejectUnauthorized: boolean; ca?: string; checkServerIdentity?: () => undefined } {
  switch (connection.sslMode) {
    case 'disable':
    case 'allow':
      return false;
    case 'prefer':
    case 'require':
      // libpq does not verify the certificate in these modes.
      return { rejectUnauthorized: false };
    case 'verify-ca':
    case 'verify-full': {
      const ca = connection.sslRootCert ? readFileSync(connection.sslRootCert, 'utf8') : undefined;
      return connection.sslMode === 'verify-ca'
        ? { rejectUnauthorized: true, ca, checkServerIdentity: () => undefined }
        : { rejectUnauthorized: true, ca };
    }
  }
}
