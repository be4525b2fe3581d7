// Restoring a backup into a NEW database (`r`, and the guided session's
// restore step): the gate for files pgtop did not make (docs/trust.md), the
// command shown before it runs, and the side-by-side row counts after.
import type { BackupEntry } from '../model/backups.js';
import { safePart, stamp } from '../model/backup-names.js';
import { comparisonLines, compareCounts, countRows, restoreBackup, restoreCommand } from '../backup/restore.js';
import { passwordOf } from '../backup/toolset.js';
import type { ResolvedConnection } from '../db/connection-options.js';
import { openConnection } from '../db/connection.js';
import { duration } from '../format/format.js';
import { bytes } from '../format/size.js';
import type { ActionOutcome, ActionRunContext, ActionSpec } from './action.js';
import { entryRefusal, IDENTIFIER_MAX, nameProblem, toolsFor } from './backups.js';

/**
 * Restores a backup into a new database as `r` does (pg_restore or psql in the
 * pod under -k), then counts every table's rows side by side with the source.
 * A plain file pgtop did not make runs only with `foreignAccepted` (its name
 * was typed), and then with psql's meta-commands refused (restore-gate.ts).
 */
export async function restoreInto(
  context: ActionRunContext,
  entry: BackupEntry,
  into: string,
  fallback?: ResolvedConnection,
  options: { foreignAccepted?: boolean } = {},
): Promise<ActionOutcome> {
  const { client, tools, connection } = await toolsFor(context, fallback);
  const superuser = (await client.query<{ s: boolean }>('SELECT rolsuper AS s FROM pg_roles WHERE rolname = current_user')).rows[0]?.s ?? false;
  const started = Date.now();
  const result = await restoreBackup({
    file: entry.path,
    format: entry.format ?? 'custom',
    gzip: entry.gzip,
    into,
    admin: client,
    source: tools.main,
    keepOwners: superuser,
    foreignAccepted: options.foreignAccepted ?? false,
    progress: (done, total, phase) =>
      context.progress(`${phase === 'checking' ? 'checking' : 'restore'} ${entry.name}${phase === 'checking' ? '' : ` → ${into}`}: ${Math.floor((100 * done) / Math.max(total, 1))}% (${bytes(done)} of ${bytes(total)})`),
  });
  context.progress(`restored into ${into}; counting rows…`);
  const password = passwordOf(client, connection.password);
  const open = (database: string) => openConnection({ ...connection, database, password }, { purpose: 'action' });
  const restoredSession = await open(into);
  let lines: string[];
  try {
    const restored = await countRows(restoredSession.client, { analyzeBig: true });
    const source = entry.database ? (await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [entry.database])).rowCount : 0;
    if (!entry.database || !source) {
      lines = [`the source database ${entry.database ?? '(unknown)'} is not on this server: restored counts only`, ...restored.map((t) => `${t.table}: ${t.rows}`)];
    } else {
      const sourceSession = await open(entry.database);
      try {
        const counts = await countRows(sourceSession.client);
        const only = entry.kind === 'table' ? new Set(restored.map((t) => t.table)) : undefined;
        lines = comparisonLines(compareCounts(counts, restored, only), { schemaOnly: entry.kind === 'schema' });
      } finally {
        await sourceSession.close();
      }
    }
  } finally {
    await restoredSession.close();
  }
  const seconds = (Date.now() - started) / 1000;
  const guarded = result.foreign ? ' (not pgtop\'s: psql meta-commands refused)' : '';
  const message = `restored ${entry.name} into ${into} in ${duration(seconds)}${guarded}`;
  return { message, detail: { title: `${message} — ${entry.database ?? 'source'} vs ${into}`, lines } };
}

/**
 * A file pgtop did not make (or that changed since) asks for its name: its
 * SQL runs on the server as you (as a superuser, COPY … TO PROGRAM runs
 * commands there), and a plain file's psql meta-commands would run here.
 */
export function restoreNeedsTypedName(entry: Pick<BackupEntry, 'madeByPgtop'>): boolean {
  return !entry.madeByPgtop;
}

