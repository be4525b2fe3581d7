// Restoring a backup into a NEW database, then checking it against the
// database it came from. pgtop never restores over an existing database:
// CREATE DATABASE fails when the name is taken, and that is the first step.
// A custom archive goes through pg_restore, plain SQL through psql (gunzipped
// here, so the pod needs no gzip), both with the file on stdin — locally or
// in the pod (-k) — and stop at the first error. A plain file runs as it is
// only when pgtop made it and it is unchanged; any other only when the user
// typed its name, with psql's meta-commands refused (restore-gate.ts) — and
// that is decided before the database is created, so a refusal leaves
// nothing behind. When the restore fails, the database pgtop just created is
// dropped again: a half-restored copy must not pass for a good one.
import { open } from 'node:fs/promises';
import { Transform, type Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import type { ClientBase } from 'pg';
import type { FileFormat } from '../model/backup-names.js';
import { checkPlainRestore, plainRestoreInput, RestoreRefused, type PlainRestorePlan } from './restore-gate.js';
import { startWork } from './running.js';
import type { ToolRun, ToolSource } from './source.js';
import { ToolError } from './tools.js';

export class RestoreError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RestoreError';
  }
}

export interface RestoreRequest {
  file: string;
  format: FileFormat;
  gzip: boolean;
  /** The new database. */
  into: string;
  /** A connection allowed to CREATE DATABASE (the actions connection). */
  admin: ClientBase;
  source: ToolSource;
  /** Restore owners and privileges (a superuser); otherwise everything is owned by the restoring user. */
  keepOwners: boolean;
  /** The user typed the file's name: a plain file pgtop did not make (or that changed) may run, with psql's meta-commands refused. */
  foreignAccepted?: boolean;
  /** Bytes of the file read: while it is checked (a plain file: its SHA-256, and each line when it is not pgtop's), then while it is restored. */
  progress?(done: number, total: number, phase: 'checking' | 'restoring'): void;
  signal?: AbortSignal;
}

/** What the restore ran, for its outcome. */
export interface RestoreResult {
  durationMs: number;
  /** For a plain file pgtop did not make: why not, and that psql's meta-commands were refused. */
  foreign: string | null;
}

/**
 * The program and arguments that restore a file (shown before it runs). With
 * a restrict key, psql enters \restrict first (--command) and then reads the
 * file from stdin (--file=-): the file cannot leave restricted mode without
 * the key, and psql's line numbers stay the file's.
 */
export function restoreCommand(format: FileFormat, into: string, keepOwners: boolean, restrictKey?: string | null): Omit<ToolRun, 'stdout' | 'stdin' | 'signal'> {
  if (format === 'custom') {
    const args = ['--exit-on-error', '--no-password', ...(keepOwners ? [] : ['--no-owner', '--no-privileges'])];
    return { tool: 'pg_restore', args, database: into };
  }
  const restrict = restrictKey ? [`--command=\\restrict ${restrictKey}`, '--file=-'] : [];
  return { tool: 'psql', args: ['--no-password', '--quiet', '--no-psqlrc', '--set=ON_ERROR_STOP=1', '--single-transaction', ...restrict], database: into };
}

export function createDatabaseSql(admin: Pick<ClientBase, 'escapeIdentifier'>, into: string): string {
  // template0: a dump restores onto an empty database, without whatever was added to template1.
  return `CREATE DATABASE ${admin.escapeIdentifier(into)} TEMPLATE template0`;
}

export async function restoreBackup(request: RestoreRequest): Promise<RestoreResult> {
  const { admin, into } = request;
  const started = Date.now();
  const taken = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [into]);
  if (taken.rowCount) throw new RestoreError(`database ${into} already exists: pgtop restores only into a new database; choose another name`);
  // One open file from the check to the restore: a name swapped meanwhile changes nothing.
  const handle = await open(request.file, 'r').catch((error: unknown) => {
    throw new RestoreError(`cannot read ${request.file}: ${(error as Error).message}`);
  });
  const work = startWork(request.signal);
  let timer: NodeJS.Timeout | undefined;
  try {
    const total = (await handle.stat()).size;
    let plan: PlainRestorePlan | null = null;
    if (request.format === 'plain') {
      plan = await checkPlainRestore({
        file: request.file,
        gzip: request.gzip,
        handle,
        source: request.source,
        foreignAccepted: request.foreignAccepted ?? false,
        progress: (done) => request.progress?.(done, total, 'checking'),
        signal: work.signal,
      }).catch((error: unknown) => {
        throw new RestoreError(error instanceof RestoreRefused ? `not restored, nothing was created: ${error.message}` : (error as Error).message);
      });
    }
    await admin.query(createDatabaseSql(admin, into));
    let done = 0;
    timer = setInterval(() => request.progress?.(done, total, 'restoring'), 500);
    try {
      let input: Readable;
      if (plan) input = plainRestoreInput(handle, request.gzip, plan, (n) => (done = n));
      else {
        const count = new Transform({
          transform(chunk: Buffer, _enc, next) {
            done += chunk.length;
            next(null, chunk);
          },
        });
        input = handle.createReadStream({ start: 0, autoClose: false }).pipe(count);
        if (request.gzip) input = input.pipe(createGunzip());
      }
      const command = restoreCommand(request.format, into, request.keepOwners, plan?.restrictKey);
      await request.source.run({ ...command, stdin: input, signal: work.signal });
      return { durationMs: Date.now() - started, foreign: plan?.foreignBecause ?? null };
    } catch (error) {
      const why = error instanceof ToolError ? error.message : (error as Error).message;
      const dropped = await admin
        .query(`DROP DATABASE IF EXISTS ${admin.escapeIdentifier(into)}`)
        .then(() => `the new database ${into} was dropped again`)
        .catch((e: unknown) => `the half-restored database ${into} is left (DROP failed: ${(e as Error).message})`);
      throw new RestoreError(`restore into ${into} failed: ${why}; ${dropped}`);
    }
  } finally {
    if (timer) clearInterval(timer);
    work.done();
    await handle.close().catch(() => undefined);
  }
}

