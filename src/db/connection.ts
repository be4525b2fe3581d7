// Opening a PostgreSQL connection for one purpose. pgtop keeps two: the
// monitor (short timeouts, so a refresh can never hang or queue behind a
// lock) and the actions connection (so cancel/terminate/vacuum never stall
// the refresh). Connection failures become one-line ConnectionErrors.
import pg from 'pg';
import { ConnectionError, sqlState } from '../errors.js';
import type { ResolvedConnection } from './connection-options.js';
import { certificateFix, tlsOptions } from './tls-options.js';
import { lookupPgpass } from './pgpass.js';

export type ConnectionPurpose = 'monitor' | 'action';

const TIMEOUTS: Record<ConnectionPurpose, { statementMs: number; lockMs: number }> = {
  // A refresh that takes seconds is already a problem; never wait for a lock.
  monitor: { statementMs: 3_000, lockMs: 500 },
  // Maintenance may run long, but must not sit in a lock queue blocking others.
  action: { statementMs: 0, lockMs: 5_000 },
};

export const CONNECT_TIMEOUT_MS = 5_000;

/**
 * The first statement of every pgtop connection, before anything else runs
 * on it. pgtop is usually a superuser in a database where other roles create
 * objects: with `public` (or any schema another role can write) on the
 * search_path, a planted `public.format(text, name, name)` is a better match
 * than `pg_catalog.format(text, VARIADIC "any")` and runs with our
 * privileges. `pg_catalog, pg_temp` holds no schema another role can write
 * (pg_temp last, and never searched for functions or operators), so no
 * planted function or operator is ever picked; user objects are always
 * named schema-qualified. A database's or role's own search_path (ALTER
 * DATABASE … SET, which a database owner may run) is overridden here.
 * row_security = off: a query that row-level security would filter fails
 * instead of running a policy's expressions, which are another role's code
 * (superusers bypass policies anyway; admins on managed servers often are
 * not superusers).
 * Sent as a statement, not as a startup parameter: poolers refuse unknown
 * startup parameters. It costs nothing per query: once per connection.
 */
export const SESSION_GUARDS_SQL = 'SET search_path = pg_catalog, pg_temp; SET row_security = off';
export const SAFE_SEARCH_PATH = 'pg_catalog, pg_temp';

/**
 * What every connection sends first: the guards, then its purpose's timeouts.
 * The timeouts are SET here rather than sent as startup parameters: PgBouncer
 * (its default ignore_startup_parameters is empty) refuses a login that
 * carries statement_timeout ("unsupported startup parameter"), in session and
 * in transaction mode. Dropping the refused parameter and logging in again
 * was measured too: it costs a refused login on every connect and leaves the
 * connection without its timeouts, so pgtop SETs them, in the same round
 * trip as the guards: nothing more per connection.
 */
export function sessionSettingsSql(purpose: ConnectionPurpose): string {
  const { statementMs, lockMs } = TIMEOUTS[purpose];
  return `${SESSION_GUARDS_SQL}; SET statement_timeout = ${statementMs}; SET lock_timeout = ${lockMs}`;
}

export interface PgConnection {
  client: pg.Client;
  /** This connection's backend pid: pgtop's own session, never terminated. */
  pid: number;
  serverVersionNum: number;
  serverVersion: string;
  /** False once the server or the network closed the connection. */
  isAlive(): boolean;
  /** Why the connection died, as the server or the network said it (e.g. "terminating connection due to administrator command"). */
  failure(): Error | null;
  /** What pgtop saw between it and the server ("PgBouncer 1.18.0"), or null: see poolerOf. */
  pooler: string | null;
  /**
   * Behind a pooler: a run of queries (a refresh, a read, a signal) inside
   * one transaction that starts with the guards and timeouts as SET LOCAL, so
   * that in transaction pooling every query of it runs on one server
   * connection that has them. Null when the connection's own SETs hold.
   */
  pooled: PooledScope | null;
  close(): Promise<void>;
}

export interface PooledScope {
  /** Opens the transaction with its SET LOCALs (nested calls share it). */
  begin(): Promise<void>;
  /** After a failed query: the transaction is aborted; roll it back and open another. */
  recover(): Promise<void>;
  /** Ends it when the outermost run ends. */
  end(): Promise<void>;
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
  /** What is between pgtop and the server, found once at the first connect (null: nothing). */
  pooler?: string | null;
  /** Why ~/.pgpass was not read (open to others, not a file): said when no password is known. */
  pgpassWarning?: string;
}
const learned = new WeakMap<ResolvedConnection, Learned>();

/** Raised inside a connection attempt when the server wants a password nobody gave: psql's cue to prompt. */
class PasswordNeeded extends Error {}

