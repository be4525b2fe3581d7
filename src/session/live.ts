// The guided session against a real server: read-only step queries, the
// parameter look-ups, every kind of check, and the statements of a change
// step. Checks never change anything: each runs in a transaction that is
// rolled back (READ ONLY when it can be), as the admin or as the role it is
// about — logged in with that role's password when pgtop knows one (this
// run, or ~/.pgpass), else through SET ROLE, and the reason says which.
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type pg from 'pg';
import { listBackups } from '../backup/listing.js';
import type { ResolvedConnection } from '../db/connection-options.js';
import { openSession } from '../db/connection.js';
import { ConnectionError, sqlState } from '../errors.js';
import { generatePassword, scramVerifier } from '../security/scram.js';
import { bytes } from '../format/size.js';
import { oneLineMessage, passwordRoles, quoteIdent, quoteLiteral, type CheckRunner, type Created, type ParamRunner, type PlannedStatement } from './engine.js';
import type { Check, RoleProbe } from './types.js';

export interface LiveContext {
  /** Runs `fn` on the session's own admin connection, one caller at a time. */
  withAdmin<T>(fn: (client: pg.ClientBase) => Promise<T>): Promise<T>;
  /** Where pgtop connects (logins as other roles and other databases go there too). */
  connection: ResolvedConnection;
  backupDir: string;
  /** Passwords generated in this run, by role. */
  passwords: ReadonlyMap<string, string>;
}

/** A result as the learner sees it: column names and cells as PostgreSQL prints them. */
export interface ResultTable {
  columns: string[];
  rows: string[][];
}

const AS_TEXT = { getTypeParser: () => (value: string) => value };
const BOOL_OID = 16;

/** Runs one statement and returns its rows as text (booleans as yes/no). */
export async function queryTable(client: pg.ClientBase, sql: string): Promise<ResultTable> {
  const result = await client.query({ text: sql, rowMode: 'array', types: AS_TEXT } as pg.QueryArrayConfig);
  const fields = result.fields ?? [];
  const rows = (result.rows as unknown[][]).map((row) =>
    row.map((cell, i) => (cell === null ? '' : fields[i]?.dataTypeID === BOOL_OID ? (cell === 't' ? 'yes' : 'no') : String(cell))),
  );
  return { columns: fields.map((f) => f.name), rows };
}

/** A read-only step: its query in a READ ONLY transaction, so a step can never change the server by mistake. */
export function runQueryStep(ctx: LiveContext, sql: string): Promise<ResultTable> {
  return ctx.withAdmin(async (client) => {
    await client.query('BEGIN READ ONLY');
    try {
      return await queryTable(client, sql);
    } finally {
      await client.query('ROLLBACK').catch(() => undefined);
    }
  });
}

export function paramRunner(ctx: LiveContext): ParamRunner {
  return (sql) =>
    ctx.withAdmin(async (client) => {
      const result = await client.query({ text: sql, rowMode: 'array', types: AS_TEXT } as pg.QueryArrayConfig);
      const value = (result.rows as unknown[][])[0]?.[0];
      return value === null || value === undefined || value === '' ? null : String(value);
    });
}

export function checkRunner(ctx: LiveContext): CheckRunner {
  return async (check) => {
    switch (check.kind) {
      case 'sql':
        return sqlCheck(ctx, check.sql, check.setup ?? []);
      case 'role':
        return roleCheck(ctx, check);
      case 'backup':
        return backupCheck(ctx, check);
      case 'restored':
        return restoredCheck(ctx, check.database);
    }
  };
}

type Outcome = { ok: boolean; reason: string };

/** Rows of (ok, reason): every row must be ok, and there must be one. */
function outcomeOf(rows: { ok: boolean | null; reason: string | null }[]): Outcome {
  if (rows.length === 0) return { ok: false, reason: 'nothing found to check' };
  return { ok: rows.every((r) => r.ok === true), reason: rows.map((r) => r.reason ?? '').filter(Boolean).join('; ') };
}

async function sqlCheck(ctx: LiveContext, sql: string, setup: string[]): Promise<Outcome> {
  return ctx.withAdmin(async (client) => {
    await client.query(setup.length ? 'BEGIN' : 'BEGIN READ ONLY');
    try {
      for (const statement of setup) await client.query(statement);
      const result = await client.query<{ ok: boolean | null; reason: string | null }>(sql);
      return outcomeOf(result.rows);
    } finally {
      await client.query('ROLLBACK').catch(() => undefined);
    }
  });
}

// ---------------------------------------------------------------------------
// As another role

