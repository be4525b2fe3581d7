// Reads the sampler's records (sampler-script.ts says their lines) into a
// HostSample: head's /proc/PID/stat and io, the cgroup files of either
// version and df -Pk. Pure, and strict: everything here came from
// inside the pod, where anything may have been written, so a line that does
// not parse is left out, numbers must be numbers, and a record larger than
// the limit is dropped whole (RecordFramer) rather than buffered.
import type { CgroupSample, FilesystemSample, HostSample, ProcessSample } from '../model/host-sample.js';

export const RECORD_START = '@pgtop-sample';
export const RECORD_END = '@pgtop-sample-end';
// Whole lines only: a process's comm (15 bytes, any byte but NUL) may put a
// newline in its stat line, but cannot hold a newline, one of these and the
// next newline.
const START_LINE = /^@pgtop-sample \d{1,15}$/;
const END_LINE = /^@pgtop-sample-end \d{1,15}$/;
/** The line before df's output, which the sampler prints untagged. */
const DF_HEADER = '==> df <==';
/** head's line before each file's text: "==> /proc/PID/FILE <==". */
const PROC_HEADER = /^==> \/proc\/(\d{1,10})\/(stat|io) <==$/;

/** The most one record may hold: ~500 bytes a process, so thousands of processes fit. */
export const MAX_RECORD_BYTES = 2 * 1024 * 1024;

/** A whole number from text that must be one (digits only, at most 20). */
function count(text: string | undefined): number | null {
  if (text === undefined || !/^\d{1,20}$/.test(text)) return null;
  const n = Number(text);
  return Number.isFinite(n) ? n : null;
}

/** The whole number of text[from, to): digits only, at most 20 (a sampled process is parsed without slicing). */
function countAt(text: string, from: number, to: number): number | null {
  if (to <= from || to - from > 20) return null;
  let n = 0;
  for (let i = from; i < to; i++) {
    const digit = text.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) return null;
    n = n * 10 + digit;
  }
  return n;
}

/** What pgtop reads of a /proc/PID/stat line; rssPages is null on a line cut short. */
export type ParsedStat = Pick<ProcessSample, 'pid' | 'ppid' | 'cpuTicks' | 'startTicks'> & { rssPages: number | null };

/**
 * /proc/PID/stat: "pid (comm) state ppid … utime stime … starttime …".
 * comm may hold spaces and parentheses: the fields are what follows the last ')'.
 */
export function parseStat(line: string): ParsedStat | null {
  const open = line.indexOf(' (');
  const close = line.lastIndexOf(')');
  if (open < 0 || close < open) return null;
  const pid = countAt(line, 0, open);
  // After comm: state(0) ppid(1) … utime(11) stime(12) cutime cstime priority nice threads itrealvalue starttime(19) vsize rss(21).
  // Walked space by space up to rss (one stat line a process a refresh: no array of its ~50 fields).
  const fields: (number | null)[] = [];
  let from = close + 2;
  for (let index = 0; index <= 21 && from <= line.length; index++) {
    let to = line.indexOf(' ', from);
    if (to < 0) to = line.length;
    fields.push(index === 0 ? 0 : countAt(line, from, to));
    from = to + 1;
  }
  const [ppid, utime, stime, start] = [fields[1], fields[11], fields[12], fields[19]];
  if (close + 2 > line.length || pid === null || ppid == null || utime == null || stime == null || start == null) return null;
  return { pid, ppid, cpuTicks: utime + stime, startTicks: start, rssPages: fields[21] ?? null };
}

/** The comm of a /proc/PID/stat line (between the first " (" and the last ")"); null when it has none. */
export function statComm(line: string): string | null {
  const open = line.indexOf(' (');
  const close = line.lastIndexOf(')');
  return open < 0 || close < open ? null : line.slice(open + 2, close);
}

/** A server process: its comm is postgres (postmaster for old servers started by that name). */
export function isServerProcess(stat: string): boolean {
  const comm = statComm(stat);
  return comm === 'postgres' || comm === 'postmaster';
}

/** A cgroup v1 limit this large means none (the kernel writes 2^63 rounded down to a page). */
const NO_LIMIT_ABOVE = 2 ** 60;

function keyed(text: string | undefined): Map<string, string> {
  const map = new Map<string, string>();
  for (const line of (text ?? '').split('\n')) {
    const [key, value] = line.trim().split(/\s+/);
    if (key && value !== undefined) map.set(key, value);
  }
  return map;
}

