// The backups screen's actions: b back up now, r restore into a new
// database, t verify, d delete. The work is in src/backup/; these specs say
// what is asked, what the confirmation shows, when to refuse, and report the
// outcome (progress "12.3 MB, 8.1 MB/s" in the status line meanwhile; the
// dashboard keeps refreshing — the runner runs actions asynchronously).
import { rm } from 'node:fs/promises';
import path from 'node:path';
import type { ClientBase } from 'pg';
import { runBackup, dumpCommand, isBeingWritten } from '../backup/backup.js';
import type { BackupEntry } from '../model/backups.js';
import { CHOICES, backupFileName, formatLabel, isBackupChoice, kindLabel, partialName, planFor, type BackupChoice, type BackupPlan } from '../model/backup-names.js';
import { deleteBackupFile } from '../backup/retention.js';
import { passwordOf, planForRole, serverMajorOf, toolset } from '../backup/toolset.js';
import { readSidecar, verifyBackupFile, writeSidecar } from '../backup/verify.js';
import type { ResolvedConnection } from '../db/connection-options.js';
import { ActionError } from '../errors.js';
import { duration } from '../format/format.js';
import { bytes } from '../format/size.js';
import type { ActionRunContext, ActionSpec, InputField, InputValues } from './action.js';

/** What `b` aims at: where the backup goes and what is connected, taken when the key is pressed (the file's time). */
export interface BackupNowTarget {
  dir: string;
  database: string;
  /** The header's target ("direct 127.0.0.1:5432", "k8s development/deployment/postgres → pod/…"). */
  where: string;
  at: Date;
}

export const IDENTIFIER_MAX = 63;

export function nameProblem(what: string) {
  return (value: string): string | null => {
    if (!value.trim()) return `give the ${what}`;
    if (Buffer.byteLength(value) > IDENTIFIER_MAX) return `a ${what} has at most ${IDENTIFIER_MAX} bytes`;
    if (value.includes('\u0000')) return `a ${what} cannot contain NUL`;
    return null;
  };
}

function choiceOf(values: InputValues): BackupChoice {
  const kind = values.kind ?? 'custom';
  return isBackupChoice(kind) ? kind : 'custom';
}

function planOf(target: BackupNowTarget, values: InputValues) {
  const choice = choiceOf(values);
  // Before the table is asked, the title still needs a plan: '…' stands for it.
  return planFor(choice, values.database || target.database, choice === 'table' ? values.table || '…' : undefined);
}

