// Reading a backup back, and remembering that it read. A custom-format
// archive is read by pg_restore twice: `--list` (its table of contents) and a
// restore into /dev/null, which reads and decompresses every data block — a
// truncated archive passes --list (its table of contents comes first) but not
// that. A plain SQL file (gzipped or not) must end with pg_dump's completion
// marker ("-- PostgreSQL database dump complete"; pg_dumpall's "…cluster dump
// complete"); gunzip fails on a truncated .gz by itself.
//
// The result goes next to the file, in `{file}.verified` (JSON): its size,
// modification time and SHA-256 when verified, what the check read, and for
// backups pgtop made, what they are ("madeBy": "pgtop"). A sidecar per file
// rather than one index: two pgtop processes (the dashboard and cron) never
// race on it, and it goes wherever the file is copied or deleted.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, rename, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Transform, Writable, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { VERIFIED_SUFFIX, type FileFormat } from '../model/backup-names.js';
import type { Sidecar } from '../model/backups.js';
import type { ToolSource } from './source.js';
import { ToolError } from './tools.js';

export const DUMP_COMPLETE = '-- PostgreSQL database dump complete';
export const CLUSTER_DUMP_COMPLETE = '-- PostgreSQL database cluster dump complete';

export interface VerifyResult {
  check: string;
  bytes: number;
  sha256: string;
}

export class VerifyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'VerifyError';
  }
}

/** A pass-through that hashes and counts what goes by. */
function hashTap(): { tap: Transform; digest(): { sha256: string; bytes: number } } {
  const hash = createHash('sha256');
  let bytes = 0;
  const tap = new Transform({
    transform(chunk: Buffer, _enc, done) {
      hash.update(chunk);
      bytes += chunk.length;
      done(null, chunk);
    },
  });
  return { tap, digest: () => ({ sha256: hash.digest('hex'), bytes }) };
}

/**
 * Reads `pg_restore --list`: the header's "TOC Entries: N" (what the archive
 * holds, also the entries it does not list: ENCODING, STDSTRINGS… — a dump of
 * an empty database lists none, and is still a good backup) and the listed
 * entries ("123; 1259 16390 TABLE public orders owner").
 */
function tocReader(): { sink: Writable; declared(): number | null; listed(): number } {
  let declared: number | null = null;
  let listed = 0;
  let rest = '';
  const take = (line: string) => {
    const header = /^;\s+TOC Entries:\s*(\d+)/.exec(line);
    if (header) declared = Number(header[1]);
    else if (/^\d+;/.test(line)) listed += 1;
  };
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      const lines = (rest + chunk.toString('utf8')).split('\n');
      rest = lines.pop() ?? '';
      lines.forEach(take);
      done();
    },
    final(done) {
      take(rest);
      rest = '';
      done();
    },
  });
  return { sink, declared: () => declared, listed: () => listed };
}

export async function verifyBackupFile(
  file: string,
  format: FileFormat,
  gzip: boolean,
  tools: () => ToolSource,
  signal?: AbortSignal,
): Promise<VerifyResult> {
  return format === 'custom' ? verifyCustom(file, tools(), signal) : verifyPlain(file, gzip, signal);
}

async function verifyCustom(file: string, source: ToolSource, signal?: AbortSignal): Promise<VerifyResult> {
  const toc = tocReader();
  // Locally pg_restore opens the file itself; in a pod it reads it from stdin.
  const fileArg = source.kind === 'local' ? [file] : [];
  try {
    await source.run({ tool: 'pg_restore', args: ['--list', ...fileArg], stdout: toc.sink, stdin: source.kind === 'local' ? undefined : createReadStream(file), signal });
  } catch (error) {
    throw new VerifyError(`pg_restore cannot read its table of contents: ${reason(error)}`);
  }
  const declared = toc.declared();
  if (!declared) throw new VerifyError('pg_restore --list shows no table of contents: not a pg_dump archive');
  try {
    await source.run({
      tool: 'pg_restore',
      args: ['--file=/dev/null', ...fileArg],
      stdin: source.kind === 'local' ? undefined : createReadStream(file),
      signal,
    });
  } catch (error) {
    throw new VerifyError(`pg_restore cannot read every data block: ${reason(error)}`);
  }
  const { sha256, bytes } = await hashFile(file, signal);
  return { check: `pg_restore read ${declared} entries (${toc.listed()} listed) and every data block`, sha256, bytes };
}