interface RoleSession {
  client: pg.ClientBase;
  /** How we act as the role, for the reason. */
  how: string;
  /** SET LOCAL ROLE to run after BEGIN (the SET ROLE path), or null when logged in as the role. */
  setRole: string | null;
  done(): Promise<void>;
}

async function roleCheck(ctx: LiveContext, check: Extract<Check, { kind: 'role' }>): Promise<Outcome> {
  const role = check.role;
  const exists = await ctx.withAdmin((c) => c.query<{ rolcanlogin: boolean }>('SELECT rolcanlogin FROM pg_roles WHERE rolname = $1', [role]));
  const info = exists.rows[0];
  if (!info) return { ok: false, reason: `role ${role} does not exist` };
  if (check.login && !info.rolcanlogin) return { ok: false, reason: `${role} has no LOGIN` };

  let session: RoleSession;
  try {
    session = await actAs(ctx, role, !!check.login);
  } catch (error) {
    return { ok: false, reason: oneLineMessage(error) };
  }
  try {
    const probe = await runProbe(session, check.probe);
    const wanted = check.expect === 'allowed' ? probe.allowed : probe.denied;
    return { ok: wanted && !probe.error, reason: `${session.how}; ${probe.reason}` };
  } finally {
    await session.done();
  }
}

/** Logs in as the role when its password is known (or none is needed); else SET ROLE on the admin connection. */
async function actAs(ctx: LiveContext, role: string, loginRequired: boolean): Promise<RoleSession> {
  const password = ctx.passwords.get(role);
  let how = `as ${role} via SET ROLE (no password for it in this run or ~/.pgpass, so no login was tried)`;
  try {
    const session = await openSession({ ...ctx.connection, user: role, password }, { purpose: 'monitor' });
    const source = password !== undefined ? 'password from this run' : '~/.pgpass, or no password asked';
    return { client: session.client, how: `logged in as ${role} (${source})`, setRole: null, done: () => session.close() };
  } catch (error) {
    const noPassword = error instanceof ConnectionError && error.code === 'no-password';
    const why = oneLineMessage(error).replace(/^cannot connect to [^:]+: /, '');
    // A failed login fails a check about logging in; for a check about privileges, SET ROLE still answers it.
    if (!noPassword && loginRequired) throw new Error(`${role} cannot log in: ${why}`);
    if (!noPassword) how = `as ${role} via SET ROLE (logging in failed: ${why})`;
  }
  // No password known: act as the role inside the admin's transaction.
  if (loginRequired) {
    const hasPassword = await ctx
      .withAdmin((c) => c.query<{ has: boolean }>('SELECT rolpassword IS NOT NULL AS has FROM pg_authid WHERE rolname = $1', [role]))
      .then((r) => r.rows[0]?.has ?? null)
      .catch(() => null);
    if (hasPassword === false) throw new Error(`${role} has LOGIN but no password: it cannot log in with password authentication`);
    how = `${role} has LOGIN${hasPassword ? ' and a password' : ''}; acted as ${role} via SET ROLE (its password is not in this run or ~/.pgpass, so no login was tried)`;
  }
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let handOver!: (client: pg.ClientBase) => void;
  const clientReady = new Promise<pg.ClientBase>((resolve) => (handOver = resolve));
  // Hold the admin connection for the whole probe: nothing else may run between our BEGIN and ROLLBACK.
  const holding = ctx.withAdmin(async (client) => {
    handOver(client);
    await released;
  });
  const client = await clientReady;
  return {
    client,
    how,
    setRole: role,
    done: async () => {
      release();
      await holding;
    },
  };
}

interface ProbeResult {
  allowed: boolean;
  denied: boolean;
  error: boolean;
  reason: string;
}

async function runProbe(session: RoleSession, probe: RoleProbe): Promise<ProbeResult> {
  const { client } = session;
  await client.query('BEGIN');
  try {
    if (session.setRole) await client.query(`SET LOCAL ROLE ${quoteIdent(session.setRole)}`);
    switch (probe.kind) {
      case 'tables':
        return await tablesProbe(client, probe.privilege, probe.schema);
      case 'create':
        return await createProbe(client, probe.schema);
      case 'sql':
        return await sqlProbe(client, probe.sql);
    }
  } finally {
    await client.query('ROLLBACK').catch(() => undefined);
  }
}

const PROBE_TABLES = 20;