function shown(run: ReturnType<typeof dumpCommand>): string {
  const quote = (w: string) => (/^[A-Za-z0-9_@%+=:,./-]+$/.test(w) ? w : `'${w.replace(/'/g, `'\\''`)}'`);
  return [run.tool, ...run.args, ...(run.tool === 'pg_dumpall' ? [] : [run.database ?? ''])].map(quote).join(' ');
}

async function serverMajor(client: ClientBase): Promise<{ major: number; version: string }> {
  const r = await client.query<{ num: string; version: string }>("SELECT current_setting('server_version_num') AS num, current_setting('server_version') AS version");
  return { major: serverMajorOf(Number(r.rows[0]?.num ?? 0)), version: (r.rows[0]?.version ?? '').split(' ')[0]! };
}

/** The programs for this connection: in the pod under -k, else local. `fallback` serves callers whose environment has no connection (tests). */
export async function toolsFor(context: ActionRunContext, fallback?: ResolvedConnection) {
  const { env } = context;
  const connection = env.connection ?? fallback;
  if (!connection) throw new ActionError('no connection details for the PostgreSQL programs: backups need pgtop started with a connection');
  const client = await context.client();
  const server = await serverMajor(client);
  // The password pgtop connected with, also one typed at the prompt: pg_dump gets it in its environment, never in argv.
  const tools = toolset({ connection, serverMajor: server.major, password: passwordOf(client, connection.password), podExec: env.podExec, podLabel: env.podLabel });
  return { client, server, tools, connection };
}

/** What `b` runs, as the confirmation shows it: the program, its arguments, the file. */
export function backupCommandLine(plan: BackupPlan, dir: string, at: Date): string {
  // gzip runs in pgtop (zlib), so the pod needs none.
  return `${shown(dumpCommand(plan))}${plan.gzip ? ' | gzip' : ''} > ${path.join(dir, backupFileName(plan, at))}`;
}

/** Where pg_dump runs and how the file is written, for the confirmation. `where` is the header's target. */
export function backupDetails(plan: BackupPlan, at: Date, where: string): string[] {
  const name = backupFileName(plan, at);
  const program = plan.kind === 'globals' ? 'pg_dumpall' : 'pg_dump';
  const k8s = where.startsWith('k8s');
  return [
    `runs      ${k8s ? `in the database's pod (${where}): its ${program} is the server's version` : `this machine's ${program} (the server's version or newer), to ${where.replace(/^direct /, '')}`}`,
    `writes    ${partialName(name)} first${plan.gzip ? ', gzipped here' : ''}; named ${name} only when ${program} exited 0 and the file reads back`,
    `verify    ${plan.format === 'custom' ? 'pg_restore reads its table of contents and every data block' : "it must end with pg_dump's completion marker"}`,
    ...(plan.kind === 'globals' ? ['passwords kept when you are a superuser; otherwise --no-role-passwords (pg_authid is a superuser\'s to read)'] : []),
    'the dashboard keeps refreshing meanwhile; progress shows in the status line',
  ];
}

/** Takes a backup as `b` does (in the pod under -k, verified before it gets its name); resolves to the outcome line. */
export async function takeBackup(context: ActionRunContext, plan: BackupPlan, dir: string, at: Date, fallback?: ResolvedConnection): Promise<string> {
  const { client, server, tools } = await toolsFor(context, fallback);
  const asRole = await planForRole(client, plan);
  try {
    const result = await runBackup({
      dir,
      plan: asRole,
      at,
      source: tools.main,
      verifier: () => tools.verifier(),
      serverVersion: server.version,
      progress: (p) => {
        context.progress(`backup ${p.name}: ${bytes(p.bytes)}, ${bytes(p.rate)}/s${p.phase === 'verifying' ? ' — verifying' : ''}`);
        context.env.backupsChanged?.();
      },
    });
    const seconds = result.durationMs / 1000;
    const noPasswords = asRole.withoutRolePasswords ? '; without role passwords: only a superuser may read them' : '';
    return `backup verified: ${result.name} (${bytes(result.bytes)} in ${duration(seconds)}, ${rate(result.bytes, seconds)}; ${result.sidecar.check}${noPasswords})`;
  } finally {
    context.env.backupsChanged?.();
  }
}

function rate(b: number, seconds: number): string {
  return `${bytes(b / Math.max(seconds, 0.001))}/s`;
}

export const backupNow: ActionSpec<BackupNowTarget> = {
  id: 'backupNow',
  danger: 'confirm',
  // pg_dump reads: a standby serves it as well as the primary.
  runsOnStandby: true,
  inputs(target, values) {
    const fields: InputField[] = [{ key: 'kind', label: 'What to back up', kind: 'choice', choices: CHOICES, initial: 'custom' }];
    const choice = choiceOf(values);
    if (values.kind !== undefined && choice !== 'globals') {
      fields.push({ key: 'database', label: 'Database', kind: 'text', initial: target.database, validate: nameProblem('database name') });
    }
    if (choice === 'table') {
      fields.push({ key: 'table', label: 'Table (name or schema.name, as pg_dump -t takes it)', kind: 'text', validate: (v) => (v.trim() ? null : 'give the table') });
    }
    return fields;
  },
  title(t, v) {
    if (v.kind === undefined) return `Back up now, into ${t.dir}`;
    const plan = planOf(t, v);
    return plan.kind === 'globals' ? 'Back up the roles and tablespaces' : `Back up ${plan.database}: ${kindLabel(plan.kind, plan.table)}, ${formatLabel(plan.format, plan.gzip)}`;
  },
  sql: (t, v) => backupCommandLine(planOf(t, v), t.dir, t.at),
  details: (t, v) => backupDetails(planOf(t, v), t.at, t.where),
  run: (context, target, values) => takeBackup(context, planOf(target, values), context.env.backupDir ?? target.dir, target.at),
};

// ---------------------------------------------------------------------------

export function entryRefusal(entry: BackupEntry, verb: string): string | null {
  if (entry.state === 'writing') return `${entry.name} is still being written`;
  if (entry.state === 'interrupted') return `${entry.name} is what an interrupted backup left: it is not a backup (d deletes it)`;
  if (!entry.format) return `${entry.name} is not a pg_dump file pgtop can ${verb}`;
  return null;
}

export const verifyBackup: ActionSpec<BackupEntry> = {
  id: 'verifyBackup',
  danger: 'confirm',
  // It reads the file (and, over -k, pg_restore reads it in the pod); its record beside the file is pgtop's bookkeeping.
  changesServer: false,
  refuse: (entry) => entryRefusal(entry, 'verify'),
  title: (entry) => `Verify ${entry.name}?`,
  sql: (entry) => (entry.format === 'custom' ? `pg_restore --list ${entry.path}; pg_restore --file=/dev/null ${entry.path}` : `${entry.gzip ? 'gunzip -c' : 'cat'} ${entry.path} | tail  (must end with "-- PostgreSQL database dump complete")`),
  details: (entry) => [
    `file      ${entry.path} (${bytes(entry.bytes)})`,
    `now       ${entry.state === 'verified' ? `verified ${entry.sidecar?.verifiedAt}` : entry.state === 'changed' ? 'CHANGED since it was verified' : 'not verified'}`,
    `records   the result and the file's SHA-256 in ${entry.name}.verified (that pgtop made it only when its last record said so and the file is unchanged)`,
  ],
  async run(context, entry) {
    const { tools } = await toolsFor(context);
    const previous = await readSidecar(entry.path);
    try {
      const result = await verifyBackupFile(entry.path, entry.format ?? 'custom', entry.gzip, () => tools.verifier());
      // Keep what the backup was (made by pgtop, its database…) only for the very content it was written for: t never makes a file pgtop's.
      const { pgtop: _v, file: _f, bytes: _b, mtimeMs: _m, sha256: _s, verifiedAt: _a, check: _c, ...about } = previous ?? ({} as Record<string, unknown>);
      const sameContent = previous?.sha256 === result.sha256 && previous.file === entry.name;
      const kept = previous && sameContent ? about : {};
      await writeSidecar(entry.path, result, kept);
      const changed = previous && !sameContent ? ` (its checksum changed since the last verification${previous.madeBy === 'pgtop' ? ': it is no longer taken for the backup pgtop made' : ''})` : '';
      const foreign = entry.format === 'plain' && kept.madeBy !== 'pgtop' ? '; not made by pgtop: r restores it only after you type its name, with psql meta-commands refused' : '';
      return `verified ${entry.name}: ${result.check}${changed}${foreign}`;
    } catch (error) {
      // A file that does not read is not verified any more.
      if (previous) await rm(`${entry.path}.verified`, { force: true });
      throw new ActionError(`${entry.name} does not verify: ${(error as Error).message}`);
    } finally {
      context.env.backupsChanged?.();
    }
  },
};

export const deleteBackup: ActionSpec<BackupEntry> = {
  id: 'deleteBackup',
  danger: 'confirm',
  runsOnStandby: true, // a local file
  refuse: (entry) => (entry.state === 'writing' && isBeingWritten(entry.path) ? `${entry.name} is being written by this pgtop` : null),
  title: (entry) => `Delete ${entry.name}?`,
  sql: (entry) => `rm ${entry.path}${entry.sidecar || entry.state === 'changed' ? ` ${entry.path}.verified` : ''}`,
  details: (entry) => [
    `file      ${entry.path}`,
    `size      ${bytes(entry.bytes)}`,
    `state     ${entry.state}`,
    ...(entry.state === 'writing' ? ['WARNING   another process may still be writing it'] : []),
  ],
  async run(context, entry) {
    try {
      await deleteBackupFile(entry.path);
      return `deleted ${entry.name}`;
    } finally {
      context.env.backupsChanged?.();
    }
  },
};
