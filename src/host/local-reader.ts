// Direct mode, as pg_activity does it: a server on this host is read from
// this host's /proc (node:fs) and statfs of its data directory, parsed by
// the same functions as the pod's sampler's records (parse.ts), so both
// modes share every figure's meaning. It reads the least it can per
// refresh: the postmaster's children from its task's `children` file (the
// whole of /proc only where the kernel lacks it), then two files a server
// process (stat: CPU, start, resident pages; io: storage reads and writes),
// each kept open and read again with one pread into one buffer; the data
// directory only when asked.
//
// Which server is "on this host": pg_activity trusts the host name (local, or
// a unix socket). A local port may still be a container's or a tunnel's, so
// pgtop also checks /proc: the monitor session's backend (its pid as the
// server says it) must be a postgres process here, and its parent — the
// postmaster — must have started when pg_postmaster_start_time() says (to
// the second). Otherwise the columns are absent, not zero.
import { closeSync, openSync, readdirSync, readFileSync, readSync, statfsSync } from 'node:fs';
import type { PgConnection } from '../db/connection.js';
import type { HostSample, ProcessSample } from '../model/host-sample.js';
import { parseStat, serverProcess } from './parse.js';
import type { SampleRequest } from './sampler-script.js';
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
  /** The processes whose files are read again next refresh: what is kept open for them may stay, the rest is let go. */
  retain?(pids: ReadonlySet<string>): void;
}

/**
 * One buffer for every /proc read. readFileSync sizes its buffer by the
 * file's size, which /proc reports as 0, so it allocated 64 KiB for each of
 * the ~600 small files a refresh reads at 300 sessions. The files read here
 * are short; a longer one is cut.
 */
const PROC_BUFFER = Buffer.allocUnsafe(64 * 1024);

/**
 * The per-process files read at every refresh, kept open: /proc generates a
 * file's text anew on each read from offset 0 (its seq_file starts over), so
 * a refresh is one pread a file instead of open, read and close — the path
 * lookup in /proc was most of the cost (~1 200 system calls a refresh fewer
 * at 300 sessions). A process that exits makes its reads fail (ESRCH), even
 * when its pid is reused: the handle is dropped and the file is opened anew.
 */
const openFiles = new Map<string, number>();
/** Far below Node's file limit (it raises the soft limit to the hard one): past it, files are opened per read. */
const MAX_OPEN_FILES = 4096;

function readAll(fd: number): string {
  let length = 0;
  while (length < PROC_BUFFER.length) {
    const read = readSync(fd, PROC_BUFFER, length, PROC_BUFFER.length - length, length);
    length += read;
    // The files read here are written whole by one read (the kernel's single_open): a short read
    // that ends a line is the end, and the read that would say 0 is not made.
    if (read === 0 || PROC_BUFFER[length - 1] === 0x0a) break;
  }
  return PROC_BUFFER.toString('latin1', 0, length);
}

function readProcFile(path: string): string {
  const kept = openFiles.get(path);
  if (kept !== undefined) {
    try {
      return readAll(kept);
    } catch {
      // The process is gone (or another now has its pid): open the path again below, or fail as it would.
      openFiles.delete(path);
      closeSync(kept);
    }
  }
  const fd = openSync(`/proc/${path}`, 'r');
  let keep = false;
  try {
    const text = readAll(fd);
    keep = /^\d+\//.test(path) && openFiles.size < MAX_OPEN_FILES;
    if (keep) openFiles.set(path, fd);
    return text;
  } finally {
    if (!keep) closeSync(fd);
  }
}

/** Closes what is kept open for processes no longer read. */
function retainProcesses(pids: ReadonlySet<string>): void {
  for (const [path, fd] of openFiles) {
    if (pids.has(path.slice(0, path.indexOf('/')))) continue;
    openFiles.delete(path);
    closeSync(fd);
  }
}