/** A plain SQL file pgtop did not make: psql reads it under \restrict, after pgtop's check of every line. */
function needsMetaCommandGuard(entry: Pick<BackupEntry, 'format' | 'madeByPgtop'>): boolean {
  return entry.format === 'plain' && !entry.madeByPgtop;
}

/**
 * What `r` runs, as the confirmation shows it. `file.path` may stand for a
 * file chosen when it runs. A file that is not pgtop's goes through pgtop's
 * check of every line, and psql starts in \restrict where it has it.
 */
export function restoreCommandLine(file: Pick<BackupEntry, 'format' | 'gzip' | 'path'>, into: string, foreign = false): string {
  const command = restoreCommand(file.format ?? 'custom', into, true, foreign ? '<random key>' : null);
  const program = [command.tool, ...command.args.map((a) => a.replace(/^(--[a-z-]+=)(.* .*)$/, "$1'$2'")), `--dbname=${into}`].join(' ');
  const check = foreign ? ' | (pgtop refuses psql meta-commands)' : '';
  const feed = file.gzip ? `gunzip -c ${file.path}${check} | ${program}` : foreign ? `cat ${file.path}${check} | ${program}` : `${program} < ${file.path}`;
  return `CREATE DATABASE "${into.replace(/"/g, '""')}" TEMPLATE template0; ${feed}`;
}

export const restoreIntoNewDatabase: ActionSpec<BackupEntry> = {
  id: 'restoreBackup',
  // A file pgtop did not make asks for its name (see restoreNeedsTypedName); pgtop's own ask y/n.
  danger: 'typed',
  refuse(entry) {
    const refusal = entryRefusal(entry, 'restore');
    if (refusal) return refusal;
    if (entry.kind === null) return `${entry.name} is not named as pgtop names backups ({database}_{kind}_{time}): what it holds is unknown (pg_dumpall of every database?); restore it by hand`;
    if (entry.kind === 'globals') return `${entry.name} holds roles, not a database: they are cluster-wide; a superuser restores them with psql -f ${entry.name}`;
    if (entry.kind === 'data') return `${entry.name} is data only: it restores into tables that exist; restore a full or schema backup first`;
    return null;
  },
  inputs: (entry) => [
    {
      key: 'into',
      label: 'Restore into a NEW database named',
      kind: 'text',
      initial: `${safePart(entry.database ?? 'restored')}_restore_${stamp(new Date())}`.slice(0, IDENTIFIER_MAX),
      validate: nameProblem('database name'),
    },
  ],
  title: (entry) => `Restore ${entry.name} into a new database`,
  sql: (entry, v) => restoreCommandLine(entry, v.into ?? '', needsMetaCommandGuard(entry)),
  details: (entry, v) => [
    `backup    ${entry.name} (${bytes(entry.bytes)}, ${entry.state === 'verified' ? `verified ${entry.sidecar?.verifiedAt ?? ''}` : 'NOT verified: t verifies it first'})`,
    ...(entry.format !== 'plain'
      ? restoreNeedsTypedName(entry)
        ? ['origin    NOT made by pgtop, or changed since: its SQL runs on the server as you; type its name to go on']
        : []
      : needsMetaCommandGuard(entry)
        ? [
            'origin    NOT made by pgtop, or changed since: psql would obey its meta-commands (\\! …)',
            "guard     meta-commands refused (pgtop checks each line, psql's \\restrict where it has it); its SQL runs as you",
          ]
        : ['origin    made by pgtop: its SHA-256 is checked against its .verified record before psql reads it']),
    `into      ${v.into ?? ''}, created now; pgtop never restores over an existing database`,
    'owners    kept when you are a superuser; otherwise --no-owner --no-privileges (all owned by you)',
    `then      row counts of every table, side by side with ${entry.database ?? 'the source database'}`,
    'a failed restore drops the new database again',
  ],
  typeToConfirm: (entry) => (restoreNeedsTypedName(entry) ? entry.name : undefined),
  run: (context, entry, values) => restoreInto(context, entry, values.into!, undefined, { foreignAccepted: needsMetaCommandGuard(entry) && context.typed === entry.name }),
};
