// Where to connect and as whom, resolved exactly as psql does it: a URI's
// parts, then -h/-p/-U/-d, then the PG* environment, then libpq's defaults
// (the Unix socket when one exists, the OS user, a database named after the
// user). Passwords come from the URI, PGPASSWORD or ~/.pgpass (PGPASSFILE).
// TLS files as libpq: sslrootcert, sslcert, sslkey from the URI or
// PGSSLROOTCERT/PGSSLCERT/PGSSLKEY, else ~/.postgresql/{root.crt,
// postgresql.crt, postgresql.key} when they exist.
import { existsSync, readFileSync } from 'node:fs';
import { homedir, userInfo } from 'node:os';
import path from 'node:path';
import { parse as parseConnectionString } from 'pg-connection-string';
import { ConnectionError, UsageError } from '../errors.js';

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

export function resolveConnection(
  flags: ConnectionFlags,
  env: NodeJS.ProcessEnv = process.env,
  exists: (path: string) => boolean = existsSync,
): ResolvedConnection {
  const libpqFile = (name: string) => {
    const file = path.join(env.HOME || homedir(), '.postgresql', name);
    return exists(file) ? file : undefined;
  };
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
    SOCKET_DIRS.find((dir) => exists(`${dir}/.s.PGSQL.${port}`)) ??
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
    sslRootCert: nonEmpty(uri.sslrootcert) ?? nonEmpty(env.PGSSLROOTCERT) ?? libpqFile('root.crt'),
    sslCert: nonEmpty(uri.sslcert) ?? nonEmpty(env.PGSSLCERT) ?? libpqFile('postgresql.crt'),
    sslKey: nonEmpty(uri.sslkey) ?? nonEmpty(env.PGSSLKEY) ?? libpqFile('postgresql.key'),
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
  ca?: string;
  cert?: string;
  key?: string;
  checkServerIdentity?: () => undefined;
}

/** The TLS options for node's tls.connect that match an sslmode, or false for none. */
export function tlsOptions(connection: ResolvedConnection): false | TlsOptions {
  if (connection.sslMode === 'disable' || connection.sslMode === 'allow') return false;
  // As libpq: the client certificate is offered in every mode that uses TLS, when there is one with its key.
  const client =
    connection.sslCert && connection.sslKey
      ? { cert: readTlsFile(connection.sslCert, 'sslcert/PGSSLCERT'), key: readTlsFile(connection.sslKey, 'sslkey/PGSSLKEY') }
      : {};
  // libpq does not verify the server's certificate in prefer and require.
  if (connection.sslMode === 'prefer' || connection.sslMode === 'require') return { rejectUnauthorized: false, ...client };
  const ca = connection.sslRootCert ? readTlsFile(connection.sslRootCert, 'sslrootcert/PGSSLROOTCERT') : undefined;
  return connection.sslMode === 'verify-ca'
    ? { rejectUnauthorized: true, ca, checkServerIdentity: () => undefined, ...client }
    : { rejectUnauthorized: true, ca, ...client };
}
