// The guided session against a real server: read-only step queries, the
// parameter look-ups, every kind of check, and the statements of a change
// step. Checks never change anything and never run another role's code:
// SQL checks run in a READ ONLY transaction that is rolled back, and a
// question about another role's privileges is answered by PostgreSQL's
// privilege functions (has_table_privilege() and friends) on the admin's
// connection — never by acting as that role there (SET ROLE on a superuser
// connection runs that role's triggers, and a trigger function can RESET
// ROLE and act as the superuser). Whether a role can log in is answered by
// logging in as it, when pgtop knows its password.
import { readFile } from 'node:fs/promises';
import type pg from 'pg';
import { listBackups } from '../backup/listing.js';
import type { ResolvedConnection } from '../db/connection-options.js';
import { openConnection } from '../db/connection.js';
import { ConnectionError } from '../errors.js';
import { generatePassword, scramVerifier } from '../security/scram.js';
import { bytes } from '../format/size.js';
import { quoteLiteral } from '../sql/quote.js';
import { oneLineMessage, passwordRoles, type CheckRunner, type Created, type ParamRunner, type PlannedStatement } from './engine.js';
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
        return sqlCheck(ctx, check.sql);
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

async function sqlCheck(ctx: LiveContext, sql: string): Promise<Outcome> {
  return ctx.withAdmin(async (client) => {
    await client.query('BEGIN READ ONLY');
    try {
      const result = await client.query<{ ok: boolean | null; reason: string | null }>(sql);
      return outcomeOf(result.rows);
    } finally {
      await client.query('ROLLBACK').catch(() => undefined);
    }
  });
}

// ---------------------------------------------------------------------------
// About another role

async function roleCheck(ctx: LiveContext, check: Extract<Check, { kind: 'role' }>): Promise<Outcome> {
  const role = check.role;
  const exists = await ctx.withAdmin((c) => c.query<{ rolcanlogin: boolean }>('SELECT rolcanlogin FROM pg_roles WHERE rolname = $1', [role]));
  const info = exists.rows[0];
  if (!info) return { ok: false, reason: `role ${role} does not exist` };
  let login = '';
  if (check.login) {
    if (!info.rolcanlogin) return { ok: false, reason: `${role} has no LOGIN` };
    const answer = await loginAnswer(ctx, role);
    if (!answer.ok) return answer;
    login = `${answer.reason}; `;
  }
  let probe: ProbeResult;
  try {
    probe = await ctx.withAdmin((client) => runProbe(client, role, check.probe));
  } catch (error) {
    return { ok: false, reason: `${login}${oneLineMessage(error)}` };
  }
  const wanted = check.expect === 'allowed' ? probe.allowed : probe.denied;
  return { ok: wanted, reason: `${login}${probe.reason}` };
}

/**
 * Whether the role can log in: by logging in when its password is known
 * (this run, ~/.pgpass) or none is asked; else what the catalog says, and
 * the reason says that no login was tried.
 */
async function loginAnswer(ctx: LiveContext, role: string): Promise<Outcome> {
  const password = ctx.passwords.get(role);
  try {
    const session = await openConnection({ ...ctx.connection, user: role, password }, { purpose: 'monitor' });
    await session.close();
    const source = password !== undefined ? 'password from this run' : '~/.pgpass, or no password asked';
    return { ok: true, reason: `logged in as ${role} (${source})` };
  } catch (error) {
    const noPassword = error instanceof ConnectionError && error.code === 'no-password';
    if (!noPassword) return { ok: false, reason: `${role} cannot log in: ${oneLineMessage(error).replace(/^cannot connect to [^:]+: /, '')}` };
  }
  // pg_authid is readable by superusers only; anyone else learns nothing here.
  const hasPassword = await ctx
    .withAdmin((c) => c.query<{ has: boolean }>('SELECT rolpassword IS NOT NULL AS has FROM pg_authid WHERE rolname = $1', [role]))
    .then((r) => r.rows[0]?.has ?? null)
    .catch(() => null);
  if (hasPassword === false) return { ok: false, reason: `${role} has LOGIN but no password: it cannot log in with password authentication` };
  return { ok: true, reason: `${role} has LOGIN${hasPassword ? ' and a password' : ''} (its password is not in this run or ~/.pgpass, so no login was tried)` };
}