/** The cgroup files by name (no directory): memory.current, cpu.max… for v2; memory.usage_in_bytes, cpuacct.usage… for v1. */
export function parseCgroup(version: 1 | 2, files: ReadonlyMap<string, string>): CgroupSample {
  const first = (name: string) => files.get(name)?.trim().split('\n')[0]?.trim();
  const stat = keyed(files.get('cpu.stat'));
  if (version === 2) {
    const max = first('memory.max');
    const cpuMax = first('cpu.max')?.split(/\s+/);
    const quota = count(cpuMax?.[0]);
    const period = count(cpuMax?.[1]);
    const usage = count(stat.get('usage_usec'));
    return {
      version,
      memoryBytes: count(first('memory.current')),
      memoryLimitBytes: max === 'max' ? null : count(max),
      cpuSeconds: usage === null ? null : usage / 1e6,
      cpuLimitCores: quota !== null && period ? quota / period : null,
      periods: count(stat.get('nr_periods')),
      throttledPeriods: count(stat.get('nr_throttled')),
    };
  }
  const limit = count(first('memory.limit_in_bytes'));
  const usage = count(first('cpuacct.usage'));
  const quota = count(first('cpu.cfs_quota_us')); // -1 (no limit) is no count: null
  const period = count(first('cpu.cfs_period_us'));
  return {
    version,
    memoryBytes: count(first('memory.usage_in_bytes')),
    memoryLimitBytes: limit === null || limit >= NO_LIMIT_ABOVE ? null : limit,
    cpuSeconds: usage === null ? null : usage / 1e9,
    cpuLimitCores: quota !== null && quota > 0 && period ? quota / period : null,
    periods: count(stat.get('nr_periods')),
    throttledPeriods: count(stat.get('nr_throttled')),
  };
}

/** df -Pk: a header, then "FS 1024-blocks Used Available Capacity% Mounted-on" (the device and mount may hold spaces). */
export function parseDf(lines: readonly string[]): FilesystemSample | null {
  for (const line of lines) {
    const match = /\s(\d{1,15})\s+(\d{1,15})\s+(\d{1,15})\s+(\d{1,3}|-)%\s/.exec(line);
    if (match) return { sizeBytes: Number(match[1]) * 1024, usedBytes: Number(match[2]) * 1024, availableBytes: Number(match[3]) * 1024 };
  }
  return null;
}

/** One process's files as head printed them (lines, head's blank separator lines included). */
interface ProcFiles {
  stat: string[];
  io: string[];
}

/** /proc/PID/io's storage counters (the others count the page cache too); null when unreadable. */
export function parseIo(text: string): Pick<ProcessSample, 'readBytes' | 'writeBytes'> {
  return { readBytes: lineValue(text, 'read_bytes: '), writeBytes: lineValue(text, 'write_bytes: ') };
}

/** The number after `key` on the line that starts with it ("read_bytes: 4096"); null when there is none. */
function lineValue(text: string, key: string): number | null {
  let at = text.startsWith(key) ? 0 : text.indexOf(`\n${key}`) + 1;
  if (at <= 0 && !text.startsWith(key)) return null;
  at += key.length;
  let end = text.indexOf('\n', at);
  if (end < 0) end = text.length;
  return countAt(text, at, end);
}

/** A server process from its stat line and io text: null when it is not one or its stat does not parse. */
export function serverProcess(statText: string, ioText: string, pageBytes: number): ProcessSample | null {
  return processFrom(statText, parseIo(ioText), pageBytes);
}

function processFrom(statText: string, io: Pick<ProcessSample, 'readBytes' | 'writeBytes'>, pageBytes: number): ProcessSample | null {
  if (!isServerProcess(statText)) return null;
  const stat = parseStat(statText);
  if (!stat) return null;
  return {
    pid: stat.pid,
    ppid: stat.ppid,
    cpuTicks: stat.cpuTicks,
    startTicks: stat.startTicks,
    rssBytes: stat.rssPages === null ? null : stat.rssPages * pageBytes,
    readBytes: io.readBytes,
    writeBytes: io.writeBytes,
  };
}

/** io's two counters from head's lines of it (no joined text: ~300 of them a refresh). */
function ioOfLines(lines: readonly string[]): Pick<ProcessSample, 'readBytes' | 'writeBytes'> {
  let readBytes: number | null = null;
  let writeBytes: number | null = null;
  for (const line of lines) {
    if (line.startsWith('read_bytes: ')) readBytes = countAt(line, 12, line.length);
    else if (line.startsWith('write_bytes: ')) writeBytes = countAt(line, 13, line.length);
  }
  return { readBytes, writeBytes };
}

/** The server processes among head's files: their stat (CPU, start, resident pages) and the I/O of io. */
function headProcesses(files: ReadonlyMap<number, ProcFiles>, pageBytes: number): ProcessSample[] {
  const processes: ProcessSample[] = [];
  for (const [pid, file] of files) {
    // One line and head's blank separator, unless a comm with a newline split it: then the text is rejoined.
    const { stat } = file;
    const statText = stat.length === 1 || (stat.length === 2 && stat[1] === '') ? stat[0]! : stat.join('\n').replace(/\n+$/, '');
    const process = processFrom(statText, ioOfLines(file.io), pageBytes);
    if (process && process.pid === pid) processes.push(process);
  }
  return processes;
}