async function verifyPlain(file: string, gzip: boolean, signal?: AbortSignal): Promise<VerifyResult> {
  const { tap, digest } = hashTap();
  let head = '';
  let tail = '';
  let sqlBytes = 0;
  const keep = new Writable({
    write(chunk: Buffer, _enc, done) {
      sqlBytes += chunk.length;
      if (head.length < 200) head += chunk.toString('utf8', 0, Math.min(chunk.length, 200));
      // The marker is in the last lines; a few kB of tail is plenty.
      tail = (tail + chunk.toString('latin1')).slice(-4096);
      done();
    },
  });
  const stages: (Readable | Transform | Writable)[] = [createReadStream(file), tap];
  if (gzip) stages.push(createGunzip());
  stages.push(keep);
  try {
    await pipeline(stages as unknown as [Readable, ...Writable[]], { signal });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (gzip && (code === 'Z_BUF_ERROR' || code === 'Z_DATA_ERROR' || /unexpected end of file/i.test(String((error as Error).message)))) {
      throw new VerifyError(`the gzip stream is ${code === 'Z_DATA_ERROR' ? 'corrupt' : 'cut short'}: the file is incomplete`);
    }
    throw new VerifyError(`cannot read it: ${reason(error)}`);
  }
  const cluster = head.includes('PostgreSQL database cluster dump');
  if (!cluster && !head.includes('PostgreSQL database dump')) throw new VerifyError('it does not start like a pg_dump SQL file');
  const marker = cluster ? CLUSTER_DUMP_COMPLETE : DUMP_COMPLETE;
  if (!tail.includes(marker)) throw new VerifyError(`it does not end with "${marker}": the dump was cut short`);
  const { sha256, bytes } = digest();
  return { check: `ends with ${cluster ? "pg_dumpall's" : "pg_dump's"} completion marker (${sqlBytes} bytes of SQL read)`, sha256, bytes };
}

export async function hashFile(file: string, signal?: AbortSignal): Promise<{ sha256: string; bytes: number }> {
  const { tap, digest } = hashTap();
  await pipeline(createReadStream(file), tap, discard(), { signal });
  return digest();
}

function reason(error: unknown): string {
  if (error instanceof ToolError || error instanceof VerifyError) return error.message.replace(/^pg_restore( failed)?:\s*/, '');
  return (error as Error)?.message ?? String(error);
}

export function sidecarPath(file: string): string {
  return `${file}${VERIFIED_SUFFIX}`;
}

/** Writes the sidecar atomically (a reader never sees half of it). */
export async function writeSidecar(file: string, result: VerifyResult, extra: Partial<Sidecar> = {}): Promise<Sidecar> {
  const s = await stat(file);
  const sidecar: Sidecar = {
    pgtop: 1,
    ...extra,
    file: path.basename(file),
    bytes: s.size,
    mtimeMs: Math.floor(s.mtimeMs),
    sha256: result.sha256,
    verifiedAt: new Date().toISOString(),
    check: result.check,
  };
  const target = sidecarPath(file);
  const temp = path.join(path.dirname(target), `.${path.basename(target)}.partial`);
  await writeFile(temp, `${JSON.stringify(sidecar, null, 2)}\n`, { mode: 0o600 });
  await rename(temp, target);
  return sidecar;
}

export async function readSidecar(file: string): Promise<Sidecar | null> {
  try {
    const parsed = JSON.parse(await readFile(sidecarPath(file), 'utf8')) as Sidecar;
    return parsed && parsed.pgtop === 1 && typeof parsed.sha256 === 'string' ? parsed : null;
  } catch {
    return null;
  }
}

/** Whether a sidecar still describes the file as it is now (same size and modification time). */
export function sidecarMatches(sidecar: Sidecar, file: { bytes: number; mtimeMs: number }): boolean {
  return sidecar.bytes === file.bytes && Math.abs(sidecar.mtimeMs - Math.floor(file.mtimeMs)) < 1000;
}

/** A sink that drops what it gets. */
export function discard(): Writable {
  return new Writable({ write: (_chunk, _enc, done) => done() });
}
