// --keep-days N: delete pgtop's own backups older than N days, and nothing
// else. "pgtop's own" is strict: a file named as pgtop names backups whose
// `.verified` sidecar says pgtop made it and still matches it. Files of any
// other origin (kubectl dumps, the seed's script, copies, a backup that was
// never verified, a `.partial` left by an interrupted one) are never touched.
// The newest backup of each series (same database, kind, table and format)
// is always kept, however old: retention must never leave a database with
// no backup because the backups stopped working for a while.
import { rm } from 'node:fs/promises';
import type { BackupEntry } from '../model/backups.js';
import { sidecarPath } from './verify.js';

const DAY_MS = 24 * 60 * 60 * 1000;

function seriesKey(e: BackupEntry): string {
  return [e.database, e.kind, e.table ?? '', e.format, e.gzip].join('\u0000');
}

/** The entries --keep-days would delete (pure). Age is the time in the backup's name. */
export function planRetention(entries: readonly BackupEntry[], keepDays: number, now: number): BackupEntry[] {
  const cutoff = now - keepDays * DAY_MS;
  const series = new Map<string, BackupEntry[]>();
  for (const e of entries) {
    if (!e.madeByPgtop || e.state !== 'verified') continue;
    const list = series.get(seriesKey(e)) ?? [];
    list.push(e);
    series.set(seriesKey(e), list);
  }
  const doomed: BackupEntry[] = [];
  for (const list of series.values()) {
    const [, ...older] = [...list].sort((a, b) => b.at - a.at);
    for (const e of older) if (e.at < cutoff) doomed.push(e);
  }
  return doomed.sort((a, b) => a.at - b.at);
}

/** Deletes a backup and its sidecar. */
export async function deleteBackupFile(file: string): Promise<void> {
  await rm(file);
  await rm(sidecarPath(file), { force: true });
}

export async function applyRetention(entries: readonly BackupEntry[], keepDays: number, now: number): Promise<string[]> {
  const deleted: string[] = [];
  for (const e of planRetention(entries, keepDays, now)) {
    await deleteBackupFile(e.path);
    deleted.push(e.name);
  }
  return deleted;
}