interface ProbeResult {
  /** Allowed everywhere asked (every table, say); `denied`: nowhere. A mix is neither. */
  allowed: boolean;
  denied: boolean;
  reason: string;
}

/** A privilege question about `role`, answered by the privilege functions: nothing runs as the role, nothing of its code runs. */
async function runProbe(client: pg.ClientBase, role: string, probe: RoleProbe): Promise<ProbeResult> {
  switch (probe.kind) {
    case 'tables':
      return tablesProbe(client, role, probe.privilege, probe.schema);
    case 'create':
      return createProbe(client, role, probe.schema);
    case 'privileges':
      return privilegesProbe(client, role, probe.sql);
  }
}

const LISTED_TABLES = 3;

/** The privilege on every table of the schema (and USAGE on the schema, which any use of them needs). */
async function tablesProbe(client: pg.ClientBase, role: string, privilege: 'SELECT' | 'INSERT', schema: string): Promise<ProbeResult> {
  // has_any_column_privilege: the table's privilege, or one on a column (what a statement naming that column needs).
  const tables = await client.query<{ name: string; granted: boolean }>(
    `SELECT format('%I.%I', n.nspname, c.relname) AS name,
            has_schema_privilege($1::name, n.oid, 'USAGE') AND has_any_column_privilege($1::name, c.oid, $3::text) AS granted
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = $2 AND c.relkind IN ('r', 'p')
      ORDER BY 1`,
    [role, schema, privilege],
  );
  if (tables.rows.length === 0) return { allowed: true, denied: true, reason: `schema ${schema} has no tables to ask about` };
  const allowed = tables.rows.filter((t) => t.granted).map((t) => t.name);
  const denied = tables.rows.filter((t) => !t.granted).map((t) => t.name);
  const list = (names: string[]) => names.slice(0, LISTED_TABLES).join(', ') + (names.length > LISTED_TABLES ? ` and ${names.length - LISTED_TABLES} more` : '');
  const total = tables.rows.length;
  const how = `(has_any_column_privilege(), USAGE on ${schema})`;
  let reason: string;
  if (denied.length === 0) reason = `${privilege} allowed on all ${total} tables of ${schema} ${how}`;
  else if (allowed.length === 0) reason = `${privilege} denied on all ${total} tables of ${schema} ${how}`;
  else reason = `${privilege} allowed on ${allowed.length}, denied on ${list(denied)} ${how}`;
  return { allowed: denied.length === 0, denied: allowed.length === 0, reason };
}

async function createProbe(client: pg.ClientBase, role: string, schema: string): Promise<ProbeResult> {
  const result = await client.query<{ exists: boolean; granted: boolean | null }>(
    `SELECT n.oid IS NOT NULL AS exists, has_schema_privilege($1::name, n.oid, 'CREATE') AS granted
       FROM (SELECT 1) one LEFT JOIN pg_namespace n ON n.nspname = $2`,
    [role, schema],
  );
  const row = result.rows[0]!;
  if (!row.exists) return { allowed: false, denied: false, reason: `schema ${schema} does not exist` };
  return { allowed: row.granted === true, denied: row.granted !== true, reason: `CREATE in ${schema} ${row.granted ? 'allowed' : 'denied'} (has_schema_privilege())` };
}

/** A probe's own question, with the role as $1: rows of (ok, reason). */
async function privilegesProbe(client: pg.ClientBase, role: string, sql: string): Promise<ProbeResult> {
  await client.query('BEGIN READ ONLY');
  try {
    const result = await client.query<{ ok: boolean | null; reason: string | null }>(sql, [role]);
    const outcome = outcomeOf(result.rows);
    return { allowed: outcome.ok, denied: !outcome.ok, reason: outcome.reason };
  } finally {
    await client.query('ROLLBACK').catch(() => undefined);
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
    restored = await openConnection({ ...ctx.connection, database }, { purpose: 'monitor' });
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
