// Direct mode, as pg_activity does it: a server on this host is read from
// this host's /proc (node:fs) and statfs of its data directory. The files are
// written out as the pod's sampler writes them and read by the same parser
// (parse.ts), so both modes share every figure's meaning.
//
// Which server is "on this host": pg_activity trusts the host name (local, or
// a unix socket). A local port may still be a container's or a tunnel's, so
// pgtop also checks /proc: the monitor session's backend (its pid as the
// server says it) must be a postgres process here, and its parent — the
// postmaster — must have started when pg_postmaster_start_time() says (to
// the second). Otherwise the columns are absent, not zero.
import { closeSync, openSync, readdirSync, readSync, statfsSync } from 'node:fs';
import type { PgConnection } from '../db/connection.js';
import type { HostSample } from '../model/host-sample.js';
import { parseRecord, parseStat } from './parse.js';
import { SamplerUnavailableError, type HostReader } from './exec-sampler.js';

/** The server as the monitor session describes it. */
export interface ServerIdentity {
  /** The monitor session's backend pid. */
  backendPid: number;
  /** pg_postmaster_start_time(), epoch seconds. */
  postmasterStartedAt: number;
  /** data_directory, when this role may read it (pg_read_all_settings). */
  dataDirectory: string | null;
}

/** The host names that mean "this machine", as pg_activity takes them; a unix socket is local too. */
export function isLocalHost(host: string): boolean {
  return host.startsWith('/') || host.startsWith('@') || ['localhost', '127.0.0.1', '::1'].includes(host) || host.startsWith('127.');
}

/** /proc, or a copy of it (tests). */
export interface ProcFiles {
  read(path: string): string;
  list(): string[];
  statfs(path: string): { sizeBytes: number; availableBytes: number; freeBytes: number };
}

/**
 * One buffer for every /proc read. readFileSync sizes its buffer by the
 * file's size, which /proc reports as 0, so it allocated 64 KiB for each of
 * the ~1 000 small files a refresh reads: ~11 MB more peak RSS for a 300
 * session server. The files read here are short; a longer one is cut.
 */
const PROC_BUFFER = Buffer.allocUnsafe(64 * 1024);

function readProcFile(path: string): string {
  const fd = openSync(path, 'r');
  try {
    let length = 0;
    while (length < PROC_BUFFER.length) {
      const read = readSync(fd, PROC_BUFFER, length, PROC_BUFFER.length - length, null);
      if (read === 0) break;
      length += read;
    }
    return PROC_BUFFER.toString('utf8', 0, length);
  } finally {
    closeSync(fd);
  }
}

const HOST_PROC: ProcFiles = {
  read: (path) => readProcFile(`/proc/${path}`),
  list: () => readdirSync('/proc').filter((name) => /^\d+$/.test(name)),
  statfs: (path) => {
    const s = statfsSync(path);
    return { sizeBytes: s.blocks * s.bsize, availableBytes: s.bavail * s.bsize, freeBytes: s.bfree * s.bsize };
  },
};

/** Linux's CLK_TCK on every architecture it runs PostgreSQL on (node cannot ask sysconf). */
const CLOCK_TICKS = 100;

function tryRead(proc: ProcFiles, path: string): string | null {
  try {
    return proc.read(path);
  } catch {
    return null;
  }
}

/** The postmaster's pid when the server described is the one running here; else why not. */
export function localPostmaster(identity: ServerIdentity, proc: ProcFiles = HOST_PROC): number | string {
  const stat = tryRead(proc, `${identity.backendPid}/stat`);
  const backend = stat ? parseStat(stat.trim()) : null;
  const comm = tryRead(proc, `${identity.backendPid}/comm`)?.trim();
  if (!backend || (comm !== 'postgres' && comm !== 'postmaster')) return `backend ${identity.backendPid} is not a postgres process on this host`;
  const postmaster = parseStat(tryRead(proc, `${backend.ppid}/stat`)?.trim() ?? '');
  const btime = /^btime (\d+)$/m.exec(tryRead(proc, 'stat') ?? '')?.[1];
  if (!postmaster || !btime) return '/proc does not show its postmaster';
  const startedAt = Number(btime) + postmaster.startTicks / CLOCK_TICKS;
  if (Math.abs(startedAt - identity.postmasterStartedAt) > 2) return `the postgres process ${backend.ppid} here is not this server's postmaster`;
  return backend.ppid;
}