// ---------------------------------------------------------------------------
// Comparing the restored database with its source

/** Tables up to this heap size are counted exactly (count(*)); bigger ones by the planner's estimate. */
export const EXACT_COUNT_MAX_BYTES = 256 * 1024 * 1024;

export interface TableCount {
  table: string;
  rows: number;
  exact: boolean;
}

export interface TableComparison {
  table: string;
  source: TableCount | null;
  restored: TableCount | null;
  matches: boolean;
}

/** Every user table of a database with its row count: exact up to EXACT_COUNT_MAX_BYTES, else estimated. */
export async function countRows(client: ClientBase, options: { analyzeBig?: boolean; maxExactBytes?: number } = {}): Promise<TableCount[]> {
  const maxExactBytes = options.maxExactBytes ?? EXACT_COUNT_MAX_BYTES;
  const tables = await client.query<{ schema: string; name: string; bytes: string; estimate: string }>(
    `SELECT n.nspname AS schema, c.relname AS name, pg_relation_size(c.oid)::text AS bytes, greatest(c.reltuples, 0)::bigint::text AS estimate
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition
        AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%' AND n.nspname NOT LIKE 'pg_temp%'
      ORDER BY 1, 2`,
  );
  const counts: TableCount[] = [];
  for (const t of tables.rows) {
    const qualified = `${client.escapeIdentifier(t.schema)}.${client.escapeIdentifier(t.name)}`;
    const label = t.schema === 'public' ? t.name : `${t.schema}.${t.name}`;
    if (Number(t.bytes) <= maxExactBytes) {
      const r = await client.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${qualified}`);
      counts.push({ table: label, rows: Number(r.rows[0]?.n ?? 0), exact: true });
    } else {
      // A freshly restored table has no statistics yet: its estimate needs an ANALYZE (it samples, so it is quick).
      let estimate = Number(t.estimate);
      if (options.analyzeBig) {
        await client.query(`ANALYZE ${qualified}`);
        const r = await client.query<{ n: string }>(`SELECT greatest(reltuples, 0)::bigint::text AS n FROM pg_class WHERE oid = $1::regclass`, [qualified]);
        estimate = Number(r.rows[0]?.n ?? 0);
      }
      counts.push({ table: label, rows: estimate, exact: false });
    }
  }
  return counts;
}

/** Side by side; `only` limits it to the tables of a one-table backup. */
export function compareCounts(source: readonly TableCount[], restored: readonly TableCount[], only?: ReadonlySet<string>): TableComparison[] {
  const names = new Set([...source.map((t) => t.table), ...restored.map((t) => t.table)]);
  const rows: TableComparison[] = [];
  for (const table of [...names].sort()) {
    if (only && !only.has(table)) continue;
    const s = source.find((t) => t.table === table) ?? null;
    const r = restored.find((t) => t.table === table) ?? null;
    const matches = !!s && !!r && (s.exact && r.exact ? s.rows === r.rows : Math.abs(s.rows - r.rows) <= Math.max(10, s.rows * 0.05));
    rows.push({ table, source: s, restored: r, matches });
  }
  return rows;
}

/** The outcome box's lines: mismatches first, at most `max` tables, then a summary. */
export function comparisonLines(rows: readonly TableComparison[], options: { schemaOnly: boolean; max?: number }): string[] {
  const max = options.max ?? 12;
  const n = (c: TableCount | null) => (c === null ? 'missing' : `${c.exact ? '' : '≈'}${c.rows}`);
  const width = Math.min(40, Math.max(5, ...rows.map((r) => r.table.length)));
  const header = `${'TABLE'.padEnd(width)} ${'SOURCE'.padStart(10)} ${'RESTORED'.padStart(10)}`;
  if (options.schemaOnly) {
    const missing = rows.filter((r) => !r.restored);
    return [
      `schema only: ${rows.length - missing.length} of ${rows.length} tables restored (no rows in a schema backup)`,
      ...missing.slice(0, max).map((r) => `missing: ${r.table}`),
    ];
  }
  const ordered = [...rows].sort((a, b) => Number(a.matches) - Number(b.matches));
  const shown = ordered.slice(0, max).map((r) => `${r.table.slice(0, width).padEnd(width)} ${n(r.source).padStart(10)} ${n(r.restored).padStart(10)} ${r.matches ? '✓' : '✗'}`);
  const differ = rows.filter((r) => !r.matches).length;
  const total = rows.reduce((sum, r) => sum + (r.restored?.rows ?? 0), 0);
  const summary =
    differ === 0
      ? `${rows.length} tables, ${total} rows: every table matches its source`
      : `${differ} of ${rows.length} tables differ (rows written to the source since the backup differ too)`;
  return [header, ...shown, ...(rows.length > max ? [`… and ${rows.length - max} more tables`] : []), summary, '(≈: planner estimate, for tables over 256 MB; the rest counted exactly)'];
}
