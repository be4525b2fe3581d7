// One backup, written so that nothing half-written ever looks like a backup:
//   1. pg_dump (or pg_dumpall) writes to `.{name}.partial` in the backup
//      directory (created exclusively: an existing file is never touched);
//   2. only when the program exited 0 is the file fsynced and verified
//      (verify.ts);
//   3. then it gets its real name by link() — which, unlike rename(), fails
//      when the name exists, so no backup is ever overwritten — and the
//      directory is fsynced; the sidecar `{name}.verified` records the check.
// Any failure (the program's, the disk's, the stream's, an interrupt) removes
// the temporary file and says why in one line. If pgtop itself is killed
// (SIGKILL) the `.partial` name is left: the backups screen shows it as an
// interrupted backup, never as one.
//
// The dump streams: from the pod (or a local pg_dump's stdout) through an
// optional gzip into the file with backpressure, so memory stays flat. A
// local custom-format dump is the exception: pg_dump writes the file itself
// (--file), because an archive written to a pipe has no data offsets and
// cannot be restored in parallel (pg_restore -j).
import { createWriteStream, unlinkSync, type WriteStream } from 'node:fs';
import { link, mkdir, open, rename, rm, stat, unlink, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { Transform, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { backupFileName, kindLabel, partialName, type BackupPlan } from '../model/backup-names.js';
import { startWork } from './running.js';
import type { ToolRun, ToolSource } from './source.js';
import { ToolError } from './tools.js';
import { verifyBackupFile, writeSidecar } from './verify.js';
import type { Sidecar } from '../model/backups.js';

export class BackupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BackupError';
  }
}

export interface BackupProgress {
  name: string;
  bytes: number;
  /** Bytes per second since the start. */
  rate: number;
  phase: 'dumping' | 'verifying';
}

export interface BackupRequest {
  dir: string;
  plan: BackupPlan;
  /** The time in the name. */
  at: Date;
  /** Where pg_dump runs. */
  source: ToolSource;
  /** Where pg_restore runs to verify a custom archive (local when there is one new enough, else the pod). */
  verifier: () => ToolSource;
  serverVersion?: string;
  progress?(progress: BackupProgress): void;
  signal?: AbortSignal;
  /** How often progress is reported. */
  progressMs?: number;
  /** The stream that writes the temporary file (tests wrap it to simulate a full disk where no tmpfs can be mounted). */
  openSink?(handle: FileHandle): Writable;
}

export interface BackupResult {
  file: string;
  name: string;
  bytes: number;
  durationMs: number;
  sidecar: Sidecar;
}

/** Temporary files being written now: removed if the process exits before they are done. */
const active = new Set<string>();
let exitHookInstalled = false;
function track(temp: string): void {
  active.add(temp);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on('exit', () => {
      for (const file of active) {
        try {
          unlinkSync(file);
        } catch {
          // Already gone.
        }
      }
    });
  }
}

export function isBeingWritten(file: string): boolean {
  return active.has(file);
}

/** pg_dump's arguments for a plan, and which program. --no-password: a tool must never prompt (it would hang cron and tear the dashboard). */
export function dumpCommand(plan: BackupPlan): Omit<ToolRun, 'stdout' | 'stdin' | 'signal'> {
  if (plan.kind === 'globals') {
    return { tool: 'pg_dumpall', args: ['--globals-only', ...(plan.withoutRolePasswords ? ['--no-role-passwords'] : []), '--no-password'], database: plan.database };
  }
  const args = [`--format=${plan.format}`, '--no-password'];
  if (plan.kind === 'schema') args.push('--schema-only');
  if (plan.kind === 'data') args.push('--data-only');
  if (plan.kind === 'table') args.push(`--table=${plan.table}`);
  return { tool: 'pg_dump', args, database: plan.database };
}

/** What a file-system error means, in words. */
export function fsReason(error: unknown): string {
  const e = error as NodeJS.ErrnoException;
  switch (e?.code) {
    case 'ENOSPC':
      return 'no space left on the device (the disk is full)';
    case 'EDQUOT':
      return 'disk quota exceeded';
    case 'EROFS':
      return 'the file system is read-only';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'ENOTDIR':
      return 'part of the path is a file, not a directory';
    case 'ENOENT':
      return 'no such file or directory';
    default:
      return e?.message ?? String(error);
  }
}

