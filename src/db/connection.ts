// Opening a PostgreSQL connection for one purpose. pgtop keeps two: the
// monitor (short timeouts, so a refresh can never hang or queue behind a
// lock) and the actions connection (so cancel/terminate/vacuum never stall
// the refresh). Connection failures become one-line ConnectionErrors.
import pg from 'pg';
import pgpass from 'pgpass';
import { ConnectionError, sqlState } from '../errors.js';
import { tlsOptions, type ResolvedConnection } from './connection-options.js';

export type ConnectionPurpose = 'monitor' | 'action';

const TIMEOUTS: Record<ConnectionPurpose, { statementMs: number; lockMs: number }> = {
  // A refresh that takes seconds is already a problem; never wait for a lock.
  monitor: { statementMs: 3_000, lockMs: 500 },
  // Maintenance may run long, but must not sit in a lock queue blocking others.
  action: { statementMs: 0, lockMs: 5_000 },
};

export const CONNECT_TIMEOUT_MS = 5_000;

export interface DbSession {
  client: pg.Client;
  /** This connection's backend pid: pgtop's own session, never terminated. */
  pid: number;
  serverVersionNum: number;
  serverVersion: string;
  /** False once the server or the network closed the connection. */
  isAlive(): boolean;
  /** Why the connection died, as the server or the network said it (e.g. "terminating connection due to administrator command"). */
  failure(): Error | null;
  close(): Promise<void>;
}

export interface OpenOptions {
  purpose: ConnectionPurpose;
  /** Asked when the server wants a password and none is known (psql's prompt). */
  askPassword?: () => Promise<string | undefined>;
}

/** Remembers, per resolved connection, the password typed and whether TLS was refused. */
interface Learned {
  password?: string;
  sslRefused?: boolean;
}
const learned = new WeakMap<ResolvedConnection, Learned>();

/** Raised inside a connection attempt when the server wants a password nobody gave: psql's cue to prompt. */
class PasswordNeeded extends Error {}

export async function openSession(connection: ResolvedConnection, options: OpenOptions): Promise<DbSession> {
  const memory = learned.get(connection) ?? {};
  learned.set(connection, memory);
  for (let attempt = 0; ; attempt += 1) {
    try {
      return await connectWithTls(connection, options, memory);
    } catch (error) {
      // As psql: learn that a password is needed, ask for it with no connection
      // open (so the connect timeout does not run while the user types), retry.
      if (error instanceof PasswordNeeded && options.askPassword && attempt === 0) {
        const typed = await options.askPassword();
        if (typed !== undefined) {
          memory.password = typed;
          continue;
        }
      }
      throw describeConnectError(error instanceof PasswordNeeded ? noPassword(connection) : error, connection);
    }
  }
}

async function connectWithTls(connection: ResolvedConnection, options: OpenOptions, memory: Learned): Promise<DbSession> {
  const tls = memory.sslRefused ? false : tlsOptions(connection);
  try {
    return await connectOnce(connection, options, tls, memory);
  } catch (error) {
    // sslmode=prefer: try TLS first, fall back to plain when the server has none.
    if (tls && connection.sslMode === 'prefer' && /does not support SSL/i.test(String((error as Error).message))) {
      memory.sslRefused = true;
      return connectOnce(connection, options, false, memory);
    }
    throw error;
  }
}

function noPassword(connection: ResolvedConnection): ConnectionError {
  return new ConnectionError(
    `the server asks a password for user "${connection.user}" and none is known: set PGPASSWORD, add it to ~/.pgpass, or run pgtop in a terminal to be asked`,
    'no-password',
  );
}

