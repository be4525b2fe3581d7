// Saving generated passwords in ~/.pgpass (or $PGPASSFILE), the file psql and
// pgtop read, the way libpq expects to find it:
// - never half-written: the new content goes to a 0600 temporary file in the
//   same directory (0600 from its creation), is fsynced, and is renamed over
//   the old file; a crash before the rename leaves the old file as it was;
// - a symlink (a dotfiles repository, a mounted secret) is followed to the
//   file it names, which is rewritten where it is: the link stays a link;
// - every other line is kept byte for byte (comments, blank lines, CRLF);
// - libpq uses the FIRST line that matches, so the new line takes the place
//   of the old line for that server, database and user, or goes before an
//   earlier wildcard line that would otherwise answer for it;
// - the result is 0600: libpq (and src/db/pgpass.ts, which reads it as libpq
//   does) ignores a file that group or others can read, so a file that was
//   so is reported, and is 0600 afterwards.
import { randomBytes } from 'node:crypto';
import fs, { type Stats } from 'node:fs';
import path from 'node:path';
import { asBytes, lineIsFor, lineMatches, matchValues, parseLine, pgpassPath, type PgpassTarget } from '../db/pgpass.js';
import { ActionError } from '../errors.js';

export interface PgpassEntry extends PgpassTarget {
  password: string;
}

export interface PgpassWritten {
  /** The file written: the path given, or the file its symbolic link leads to. */
  file: string;
  /** The old file's permission bits when group or others had access (libpq ignored that file; it is 0600 now). */
  looseMode?: number;
}

/** The file operations the rewrite uses; tests pass their own to watch each step or make one fail. */
export type PgpassFs = Pick<
  typeof fs,
  | 'lstatSync'
  | 'statSync'
  | 'readlinkSync'
  | 'realpathSync'
  | 'readFileSync'
  | 'mkdirSync'
  | 'openSync'
  | 'writeSync'
  | 'fchmodSync'
  | 'fchownSync'
  | 'fsyncSync'
  | 'closeSync'
  | 'renameSync'
  | 'unlinkSync'
>;

export { pgpassPath };

/** A field as .pgpass wants it: ':' and '\' escaped with '\'. */
function field(value: string): string {
  return value.replace(/[\\:]/g, (c) => `\\${c}`);
}

interface Line {
  /** The line's bytes without its line ending. */
  text: string;
  /** "\n", "\r\n" (libpq reads both), or "" for a last line without one. */
  eol: string;
}

function splitLines(content: string): Line[] {
  const lines: Line[] = [];
  for (const match of content.matchAll(/([^\n]*?)(\r?\n|$)/g)) {
    if (match[0] === '') break;
    lines.push({ text: match[1]!, eol: match[2]! });
  }
  return lines;
}

/** The new lines in place: see the top of the file for where each goes. */
function placeEntries(content: string, entries: readonly PgpassEntry[]): string {
  let lines = splitLines(content);
  // New lines end as the file's lines do.
  const eol = lines.find((l) => l.eol !== '')?.eol ?? '\n';
  for (const entry of entries) {
    const values = matchValues(entry);
    const line: Line = { text: `${values.map(field).join(':')}:${field(asBytes(entry.password))}`, eol };
    const parsed = lines.map((l) => parseLine(l.text.replace(/\r$/, '')));
    // Older lines for the same server, database and user hold a password that is no longer valid.
    const isOld = (i: number) => parsed[i] !== null && lineIsFor(parsed[i]!, values);
    const firstMatch = parsed.findIndex((p) => p !== null && lineMatches(p, values));
    const kept = lines.filter((_, i) => !isOld(i));
    if (firstMatch === -1) {
      const last = kept[kept.length - 1];
      if (last && last.eol === '') last.eol = eol;
      kept.push(line);
    } else {
      // Where the first line libpq would use was: the old line itself, or a wildcard line before it.
      kept.splice(lines.slice(0, firstMatch).filter((_, i) => !isOld(i)).length, 0, line);
    }
    lines = kept;
  }
  return lines.map((l) => l.text + l.eol).join('');
}