/** The login did not finish within CONNECT_TIMEOUT_MS: known by the clock, not by the words of an error. */
class ConnectTimedOut extends Error {}

export async function openConnection(connection: ResolvedConnection, options: OpenOptions): Promise<PgConnection> {
  const memory = learned.get(connection) ?? {};
  learned.set(connection, memory);
  for (let attempt = 0; ; attempt += 1) {
    try {
      const session = await connectWithTls(connection, options, memory);
      if (memory.pooler === undefined && session.hint) memory.pooler = await poolerOf(connection, memory, session.hint);
      memory.pooler ??= null;
      // A tunnel, not a pooler (pgtop's own port-forward): the settings for the session after all.
      if (session.hint && memory.pooler === null) await settle(session, session.client.query(sessionSettingsSql(options.purpose)));
      return withPooler(session, memory.pooler, options.purpose);
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
      throw describeConnectError(error instanceof PasswordNeeded ? noPassword(connection, memory.pgpassWarning) : error, connection);
    }
  }
}

/**
 * The guards and timeouts as the first statement of a connection, for the
 * session, unless the server listens on another port than the one connected
 * to: then a pooler may be in between, and in transaction pooling a session
 * SET would stay on its server connection for the application's next
 * transaction on it (PgBouncer resets nothing in that mode). There they hold
 * for this query string only (set_config(…, true) in its implicit
 * transaction), and openConnection decides once it knows. Every name and
 * operator is qualified: nothing runs before the guards.
 */
function firstSettingsSql(purpose: ConnectionPurpose, port: number): string {
  const { statementMs, lockMs } = TIMEOUTS[purpose];
  const settings: [string, string][] = [
    ['search_path', SAFE_SEARCH_PATH],
    ['row_security', 'off'],
    ['statement_timeout', String(statementMs)],
    ['lock_timeout', String(lockMs)],
  ];
  const calls = settings.map(([name, value]) => `pg_catalog.set_config('${name}', '${value}', moved.local)`).join(', ');
  const local = `pg_catalog.inet_server_port() IS NOT NULL AND pg_catalog.inet_server_port() OPERATOR(pg_catalog.<>) ${Math.trunc(port)}`;
  return `SELECT ${calls} FROM (SELECT ${local} AS local) AS moved`;
}

/** A connection as opened, before pgtop knows whether a pooler is in between. */
type OpenedConnection = Omit<PgConnection, 'pooler' | 'pooled'> & {
  /** Why a pooler may be in between (the server listens on another port than the one connected to), or null. */
  hint: string | null;
};

/** Closes the connection when this step of opening it fails. */
async function settle(session: OpenedConnection, step: Promise<unknown>): Promise<void> {
  try {
    await step;
  } catch (error) {
    await session.close();
    throw error;
  }
}

function withPooler(session: OpenedConnection, pooler: string | null, purpose: ConnectionPurpose): PgConnection {
  const { hint: _hint, ...rest } = session;
  return { ...rest, pooler, pooled: pooler === null ? null : pooledScope(session.client, purpose) };
}

/**
 * PgBouncer in transaction mode gives each transaction whichever server
 * connection is free: a SET would stay on the one that ran it (and with its
 * next clients: PgBouncer resets nothing in that mode), and pgtop's next query
 * may run on another. So behind a pooler pgtop's reads run in a transaction
 * that begins with SET LOCAL and ends with them: two round trips more per
 * refresh. Session mode would not need it; pgtop cannot tell the modes apart
 * without the admin console, so it does it for both.
 */
function pooledScope(client: pg.Client, purpose: ConnectionPurpose): PooledScope {
  const local = `BEGIN; ${sessionSettingsSql(purpose).replaceAll('SET ', 'SET LOCAL ')}`;
  let depth = 0;
  return {
    async begin() {
      depth += 1;
      if (depth === 1) await client.query(local);
    },
    async recover() {
      if (depth > 0) await client.query(`ROLLBACK; ${local}`);
    },
    async end() {
      depth = Math.max(0, depth - 1);
      if (depth === 0) await client.query('COMMIT');
    },
  };
}

/**
 * What is between pgtop and the server, asked once when the first connection
 * says something may be (its hint). PgBouncer answers SHOW VERSION on its
 * admin database `pgbouncer`; PostgreSQL has no such database (3D000: a
 * tunnel, such as pgtop's own port-forward, moved the port); anything else
 * (PgBouncer's "not allowed" for a user not in admin_users or stats_users)
 * is a pooler that does not say what it is.
 */