/** One record's lines (between its start and end markers) as a sample; null when its clock is missing. */
export function parseRecord(lines: readonly string[]): HostSample | null {
  let uptimeSeconds: number | null = null;
  let clockTicks = 100;
  let pageBytes = 4096;
  const files = new Map<number, ProcFiles>();
  let file: string[] | null = null;
  let dfSection = false;
  let memTotalBytes: number | null = null;
  let version: 0 | 1 | 2 = 0;
  let path: string | null = null;
  const cgroupFiles = new Map<string, string>();
  const dfLines: string[] = [];
  for (const line of lines) {
    const header = line.startsWith('==> /proc/') ? PROC_HEADER.exec(line) : null;
    if (header) {
      const pid = Number(header[1]);
      const entry = files.get(pid) ?? { stat: [], io: [] };
      files.set(pid, entry);
      file = entry[header[2] as keyof ProcFiles];
      file.length = 0;
      continue;
    }
    // From head's first file on, every line is a file's text: tags mean nothing there.
    if (file) {
      file.push(line);
      continue;
    }
    if (line === DF_HEADER) {
      dfSection = true;
      continue;
    }
    if (dfSection) {
      dfLines.push(line);
      continue;
    }
    const tag = line.slice(0, 2);
    const rest = line.slice(2);
    switch (tag) {
      case 't ': {
        const match = /^(\d{1,12}(?:\.\d{1,9})?)$/.exec(rest.trim());
        if (match) uptimeSeconds = Number(match[1]);
        break;
      }
      case 'k ':
        clockTicks = count(rest.trim()) || 100;
        break;
      case 'z ':
        pageBytes = count(rest.trim()) || 4096;
        break;
      case 'm ':
        memTotalBytes = count(rest.trim()) === null ? null : Number(rest.trim()) * 1024;
        break;
      case 'p ':
        path = rest;
        break;
      case 'v ':
        version = rest.trim() === '2' ? 2 : rest.trim() === '1' ? 1 : 0;
        break;
      case 'c ': {
        const space = rest.indexOf(' ');
        if (space <= 0) break;
        // v1 names a file under its controller's directory: memory/memory.usage_in_bytes.
        const name = rest.slice(0, space).split('/').pop()!;
        cgroupFiles.set(name, `${cgroupFiles.get(name) ?? ''}${rest.slice(space + 1)}\n`);
        break;
      }
      case 'd ':
        dfLines.push(rest);
        break;
      default:
        break;
    }
  }
  if (uptimeSeconds === null) return null;
  return {
    uptimeSeconds,
    clockTicks,
    memTotalBytes,
    processes: headProcesses(files, pageBytes),
    // No cgroup lines: not asked for in this sample (or none readable).
    cgroup: version === 0 || cgroupFiles.size === 0 ? null : parseCgroup(version, cgroupFiles),
    path,
    filesystem: parseDf(dfLines),
  };
}

/**
 * Cuts the sampler's stdout into records: lines between a start and an end
 * marker. Bounded: a record (or a line) past maxBytes is dropped whole, and
 * said once through `dropped`; text outside a record is ignored.
 */
export class RecordFramer {
  private partial = '';
  private lines: string[] | null = null;
  private size = 0;
  private discarding = false;

  constructor(
    private readonly onRecord: (lines: string[]) => void,
    private readonly dropped: (message: string) => void,
    private readonly maxBytes = MAX_RECORD_BYTES,
  ) {}

  push(chunk: string): void {
    let text = this.partial + chunk;
    let newline = text.indexOf('\n');
    while (newline >= 0) {
      this.line(text.slice(0, newline));
      text = text.slice(newline + 1);
      newline = text.indexOf('\n');
    }
    this.partial = text;
    if (this.partial.length > this.maxBytes) {
      this.partial = '';
      if (this.lines) this.drop();
    }
  }

  private line(line: string): void {
    if (START_LINE.test(line)) {
      this.lines = [];
      this.size = 0;
      this.discarding = false;
      return;
    }
    if (END_LINE.test(line)) {
      if (this.lines && !this.discarding) this.onRecord(this.lines);
      this.lines = null;
      this.discarding = false;
      return;
    }
    if (!this.lines || this.discarding) return;
    this.size += line.length + 1;
    if (this.size > this.maxBytes) this.drop();
    else this.lines.push(line);
  }

  private drop(): void {
    // Said once per record, however many of its lines were too long.
    if (!this.discarding) this.dropped(`a sample larger than ${Math.round(this.maxBytes / 1024)} KiB was dropped`);
    this.lines = [];
    this.discarding = true;
  }
}