/** The file a path finally names, following symbolic links as open(2) would; it may not exist yet. */
function finalTarget(file: string, fsOps: PgpassFs): string {
  let current = path.resolve(file);
  for (let hops = 0; hops < 40; hops++) {
    let stats: Stats;
    try {
      stats = fsOps.lstatSync(current);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return current;
      throw error;
    }
    if (!stats.isSymbolicLink()) return current;
    // A relative link is relative to the directory the link really is in.
    current = path.resolve(fsOps.realpathSync(path.dirname(current)), fsOps.readlinkSync(current));
  }
  throw new ActionError(`${file}: too many levels of symbolic links; nothing was saved`);
}

function errorCode(error: unknown): string {
  return (error as NodeJS.ErrnoException).code ?? (error as Error).message;
}

export function writePgpass(entries: readonly PgpassEntry[], file: string = pgpassPath(), fsOps: PgpassFs = fs): PgpassWritten {
  let target: string;
  try {
    target = finalTarget(file, fsOps);
  } catch (error) {
    if (error instanceof ActionError) throw error;
    throw new ActionError(`cannot read ${file}: ${errorCode(error)}; nothing was saved`);
  }
  const named = target === path.resolve(file) ? file : `${file} (→ ${target})`;
  let old: Stats | undefined;
  try {
    old = fsOps.statSync(target);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw new ActionError(`cannot read ${named}: ${errorCode(error)}; nothing was saved`);
  }
  if (old && !old.isFile()) throw new ActionError(`${named} is not a plain file (libpq ignores it): nothing was saved`);
  let content = '';
  try {
    content = old ? fsOps.readFileSync(target).toString('latin1') : '';
  } catch (error) {
    throw new ActionError(`cannot read ${named}: ${errorCode(error)}; nothing was saved`);
  }
  const bytes = Buffer.from(placeEntries(content, entries), 'latin1');

  const dir = path.dirname(target);
  const temp = path.join(dir, `.${path.basename(target)}.pgtop-${process.pid}-${randomBytes(4).toString('hex')}`);
  let fd: number | undefined;
  try {
    fsOps.mkdirSync(dir, { recursive: true, mode: 0o700 });
    // Created 0600 (umask only removes bits), never there before ('wx'): no moment where others can read it.
    fd = fsOps.openSync(temp, 'wx', 0o600);
    fsOps.fchmodSync(fd, 0o600);
    // Run as root on a user's file (sudo keeping HOME): the file stays that user's, or psql could not read it.
    if (old && process.getuid?.() === 0 && (old.uid !== 0 || old.gid !== 0)) fsOps.fchownSync(fd, old.uid, old.gid);
    for (let at = 0; at < bytes.length; ) at += fsOps.writeSync(fd, bytes, at, bytes.length - at);
    fsOps.fsyncSync(fd);
    fsOps.closeSync(fd);
    fd = undefined;
    fsOps.renameSync(temp, target);
  } catch (error) {
    if (fd !== undefined) ignore(() => fsOps.closeSync(fd!));
    ignore(() => fsOps.unlinkSync(temp));
    throw new ActionError(`cannot save the password in ${named}: ${errorCode(error)}; the file is unchanged`);
  }
  syncDirectory(dir, fsOps);
  const looseMode = old && old.mode & 0o077 ? old.mode & 0o777 : undefined;
  return { file: target, ...(looseMode !== undefined ? { looseMode } : {}) };
}

/** The rename is durable once the directory is synced; some filesystems cannot sync a directory, and the file is in place either way. */
function syncDirectory(dir: string, fsOps: PgpassFs): void {
  let fd: number | undefined;
  try {
    fd = fsOps.openSync(dir, 'r');
    fsOps.fsyncSync(fd);
  } catch (error) {
    if (!['EINVAL', 'ENOTSUP', 'EISDIR', 'EPERM', 'EACCES'].includes(errorCode(error))) {
      throw new ActionError(`saved the password in ${dir}, but syncing that directory failed: ${errorCode(error)}`);
    }
  } finally {
    if (fd !== undefined) ignore(() => fsOps.closeSync(fd!));
  }
}

function ignore(step: () => void): void {
  try {
    step();
  } catch {
    // Cleaning up after a failure that is already being reported.
  }
}