async function connectOnce(
  connection: ResolvedConnection,
  options: OpenOptions,
  tls: ReturnType<typeof tlsOptions>,
  memory: Learned,
): Promise<DbSession> {
  const timeouts = TIMEOUTS[options.purpose];
  const client = new pg.Client({
    host: connection.host,
    port: connection.port,
    user: connection.user,
    database: connection.database,
    password: () => passwordFor(connection, memory),
    ssl: tls,
    application_name: options.purpose === 'monitor' ? connection.applicationName : `${connection.applicationName}-actions`,
    statement_timeout: timeouts.statementMs,
    lock_timeout: timeouts.lockMs,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    keepAlive: true,
  });
  // A connection that dies later must not crash the process; the owner
  // notices through isAlive() or the failed query, and reconnects.
  let alive = true;
  let failure: Error | null = null;
  client.on('error', (error) => {
    alive = false;
    failure ??= error;
  });
  client.on('end', () => {
    alive = false;
  });
  try {
    await client.connect();
    await client.query('SET search_path = pg_catalog, pg_temp'); // stand-in for the lead's safe search_path (issue 11); replaced at merge
    const result = await client.query<{ pid: number; num: string; version: string }>(
      "SELECT pg_backend_pid() AS pid, current_setting('server_version_num') AS num, current_setting('server_version') AS version",
    );
    const row = result.rows[0]!;
    return {
      client,
      pid: row.pid,
      serverVersionNum: Number(row.num),
      serverVersion: row.version.split(' ')[0] ?? row.version,
      isAlive: () => alive,
      failure: () => failure,
      close: async () => {
        alive = false;
        await client.end().catch(() => undefined);
      },
    };
  } catch (error) {
    await client.end().catch(() => undefined);
    throw error;
  }
}

async function passwordFor(connection: ResolvedConnection, memory: Learned): Promise<string> {
  const known = connection.password ?? memory.password ?? (await lookupPgpass(connection));
  if (known !== undefined) return known;
  throw new PasswordNeeded();
}

function lookupPgpass(connection: ResolvedConnection): Promise<string | undefined> {
  return new Promise((resolve) => {
    pgpass(
      {
        // libpq matches a socket connection against "localhost" in .pgpass.
        host: connection.host.startsWith('/') ? 'localhost' : connection.host,
        port: connection.port,
        database: connection.database,
        user: connection.user,
      },
      (password) => resolve(password ?? undefined),
    );
  });
}

/** Turn whatever pg or the network threw into one line that names the cause and the fix. */
export function describeConnectError(error: unknown, connection: ResolvedConnection): ConnectionError {
  if (error instanceof ConnectionError) return error;
  const where = connection.describe;
  const message = String((error as Error)?.message ?? error);
  const code = sqlState(error);
  switch (code) {
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new ConnectionError(`could not resolve host "${connection.host}": check -h/--host or PGHOST`, code);
    case 'ECONNREFUSED':
      return new ConnectionError(
        `connection refused by ${where}: is PostgreSQL running and listening there? check -h/--host and -p/--port`,
        code,
      );
    case 'ENOENT':
      return new ConnectionError(
        `no PostgreSQL socket at ${connection.host}/.s.PGSQL.${connection.port}: is the server running? use -h HOST to connect over TCP`,
        code,
      );
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return new ConnectionError(`host ${connection.host} is unreachable: check the address and your network`, code);
    case '28P01':
      return new ConnectionError(
        `password authentication failed for user "${connection.user}" at ${where}: check the password (PGPASSWORD, ~/.pgpass or the URI)`,
        code,
      );
    case '28000':
      return new ConnectionError(`${message} (${where}): check -U/--username and the server's pg_hba.conf`, code);
    case '3D000':
      return new ConnectionError(`${message} at ${where}: choose an existing database with -d/--dbname`, code);
    case '53300':
      return new ConnectionError(`${message} at ${where}: the server is full; free connections or raise max_connections`, code);
    case '57P03':
      return new ConnectionError(`${message} at ${where}: the server is starting or shutting down; try again shortly`, code);
  }
  if (/timeout/i.test(message)) {
    return new ConnectionError(
      `timed out after ${CONNECT_TIMEOUT_MS / 1000} s connecting to ${where}: check the host, port and any firewall`,
      'timeout',
    );
  }
  if (/does not support SSL/i.test(message)) {
    return new ConnectionError(`${where} does not support SSL but sslmode=${connection.sslMode}: use sslmode=prefer or disable`, 'ssl');
  }
  if (/certificate|self[- ]signed/i.test(message)) {
    return new ConnectionError(
      `TLS certificate check failed for ${where} (${message}): give the CA with sslrootcert/PGSSLROOTCERT or use sslmode=require`,
      'ssl',
    );
  }
  return new ConnectionError(`cannot connect to ${where}: ${message.split('\n')[0]}`, code);
}