const HOST_PROC: ProcFiles = {
  // /proc/stat (its btime, once per server) may pass 64 KiB on a machine of many CPUs: read whole.
  read: (path) => (path === 'stat' ? readFileSync('/proc/stat', 'latin1') : readProcFile(path)),
  retain: retainProcesses,
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

/**
 * This host's page size, which node cannot ask sysconf for: the same
 * resident set in pages (statm) and in kB (status) of this process, read
 * back to back, rounded to a power of two. 4 KiB when unreadable.
 */
export function pageBytes(proc: ProcFiles = HOST_PROC): number {
  const pages = Number(tryRead(proc, 'self/statm')?.split(' ')[1]);
  const kilobytes = Number(/^VmRSS:\s+(\d+) kB$/m.exec(tryRead(proc, 'self/status') ?? '')?.[1]);
  if (!(pages > 0) || !(kilobytes > 0)) return 4096;
  return 2 ** Math.round(Math.log2((kilobytes * 1024) / pages));
}

/** The postmaster's children: its task's children file, else every process whose parent it is (a kernel without CONFIG_PROC_CHILDREN). */
function childrenOf(postmasterPid: number, proc: ProcFiles): string[] {
  const listed = tryRead(proc, `${postmasterPid}/task/${postmasterPid}/children`);
  if (listed !== null) return listed.split(' ').filter((pid) => pid !== '' && pid !== '\n');
  return proc.list().filter((pid) => parseStat(tryRead(proc, `${pid}/stat`)?.trim() ?? '')?.ppid === postmasterPid);
}

/** The postmaster and its server children, each from its stat and io. */
export function localProcesses(postmasterPid: number, pageSize: number, proc: ProcFiles = HOST_PROC): ProcessSample[] {
  const processes: ProcessSample[] = [];
  const pids = [String(postmasterPid), ...childrenOf(postmasterPid, proc)];
  proc.retain?.(new Set(pids));
  for (const pid of pids) {
    const stat = tryRead(proc, `${pid}/stat`);
    if (stat === null) continue; // gone since it was listed
    const process = serverProcess(stat.trimEnd(), tryRead(proc, `${pid}/io`) ?? '', pageSize);
    if (process && String(process.pid) === pid) processes.push(process);
  }
  return processes;
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
  private memTotalBytes: number | null = null;
  private pageSize: number | null = null;

  constructor(private readonly proc: ProcFiles = HOST_PROC) {}

  async read(session: PgConnection | null, request: SampleRequest): Promise<HostSample> {
    if (this.postmaster === null || tryRead(this.proc, `${this.postmaster}/stat`) === null) {
      if (!session) throw new SamplerUnavailableError('needs the monitor connection to find its server');
      const identity = await identifyServer(session);
      const found = localPostmaster(identity, this.proc);
      if (typeof found === 'string') throw new SamplerUnavailableError(`shown only for a server on this host: ${found}`);
      this.postmaster = found;
      this.dataDirectory = identity.dataDirectory;
      const memTotal = /^MemTotal:\s+(\d+) kB$/m.exec(tryRead(this.proc, 'meminfo') ?? '')?.[1];
      this.memTotalBytes = memTotal ? Number(memTotal) * 1024 : null;
      this.pageSize = pageBytes(this.proc);
    }
    const uptime = Number(tryRead(this.proc, 'uptime')?.split(' ')[0]);
    if (!Number.isFinite(uptime) || uptime <= 0) throw new SamplerUnavailableError('/proc/uptime is not readable here');
    return {
      uptimeSeconds: uptime,
      clockTicks: CLOCK_TICKS,
      memTotalBytes: this.memTotalBytes,
      processes: request.processes ? localProcesses(this.postmaster, this.pageSize ?? 4096, this.proc) : [],
      cgroup: null,
      path: this.dataDirectory,
      filesystem: request.filesystem ? this.filesystem() : null,
    };
  }

  private filesystem(): HostSample['filesystem'] {
    if (!this.dataDirectory) return null;
    try {
      const fs = this.proc.statfs(this.dataDirectory);
      // As df counts: used is what is not free; available is what an unprivileged user may still write.
      return { sizeBytes: fs.sizeBytes, usedBytes: fs.sizeBytes - fs.freeBytes, availableBytes: fs.availableBytes };
    } catch {
      return null;
    }
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
