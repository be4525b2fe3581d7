// What is in the backup directory, for the backups screen and retention:
// every backup file (pgtop's names, and other .dump/.sql/.sql.gz files such
// as the seed's kubectl ones), with what its name says, its size, and
// whether it was verified (its `.verified` sidecar still matches it). A
// `.partial` file is a backup being written, or one that was interrupted.
// Cheap enough for every refresh: one readdir and a stat per file; a sidecar
// is read again only when its file changed.
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { isBeingWritten } from './backup.js';
import { parseBackupName, partialTarget, VERIFIED_SUFFIX, type BackupKind } from '../model/backup-names.js';
import type { BackupEntry, BackupListing, BackupState, Sidecar } from '../model/backups.js';
import { readSidecar, sidecarMatches } from './verify.js';

/** A partial file untouched this long is taken as left by an interrupted backup (another process writes at least every few seconds). */
const STALE_PARTIAL_MS = 60_000;

const cache = new Map<string, { key: string; sidecar: Sidecar | null }>();

export async function listBackups(dir: string, now = Date.now()): Promise<BackupListing> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return { dir, entries: [], error: code === 'ENOENT' ? null : `cannot read ${dir}: ${(error as Error).message}`, updatedAt: now };
  }
  const present = new Set(names);
  const entries: BackupEntry[] = [];
  for (const name of names) {
    if (name.endsWith(VERIFIED_SUFFIX)) continue;
    const target = partialTarget(name);
    const parsed = parseBackupName(target ?? name);
    if (!parsed && !/\.(dump|sql|sql\.gz|backup)$/.test(target ?? name)) continue;
    if (!target && name.startsWith('.')) continue;
    const file = path.join(dir, name);
    let s;
    try {
      s = await stat(file);
    } catch {
      continue; // removed meanwhile
    }
    if (!s.isFile()) continue;
    let sidecar: Sidecar | null = null;
    let state: BackupState;
    if (target) {
      state = isBeingWritten(file) || now - s.mtimeMs < STALE_PARTIAL_MS ? 'writing' : 'interrupted';
    } else {
      sidecar = present.has(name + VERIFIED_SUFFIX) ? await cachedSidecar(file, s.size, s.mtimeMs) : null;
      state = !sidecar ? 'unverified' : sidecarMatches(sidecar, { bytes: s.size, mtimeMs: s.mtimeMs }) ? 'verified' : 'changed';
    }
    entries.push({
      name,
      path: file,
      bytes: s.size,
      mtimeMs: s.mtimeMs,
      at: parsed?.at ?? s.mtimeMs,
      database: sidecar?.database ?? parsed?.database ?? null,
      kind: sidecar?.kind ?? parsed?.kind ?? null,
      ...((sidecar?.table ?? parsed?.table) ? { table: sidecar?.table ?? parsed?.table } : {}),
      format: parsed?.format ?? (name.endsWith('.dump') ? 'custom' : name.match(/\.sql(\.gz)?$/) ? 'plain' : null),
      gzip: parsed?.gzip ?? name.endsWith('.gz'),
      state,
      sidecar: state === 'verified' ? sidecar : null,
      madeByPgtop: state === 'verified' && sidecar?.madeBy === 'pgtop' && sidecar.file === name && parsed !== null,
    });
  }
  for (const key of cache.keys()) if (path.dirname(key) === dir && !present.has(path.basename(key))) cache.delete(key);
  entries.sort((a, b) => b.at - a.at || a.name.localeCompare(b.name));
  return { dir, entries, error: null, updatedAt: now };
}

async function cachedSidecar(file: string, bytes: number, mtimeMs: number): Promise<Sidecar | null> {
  // The sidecar is rewritten by `t`: key on its own mtime as well.
  let sidecarMtime = 0;
  try {
    sidecarMtime = (await stat(file + VERIFIED_SUFFIX)).mtimeMs;
  } catch {
    return null;
  }
  const key = `${bytes}:${mtimeMs}:${sidecarMtime}`;
  const hit = cache.get(file);
  if (hit?.key === key) return hit.sidecar;
  const sidecar = await readSidecar(file);
  cache.set(file, { key, sidecar });
  return sidecar;
}

/**
 * The newest verified backup pgtop made of a database, of this kind, in `dir`
 * (its record still matches the file), or null. A file pgtop did not make is
 * never picked: restoring one needs its name typed (the backups screen's r).
 */
export async function newestVerifiedBackup(dir: string, database: string, kind: BackupKind): Promise<BackupEntry | null> {
  const { entries } = await listBackups(dir);
  return entries.find((e) => e.database === database && e.kind === kind && e.state === 'verified' && e.madeByPgtop) ?? null;
}