/** Each table of the schema (up to 20), tried with a statement that reads or writes no row. */
async function tablesProbe(client: pg.ClientBase, privilege: 'SELECT' | 'INSERT', schema: string): Promise<ProbeResult> {
  const tables = await client.query<{ name: string; col: string | null; total: number }>(
    `SELECT format('%I.%I', n.nspname, c.relname) AS name, count(*) OVER ()::int AS total,
            (SELECT quote_ident(a.attname) FROM pg_attribute a
              WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = '' AND a.attidentity <> 'a'
              ORDER BY a.attnum LIMIT 1) AS col
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = $1 AND c.relkind IN ('r', 'p')
      ORDER BY 1 LIMIT ${PROBE_TABLES}`,
    [schema],
  );
  if (tables.rows.length === 0) return { allowed: true, denied: true, error: false, reason: `schema ${schema} has no tables to try` };
  const allowed: string[] = [];
  const denied: string[] = [];
  const failed: string[] = [];
  for (const t of tables.rows) {
    const statement =
      privilege === 'SELECT' ? `SELECT 1 FROM ${t.name} LIMIT 0` : t.col ? `INSERT INTO ${t.name} (${t.col}) SELECT NULL WHERE false` : null;
    if (!statement) continue;
    await client.query('SAVEPOINT probe');
    try {
      await client.query(statement);
      allowed.push(t.name);
    } catch (error) {
      (sqlState(error) === '42501' ? denied : failed).push(`${t.name} (${oneLineMessage(error)})`);
    } finally {
      await client.query('ROLLBACK TO SAVEPOINT probe');
    }
  }
  const total = tables.rows[0]!.total;
  const tried = allowed.length + denied.length + failed.length;
  const of = `${tried} of ${total} tables of ${schema}${total > tried ? ' (the first ones)' : ''}`;
  const list = (names: string[]) => names.slice(0, 3).join(', ') + (names.length > 3 ? ` and ${names.length - 3} more` : '');
  let reason: string;
  if (failed.length) reason = `${privilege} failed on ${list(failed)}`;
  else if (denied.length === 0) reason = `${privilege} allowed on ${of}`;
  else if (allowed.length === 0) reason = `${privilege} denied on ${of}`;
  else reason = `${privilege} allowed on ${allowed.length}, denied on ${list(denied)}`;
  return { allowed: denied.length === 0 && failed.length === 0, denied: allowed.length === 0 && failed.length === 0, error: failed.length > 0, reason };
}

async function createProbe(client: pg.ClientBase, schema: string): Promise<ProbeResult> {
  const name = `${quoteIdent(schema)}.pgtop_learn_probe_${randomBytes(3).toString('hex')}`;
  try {
    await client.query(`CREATE TABLE ${name} ()`);
    return { allowed: true, denied: false, error: false, reason: `CREATE TABLE in ${schema} allowed (rolled back)` };
  } catch (error) {
    if (sqlState(error) === '42501') return { allowed: false, denied: true, error: false, reason: `CREATE TABLE in ${schema} denied` };
    return { allowed: false, denied: false, error: true, reason: oneLineMessage(error) };
  }
}

async function sqlProbe(client: pg.ClientBase, sql: string): Promise<ProbeResult> {
  try {
    const result = await client.query<{ ok: boolean | null; reason: string | null }>(sql);
    const outcome = outcomeOf(result.rows);
    return { allowed: outcome.ok, denied: !outcome.ok, error: false, reason: outcome.reason };
  } catch (error) {
    if (sqlState(error) === '42501') return { allowed: false, denied: true, error: false, reason: oneLineMessage(error) };
    return { allowed: false, denied: false, error: true, reason: oneLineMessage(error) };
  }
}

// ---------------------------------------------------------------------------
// Backups and restores

const DAY_MS = 24 * 3600 * 1000;

async function backupCheck(ctx: LiveContext, check: Extract<Check, { kind: 'backup' }>): Promise<Outcome> {
  const database = ctx.connection.database;
  const kind = check.format === 'custom' ? 'full' : 'globals';
  const { entries, error } = await listBackups(ctx.backupDir);
  if (error) return { ok: false, reason: error };
  // A temporary file (being written, or left by an interrupted backup) is no backup.
  const newest = entries.find((e) => e.database === database && e.kind === kind && e.state !== 'writing' && e.state !== 'interrupted');
  if (!newest) return { ok: false, reason: `no pgtop ${kind} backup of ${database} in ${ctx.backupDir}` };
  // Verified means its .verified record (written when it read back: pg_restore, or the completion marker) still matches the file.
  if (newest.state !== 'verified') return { ok: false, reason: `the newest, ${newest.name}, is ${newest.state === 'changed' ? 'changed since it was verified' : newest.state}: t on the backups screen verifies it` };
  const ageMs = Date.now() - newest.at;
  if (ageMs > DAY_MS) return { ok: false, reason: `the newest, ${newest.name}, is more than a day old` };
  if (check.contains) {
    const text = await readFile(newest.path, 'utf8');
    if (!text.includes(check.contains)) return { ok: false, reason: `${newest.name} is complete, but without "${check.contains}"` };
  }
  return { ok: true, reason: `${newest.name}, ${bytes(newest.bytes)}, ${Math.round(ageMs / 60_000)} min old: ${newest.sidecar?.check ?? 'verified'}` };
}