/** The postmaster and its children, in the sampler's record format. */
export function localRecord(postmasterPid: number, proc: ProcFiles = HOST_PROC): string[] {
  const lines = [`k ${CLOCK_TICKS}`, 'v 0'];
  const memTotal = /^MemTotal:\s+(\d+) kB$/m.exec(tryRead(proc, 'meminfo') ?? '')?.[1];
  if (memTotal) lines.push(`m ${memTotal}`);
  const uptime = tryRead(proc, 'uptime')?.split(' ')[0];
  if (uptime) lines.push(`t ${uptime.trim()}`);
  for (const pid of proc.list()) {
    const stat = tryRead(proc, `${pid}/stat`)?.split('\n')[0];
    const parsed = stat ? parseStat(stat) : null;
    if (!parsed || (parsed.pid !== postmasterPid && parsed.ppid !== postmasterPid)) continue;
    lines.push(`s ${stat}`);
    const rss = /^VmRSS:\s+(.*)$/m.exec(tryRead(proc, `${pid}/status`) ?? '')?.[1];
    if (rss) lines.push(`r ${rss}`);
    const io = tryRead(proc, `${pid}/io`) ?? '';
    for (const key of ['read_bytes', 'write_bytes']) {
      const value = new RegExp(`^${key}: (\\d+)$`, 'm').exec(io)?.[1];
      if (value) lines.push(`i ${key}: ${value}`);
    }
  }
  return lines;
}

/** What the monitor session says of its server: one round trip, on the first read and after the server restarted. */
export async function identifyServer(session: PgConnection): Promise<ServerIdentity> {
  // data_directory: pg_settings leaves the row out (rather than failing) for a role without pg_read_all_settings.
  const { rows } = await session.client.query<{ started: number; data_directory: string | null }>(
    `SELECT extract(epoch FROM pg_postmaster_start_time())::float8 AS started,
            (SELECT setting FROM pg_settings WHERE name = 'data_directory') AS data_directory`,
  );
  return { backendPid: session.pid, postmasterStartedAt: Number(rows[0]?.started), dataDirectory: rows[0]?.data_directory ?? null };
}

/** Reads the local server's processes and data directory; the identity is checked on the first read and whenever the postmaster is gone. */
export class LocalReader implements HostReader {
  private postmaster: number | null = null;
  private dataDirectory: string | null = null;

  constructor(private readonly proc: ProcFiles = HOST_PROC) {}

  async read(session: PgConnection | null): Promise<HostSample> {
    if (this.postmaster === null || tryRead(this.proc, `${this.postmaster}/stat`) === null) {
      if (!session) throw new SamplerUnavailableError('needs the monitor connection to find its server');
      const identity = await identifyServer(session);
      const found = localPostmaster(identity, this.proc);
      if (typeof found === 'string') throw new SamplerUnavailableError(`shown only for a server on this host: ${found}`);
      this.postmaster = found;
      this.dataDirectory = identity.dataDirectory;
    }
    const sample = parseRecord(localRecord(this.postmaster, this.proc));
    if (!sample) throw new SamplerUnavailableError('/proc/uptime is not readable here');
    sample.path = this.dataDirectory;
    if (this.dataDirectory) {
      try {
        const fs = this.proc.statfs(this.dataDirectory);
        // As df counts: used is what is not free; available is what an unprivileged user may still write.
        sample.filesystem = { sizeBytes: fs.sizeBytes, usedBytes: fs.sizeBytes - fs.freeBytes, availableBytes: fs.availableBytes };
      } catch {
        sample.filesystem = null;
      }
    }
    return sample;
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