async function poolerOf(connection: ResolvedConnection, memory: Learned, hint: string): Promise<string | null> {
  let password: string;
  try {
    password = passwordFor(connection, memory);
  } catch {
    return `a pooler or proxy (${hint})`;
  }
  const admin = new pg.Client({
    host: connection.host,
    port: connection.port,
    user: connection.user,
    database: 'pgbouncer',
    password,
    ssl: memory.sslRefused ? false : tlsOptions(connection),
    application_name: connection.applicationName,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
  });
  admin.on('error', () => undefined);
  try {
    await admin.connect();
    const result = await admin.query<{ version: string }>('SHOW VERSION');
    const version = String(result.rows[0]?.version ?? '').trim();
    return /^PgBouncer [\w.-]+$/.test(version) ? version : 'PgBouncer';
  } catch (error) {
    return sqlState(error) === '3D000' ? null : `a pooler or proxy (${hint})`;
  } finally {
    await admin.end().catch(() => undefined);
  }
}

async function connectWithTls(connection: ResolvedConnection, options: OpenOptions, memory: Learned): Promise<OpenedConnection> {
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

function noPassword(connection: ResolvedConnection, pgpassWarning?: string): ConnectionError {
  const ignored = pgpassWarning ? ` (${pgpassWarning}: it was not read)` : '';
  return new ConnectionError(
    `the server asks a password for user "${connection.user}" and none is known${ignored}: set PGPASSWORD, add it to ~/.pgpass, or run pgtop in a terminal to be asked`,
    'no-password',
  );
}

async function connectOnce(
  connection: ResolvedConnection,
  options: OpenOptions,
  tls: ReturnType<typeof tlsOptions>,
  memory: Learned,
): Promise<OpenedConnection> {
  const client = new pg.Client({
    host: connection.host,
    port: connection.port,
    user: connection.user,
    database: connection.database,
    password: () => passwordFor(connection, memory),
    ssl: tls,
    // application_name is a startup parameter PgBouncer knows (it tracks it);
    // the timeouts are not (see sessionSettingsSql).
    application_name: options.purpose === 'monitor' ? connection.applicationName : `${connection.applicationName}-actions`,
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
  const started = Date.now();
  try {
    await client.connect().catch((error: unknown) => {
      // pg's connectionTimeoutMillis ran out: its error has no code of its own.
      throw sqlState(error) === undefined && Date.now() - started >= CONNECT_TIMEOUT_MS ? new ConnectTimedOut() : error;
    });
    // One round trip: the guards, then who we are (qualified too: nothing runs
    // before the guards), and the port the server listens on: another than the
    // one connected to means something is in between (a pooler, a tunnel).
    const results = (await client.query(
      `${firstSettingsSql(options.purpose, connection.port)}; SELECT pg_catalog.pg_backend_pid() AS pid, pg_catalog.current_setting('server_version_num') AS num, pg_catalog.current_setting('server_version') AS version, pg_catalog.inet_server_port() AS port`,
    )) as unknown as pg.QueryResult<{ pid: number; num: string; version: string; port: number | null }>[];
    const row = results[results.length - 1]!.rows[0]!;
    const movedPort = row.port !== null && row.port !== connection.port;
    return {
      hint: movedPort ? `the server listens on port ${row.port}, pgtop connected to ${connection.port}` : null,
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

function passwordFor(connection: ResolvedConnection, memory: Learned): string {
  if (connection.password !== undefined) return connection.password;
  if (memory.password !== undefined) return memory.password;
  // As libpq: the first matching line of ~/.pgpass (PGPASSFILE), unless the file is open to others.
  const { password, warning } = lookupPgpass(connection);
  memory.pgpassWarning = warning;
  if (password !== undefined) return password;
  throw new PasswordNeeded();
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
    case '08P01':
      // A protocol violation at login: what PgBouncer answers to a startup
      // parameter or a login it refuses; its words say which.
      return new ConnectionError(`${where} refused the login: ${message.split('\n')[0]} (a pooler in between, such as PgBouncer, says this)`, code);
  }
  // pg's own connect timer (connectionTimeoutMillis), or the network's; never
  // a server message that happens to contain the word.
  if (error instanceof ConnectTimedOut || code === 'ETIMEDOUT') {
    return new ConnectionError(
      `timed out after ${CONNECT_TIMEOUT_MS / 1000} s connecting to ${where}: check the host, port and any firewall`,
      'timeout',
    );
  }
  if (/does not support SSL/i.test(message)) {
    return new ConnectionError(`${where} does not support SSL but sslmode=${connection.sslMode}: use sslmode=prefer or disable`, 'ssl');
  }
  if (/certificate|self[- ]signed/i.test(message)) {
    return new ConnectionError(`TLS certificate check failed for ${where} (${message}): ${certificateFix(connection)}`, 'ssl');
  }
  return new ConnectionError(`cannot connect to ${where}: ${message.split('\n')[0]}`, code);
}