const TABLES_SQL = `SELECT format('%I.%I', n.nspname, c.relname) AS name
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname !~ '^pg_'
 ORDER BY 1`;

/** Which of these tables hold at least one row (cheap: one row each, at most 50 tables). */
async function nonEmpty(client: pg.ClientBase, tables: string[]): Promise<Set<string>> {
  const found = new Set<string>();
  for (const t of tables.slice(0, 50)) {
    const r = await client.query(`SELECT 1 FROM ${t} LIMIT 1`);
    if (r.rowCount) found.add(t);
  }
  return found;
}

async function restoredCheck(ctx: LiveContext, database: string): Promise<Outcome> {
  const source = await ctx.withAdmin(async (c) => {
    const tables = (await c.query<{ name: string }>(TABLES_SQL)).rows.map((r) => r.name);
    return { tables, withRows: await nonEmpty(c, tables) };
  });
  let restored;
  try {
    restored = await openSession({ ...ctx.connection, database }, { purpose: 'monitor' });
  } catch (error) {
    if (error instanceof ConnectionError && error.code === '3D000') return { ok: false, reason: `database ${database} does not exist` };
    throw error;
  }
  try {
    const tables = new Set((await restored.client.query<{ name: string }>(TABLES_SQL)).rows.map((r) => r.name));
    const missing = source.tables.filter((t) => !tables.has(t));
    if (missing.length) return { ok: false, reason: `missing ${missing.length} of ${source.tables.length} tables: ${missing.slice(0, 3).join(', ')}` };
    const withRows = await nonEmpty(restored.client, [...source.withRows]);
    const empty = [...source.withRows].filter((t) => !withRows.has(t));
    if (empty.length) return { ok: false, reason: `empty, unlike the original: ${empty.slice(0, 3).join(', ')}` };
    return { ok: true, reason: `all ${source.tables.length} tables are there, ${source.withRows.size} with rows as in the original` };
  } finally {
    await restored.close();
  }
}

// ---------------------------------------------------------------------------
// Change steps

export interface ChangeOutcome {
  ran: string[];
  skipped: string[];
  created: Created[];
  /** Passwords set by this run, by role: shown once. */
  passwordsSet: Map<string, string>;
}

/**
 * Runs a change step's statements in order on the actions connection, one by
 * one (VACUUM and CREATE DATABASE cannot run in a transaction). Guards skip
 * what exists; passwords go as SCRAM verifiers. Stops at the first failure,
 * with `partial` holding what ran before it (reset must still know it).
 */
export async function executeChange(
  client: pg.ClientBase,
  statements: readonly PlannedStatement[],
  options: { stepId: string; createdBefore: ReadonlySet<string>; passwords: Map<string, string> },
  partial: ChangeOutcome = { ran: [], skipped: [], created: [], passwordsSet: new Map() },
): Promise<ChangeOutcome> {
  for (const s of statements) {
    if (s.onlyIfCreatedBefore !== undefined && !options.createdBefore.has(s.onlyIfCreatedBefore)) {
      partial.skipped.push(s.display);
      continue;
    }
    if (s.unless && (await client.query(s.unless)).rowCount) {
      partial.skipped.push(s.display);
      continue;
    }
    let sql = s.sql;
    const roles = passwordRoles(sql);
    for (const role of roles) {
      const password = options.passwords.get(role) ?? generatePassword();
      options.passwords.set(role, password);
      sql = sql.replaceAll(`{password:${role}}`, quoteLiteral(scramVerifier(password)));
    }
    await client.query(sql);
    for (const role of roles) partial.passwordsSet.set(role, options.passwords.get(role)!);
    partial.ran.push(s.display);
    if (s.creates) partial.created.push({ ...s.creates, step: options.stepId });
  }
  return partial;
}

/** withAdmin for one connection: callers take turns, so one's BEGIN … ROLLBACK never interleaves with another's. */
export function exclusive(getClient: () => Promise<pg.ClientBase>): LiveContext['withAdmin'] {
  let tail: Promise<unknown> = Promise.resolve();
  return <T>(fn: (client: pg.ClientBase) => Promise<T>): Promise<T> => {
    const run = tail.then(async () => fn(await getClient()));
    tail = run.catch(() => undefined);
    return run;
  };
}