export async function runBackup(request: BackupRequest): Promise<BackupResult> {
  const { dir, plan } = request;
  const started = Date.now();
  const name = backupFileName(plan, request.at);
  const what = plan.kind === 'globals' ? 'roles backup' : `${kindLabel(plan.kind, plan.table)} backup of ${plan.database}`;
  try {
    await mkdir(dir, { recursive: true, mode: 0o700 });
  } catch (error) {
    throw new BackupError(`cannot create the backup directory ${dir}: ${fsReason(error)}; choose another with --backup-dir`);
  }
  const final = path.join(dir, name);
  const temp = path.join(dir, partialName(name));
  if (await exists(final)) throw new BackupError(`${final} already exists: pgtop never overwrites a backup; try again in a second`);
  let handle: FileHandle | undefined;
  try {
    handle = await open(temp, 'wx', 0o600);
  } catch (error) {
    throw new BackupError(`cannot write in ${dir}: ${fsReason(error)}; choose another with --backup-dir`);
  }
  track(temp);
  // Stopped by request.signal (Ctrl-C in `pgtop backup`), by pgtop quitting (running.ts), or by a failure of the file's side.
  const work = startWork(request.signal);
  const stop = new AbortController();
  const onOuterAbort = () => stop.abort();
  work.signal.addEventListener('abort', onOuterAbort, { once: true });
  let writeError: unknown = null;
  /** Settles when the file stream has finished or failed (the program's side may fail first, with the disk's error). */
  let writing: Promise<void> = Promise.resolve();
  let tearingDown = false;
  let tearDown = () => undefined as void;
  /** Set once the file has its real name: a failure after that (the sidecar) removes it too, so every kept backup has its record. */
  let published: string | null = null;
  let bytes = () => 0;
  let phase: BackupProgress['phase'] = 'dumping';
  const report = () => {
    const seconds = Math.max(0.001, (Date.now() - started) / 1000);
    const b = bytes();
    request.progress?.({ name, bytes: b, rate: b / seconds, phase });
  };
  const timer = setInterval(report, request.progressMs ?? 500);
  try {
    const command = dumpCommand(plan);
    if (request.source.kind === 'local' && plan.format === 'custom') {
      // pg_dump writes (and fsyncs) the archive itself, with its data offsets.
      await handle.close();
      handle = undefined;
      bytes = statBytes(temp);
      await request.source.run({ ...command, args: [...command.args, `--file=${temp}`], signal: stop.signal });
    } else {
      const file = request.openSink?.(handle) ?? createWriteStream('', { fd: handle, highWaterMark: STREAM_BUFFER_BYTES });
      handle = undefined; // the stream owns it now
      bytes = () => (file as Partial<WriteStream>).bytesWritten ?? 0;
      const input = dumpInput();
      const stages: (Transform | Writable)[] = plan.gzip ? [input, createGzip({ level: 6 }), file] : [input, file];
      const written = pipeline(stages as unknown as [Transform, Writable]).catch((error: unknown) => {
        // Only the file's own failure counts here; a stream we tore down ourselves is not news.
        if (!tearingDown) writeError = error;
        stop.abort();
        throw error;
      });
      tearDown = () => input.destroy();
      writing = written.catch(() => undefined);
      await request.source.run({ ...command, stdout: input, signal: stop.signal });
      input.end();
      await written;
    }
    if (stop.signal.aborted) throw new ToolError('interrupted');
    await syncFile(temp);
    phase = 'verifying';
    report();
    const verified = await verifyBackupFile(temp, plan.format, plan.gzip, request.verifier, stop.signal).catch((error: unknown) => {
      throw new BackupError(`the dump does not read back: ${(error as Error).message}`);
    });
    await publish(temp, final);
    published = final;
    active.delete(temp);
    const sidecar = await writeSidecar(final, verified, {
      madeBy: 'pgtop',
      database: plan.database,
      kind: plan.kind,
      ...(plan.table ? { table: plan.table } : {}),
      format: plan.format,
      gzip: plan.gzip,
      serverVersion: request.serverVersion,
      dumpedBy: request.source.where(command.tool),
      durationMs: Date.now() - started,
    });
    return { file: final, name, bytes: (await stat(final)).size, durationMs: Date.now() - started, sidecar };
  } catch (error) {
    stop.abort();
    // Let a write error that caused this be seen first, then end the file stream either way.
    await Promise.race([writing, new Promise((resolve) => setImmediate(resolve))]);
    tearingDown = true;
    tearDown();
    await writing;
    if (published) await rm(published, { force: true }).catch(() => undefined);
    const why =
      writeError !== null
        ? `writing ${temp} failed: ${fsReason(writeError)}`
        : work.signal.aborted
          ? 'interrupted'
          : error instanceof BackupError || error instanceof ToolError
            ? error.message
            : fsReason(error);
    throw new BackupError(`${what} failed: ${why}; no backup file was kept`);
  } finally {
    clearInterval(timer);
    work.signal.removeEventListener('abort', onOuterAbort);
    work.done();
    await handle?.close().catch(() => undefined);
    await rm(temp, { force: true }).catch(() => undefined);
    active.delete(temp);
  }
}

/**
 * How much of the dump may wait in memory between the stream and the disk.
 * Big enough that the exec stream is not paused and resumed for every frame
 * (with the 16 kB default, 1 GB took 6.7 s against kubectl's 5.0 s), small enough that
 * memory stays flat whatever the size of the database.
 */
export const STREAM_BUFFER_BYTES = 4 * 1024 * 1024;

/** Where the dump enters the file pipeline (a pass-through, so gzip can follow it). */
export function dumpInput(): Transform {
  return new Transform({
    highWaterMark: STREAM_BUFFER_BYTES,
    transform(chunk: Buffer, _enc, done) {
      done(null, chunk);
    },
  });
}

function statBytes(file: string): () => number {
  let last = 0;
  let pending = false;
  return () => {
    if (!pending) {
      pending = true;
      stat(file)
        .then((s) => (last = s.size))
        .catch(() => undefined)
        .finally(() => (pending = false));
    }
    return last;
  };
}

async function exists(file: string): Promise<boolean> {
  try {
    await stat(file);
    return true;
  } catch {
    return false;
  }
}

async function syncFile(file: string): Promise<void> {
  const fh = await open(file, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** Gives the temporary file its real name without ever replacing a file of that name, and makes the name durable. */
async function publish(temp: string, final: string): Promise<void> {
  try {
    await link(temp, final);
    await unlink(temp);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw new BackupError(`${final} appeared while the backup ran: pgtop never overwrites a backup`);
    // A file system without hard links: check, then rename (a tiny window, but never a partial file).
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'EMLINK') throw error;
    if (await exists(final)) throw new BackupError(`${final} appeared while the backup ran: pgtop never overwrites a backup`);
    await rename(temp, final);
  }
  try {
    const dir = await open(path.dirname(final), 'r');
    try {
      await dir.sync();
    } finally {
      await dir.close();
    }
  } catch {
    // Some file systems cannot fsync a directory; the file itself is synced.
  }
}
