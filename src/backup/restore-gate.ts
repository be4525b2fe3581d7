// What a plain SQL restore may run. psql reads the file, and psql obeys its
// backslash meta-commands: `\! cmd` runs cmd on the machine psql runs on (this
// one, or the database's pod under -k) as that user. So:
//   - a file pgtop made and verified runs as it is: its `.verified` record
//     says "madeBy": "pgtop" (only a backup pgtop wrote sets it; `t` never
//     does) and its SHA-256, computed again now, is the record's;
//   - any other plain file is refused, unless the user typed its name; then
//     it runs with the meta-commands refused: psql's own `\restrict KEY`
//     where this psql has it (13.22, 14.19, 15.14, 16.10, 17.6, 18 and
//     later), and pgtop's check of every line (plain-sql-guard.ts) before
//     anything is created and again as psql reads it.
// A custom-format archive is read by pg_restore, which has no meta-commands.
import { createHash, randomBytes } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { PassThrough, Transform, Writable, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import type { FileFormat } from '../model/backup-names.js';
import { PlainSqlRefused, plainSqlGuard, psqlHasRestrict, type GuardMode } from './plain-sql-guard.js';
import type { ToolSource } from './source.js';
import { discard, readSidecar } from './verify.js';
import type { Sidecar } from '../model/backups.js';

export class RestoreRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RestoreRefused';
  }
}

/** How psql is to read the file. */
export interface PlainRestorePlan {
  /** pgtop made it and it is unchanged: psql reads it as it is (or with its own \restrict lines blanked, for a psql without \restrict). */
  trusted: boolean;
  /** What pgtop's check does to the stream psql reads; null: nothing. */
  guard: GuardMode | null;
  /** For psql's \restrict, when this psql has it and the file is not pgtop's. */
  restrictKey: string | null;
  /** Why the file is not taken as pgtop's (for the outcome), or null. */
  foreignBecause: string | null;
}

export interface PlainRestoreCheck {
  file: string;
  gzip: boolean;
  /** The file as opened for the restore: what is checked is what psql reads, whatever happens to the name meanwhile. */
  handle: FileHandle;
  source: ToolSource;
  /** The user typed the file's name: a file pgtop did not make may run, with meta-commands refused. */
  foreignAccepted: boolean;
  progress?(done: number, total: number): void;
  signal?: AbortSignal;
}

/** Why a file is not one pgtop made and still has as it made it, or null when it is. */
export function notPgtopsBecause(sidecar: Sidecar | null, name: string, now: { sha256: string; bytes: number }, format: FileFormat, gzip: boolean): string | null {
  if (!sidecar) return `has no ${name}.verified record`;
  if (sidecar.file !== name) return `has a .verified record of another file (${sidecar.file})`;
  if (sidecar.madeBy !== 'pgtop') return 'was not made by pgtop (its .verified record only says it read back complete)';
  if (sidecar.sha256 !== now.sha256 || sidecar.bytes !== now.bytes) return `changed since pgtop made it: its SHA-256 is not the one in ${name}.verified`;
  if ((sidecar.format !== undefined && sidecar.format !== format) || (sidecar.gzip !== undefined && sidecar.gzip !== gzip)) return `is not what its .verified record says it is`;
  return null;
}

/** Whether the psql that will restore knows \restrict (asked with `psql --version`, in the pod under -k). */
export async function psqlKnowsRestrict(source: ToolSource, signal?: AbortSignal): Promise<{ version: string | null; restrict: boolean }> {
  let out = '';
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      out += chunk.toString('utf8');
      done();
    },
  });
  try {
    await source.run({ tool: 'psql', args: ['--version'], stdout: sink, signal });
  } catch {
    return { version: null, restrict: false };
  }
  const version = /\(PostgreSQL\)\s+(\d+(?:\.\d+)?)/.exec(out)?.[1] ?? null;
  return { version, restrict: version !== null && psqlHasRestrict(version) };
}

function fileStream(handle: FileHandle, progress?: (done: number) => void): Readable {
  let done = 0;
  const count = new Transform({
    transform(chunk: Buffer, _enc, next) {
      done += chunk.length;
      progress?.(done);
      next(null, chunk);
    },
  });
  const read = handle.createReadStream({ start: 0, autoClose: false });
  read.once('error', (error) => count.destroy(error));
  return read.pipe(count);
}

/**
 * Decides how psql reads a plain file, before anything is created: throws
 * RestoreRefused (one line, with the reason and the line) when it must not
 * run at all.
 */
export async function checkPlainRestore(check: PlainRestoreCheck): Promise<PlainRestorePlan> {
  const name = path.basename(check.file);
  const total = (await check.handle.stat()).size;
  const hash = createHash('sha256');
  let bytes = 0;
  await pipeline(
    fileStream(check.handle, (done) => check.progress?.(done, total)),
    new Writable({
      write(chunk: Buffer, _enc, done) {
        hash.update(chunk);
        bytes += chunk.length;
        done();
      },
    }),
    { signal: check.signal },
  );
  const sha256 = hash.digest('hex');
  const because = notPgtopsBecause(await readSidecar(check.file), name, { sha256, bytes }, 'plain', check.gzip);
  const psql = await psqlKnowsRestrict(check.source, check.signal);
  if (because === null) return { trusted: true, guard: psql.restrict ? null : 'strip', restrictKey: null, foreignBecause: null };
  if (!check.foreignAccepted) {
    throw new RestoreRefused(
      `${name} ${because}; pgtop runs a plain SQL file as it is only when it made it (psql would obey any \\! in it, on this machine)` +
        (because.startsWith('changed') ? ': t records it as it is now, then r restores it after you type its name, with psql meta-commands refused' : ': r restores it after you type its name, with psql meta-commands refused'),
    );
  }
  const mode: GuardMode = psql.restrict ? 'restricted' : 'strict';
  try {
    const stages: (Readable | Transform | Writable)[] = [fileStream(check.handle, (done) => check.progress?.(done, total))];
    if (check.gzip) stages.push(createGunzip());
    stages.push(plainSqlGuard(mode), discard());
    await pipeline(stages as unknown as [Readable, ...Writable[]], { signal: check.signal });
  } catch (error) {
    if (error instanceof PlainSqlRefused) {
      const client = psql.restrict ? '' : ` (this psql${psql.version ? `, ${psql.version},` : ''} has no \\restrict, so pgtop refuses whatever it cannot be sure of)`;
      throw new RestoreRefused(`${name}, ${error.message}; psql meta-commands are refused in a file pgtop did not make${client}`);
    }
    throw new RestoreRefused(`${name} cannot be read: ${(error as Error).message}`);
  }
  return { trusted: false, guard: mode, restrictKey: psql.restrict ? randomBytes(24).toString('hex') : null, foreignBecause: because };
}

/** The stream psql reads: the file (gunzipped), through pgtop's check when the plan has one. Errors of any stage end it with that error. */
export function plainRestoreInput(handle: FileHandle, gzip: boolean, plan: PlainRestorePlan, progress?: (done: number) => void): Readable {
  const stages: (Readable | Transform)[] = [fileStream(handle, progress)];
  if (gzip) stages.push(createGunzip());
  if (plan.guard) stages.push(plainSqlGuard(plan.guard));
  const out = new PassThrough();
  stages.push(out);
  // pipeline destroys every stage with the first error, so the last one (psql's stdin) ends with it.
  void pipeline(stages as unknown as [Readable, ...Transform[]]).catch(() => undefined);
  return out;
}
