// The server's log as the logs screen shows it: lines kept in a bounded ring
// (LOG_RING_LINES lines, LOG_RING_BYTES bytes; a single huge line is cut at
// LOG_LINE_MAX_CHARS), cut from a byte stream that arrives in chunks (a
// pods/log follow, slices of a log file read by offset), each with its
// severity for the highlighting. Log lines are hostile text: they are kept
// exactly as read here and drawn through terminalText. Pure: no I/O.

export const LOG_RING_LINES = 5_000;
export const LOG_RING_BYTES = 4 * 1024 * 1024;
/** A longer line is cut here (a query logged whole can be megabytes). */
export const LOG_LINE_MAX_CHARS = 4_096;
/** How many lines of a log pgtop reads first (pods/log tailLines); a log file: its last LOG_TAIL_BYTES. */
export const LOG_TAIL_LINES = 500;
export const LOG_TAIL_BYTES = 64 * 1024;

export interface LogLine {
  /** Counts up for the life of the ring: the row's key. */
  seq: number;
  /** The line's time as the source stamped it (pods/log with timestamps), or null. */
  at: string | null;
  text: string;
  /** A line pgtop wrote itself (the stream restarted, the dashboard moved to another pod). */
  marker?: true;
}

/** One row: what the logs screen shows of one log. */
export interface ServerLog {
  /** Where the lines come from: "pod/pg-0 container postgres", "log/postgresql-2026-12-02_061500.log". */
  origin: string;
  /** The previous container's log (pods/log previous=true). */
  previous: boolean;
  lines: LogLine[];
  /** What the screen should say above the lines (no previous container, reconnecting…); null: nothing. */
  note: string | null;
}

export type LogSeverity = 'alert' | 'warn' | null;

// PostgreSQL's "ERROR:  …" (stderr, with any log_line_prefix before it), and its csvlog field ",ERROR,".
const ALERT = /(?:^|\s)(?:ERROR|FATAL|PANIC):\s|,"?(?:ERROR|FATAL|PANIC)"?,/;
const WARN = /(?:^|\s)WARNING:\s|,"?WARNING"?,/;

/** ERROR, FATAL and PANIC lines are alerts, WARNING lines warnings. */
export function logSeverity(text: string): LogSeverity {
  if (ALERT.test(text)) return 'alert';
  if (WARN.test(text)) return 'warn';
  return null;
}

/** An RFC 3339 time and a space before the line, as pods/log writes it with timestamps=true. */
const STAMP = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)) /;

export function splitTimestamp(line: string): { at: string | null; text: string } {
  const match = STAMP.exec(line);
  return match ? { at: match[1]!, text: line.slice(match[0].length) } : { at: null, text: line };
}

/**
 * Cuts a byte stream into lines: bytes are buffered until a newline (a
 * UTF-8 character split across chunks stays whole), and a line longer than
 * LOG_LINE_MAX_CHARS is cut there, the rest up to its newline dropped.
 */
export class LineSplitter {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** Dropping the rest of an over-long line until its newline. */
  private skipping = false;
  /** The first line is a partial one (a file read from the middle): drop it. */
  private dropFirst: boolean;

  constructor(options: { dropFirstLine?: boolean } = {}) {
    this.dropFirst = options.dropFirstLine ?? false;
  }

  /** The complete lines in this chunk (with what was pending before it). */
  push(chunk: Buffer): string[] {
    const lines: string[] = [];
    let start = 0;
    for (;;) {
      const newline = chunk.indexOf(0x0a, start);
      if (newline < 0) break;
      this.take(chunk.subarray(start, newline), lines, true);
      start = newline + 1;
    }
    if (start < chunk.length) this.take(chunk.subarray(start), lines, false);
    return lines;
  }

  private take(part: Buffer, lines: string[], ends: boolean): void {
    if (!this.skipping) {
      this.pending.push(part);
      this.pendingBytes += part.length;
    }
    // A line is cut once it holds more bytes than the cap can take as characters (4 bytes each at most).
    const tooLong = !this.skipping && this.pendingBytes > LOG_LINE_MAX_CHARS * 4;
    if (!ends && !tooLong) return;
    if (!this.skipping) {
      const text = Buffer.concat(this.pending).toString('utf8').replace(/\r$/, '');
      if (this.dropFirst) this.dropFirst = false;
      else lines.push(text.length > LOG_LINE_MAX_CHARS ? `${text.slice(0, LOG_LINE_MAX_CHARS)} … (cut)` : text);
    }
    this.pending = [];
    this.pendingBytes = 0;
    this.skipping = !ends;
  }
}

/** The last lines of a log, bounded by count and by bytes; the oldest go first. */
export class LogRing {
  private lines: LogLine[] = [];
  private bytes = 0;
  private seq = 0;

  constructor(
    private readonly maxLines = LOG_RING_LINES,
    private readonly maxBytes = LOG_RING_BYTES,
  ) {}

  push(text: string, at: string | null = null, marker = false): void {
    const line: LogLine = { seq: ++this.seq, at, text: text.length > LOG_LINE_MAX_CHARS ? `${text.slice(0, LOG_LINE_MAX_CHARS)} … (cut)` : text };
    if (marker) line.marker = true;
    this.lines.push(line);
    this.bytes += line.text.length;
    let drop = 0;
    while (this.lines.length - drop > this.maxLines || (this.bytes > this.maxBytes && this.lines.length - drop > 1)) {
      this.bytes -= this.lines[drop]!.text.length;
      drop += 1;
    }
    if (drop) this.lines = this.lines.slice(drop);
  }

  /** A line of pgtop's own between the log's (the stream restarted, another pod). */
  mark(text: string): void {
    this.push(text, null, true);
  }

  /** The last line that carries a time, for resuming after it. */
  lastStamped(): LogLine | undefined {
    for (let i = this.lines.length - 1; i >= 0; i -= 1) if (this.lines[i]!.at) return this.lines[i];
    return undefined;
  }

  /** The texts of the last lines stamped `at`: a resumed read drops these when it sends them again. */
  textsAt(at: string): string[] {
    const texts: string[] = [];
    for (let i = this.lines.length - 1; i >= 0 && (this.lines[i]!.at === at || this.lines[i]!.marker); i -= 1) {
      if (!this.lines[i]!.marker) texts.push(this.lines[i]!.text);
    }
    return texts;
  }

  get size(): number {
    return this.lines.length;
  }

  snapshot(): LogLine[] {
    return this.lines.slice();
  }

  clear(): void {
    this.lines = [];
    this.bytes = 0;
  }
}

/**
 * Drops what a resumed read sends again: lines stamped before the last one
 * kept, and at that same time the ones already kept (the API's sinceSeconds
 * is whole seconds, so a resumed follow overlaps what was read).
 */
export class ResumeFilter {
  private readonly since: number;
  private readonly seen: string[];
  private done = false;

  constructor(last: LogLine | undefined, seen: string[]) {
    this.since = last?.at ? Date.parse(last.at) : NaN;
    this.seen = seen;
    this.done = !Number.isFinite(this.since);
  }

  /** Whether this line is new. */
  keep(at: string | null, text: string): boolean {
    if (this.done || !at) return true;
    const t = Date.parse(at);
    if (t < this.since) return false;
    if (t === this.since) {
      const i = this.seen.indexOf(text);
      if (i >= 0) {
        this.seen.splice(i, 1);
        return false;
      }
      return true;
    }
    this.done = true;
    return true;
  }
}

/** What the server says about its log files (the log_files query): a direct connection reads the newest one. */
export interface LogFiles {
  /** logging_collector is on: the server writes log files (else it logs to stderr, which pgtop cannot read). */
  collector: boolean;
  destination: string;
  /** log_directory, relative to the data directory or absolute. */
  directory: string;
  /** This role may run pg_read_binary_file (superuser, or EXECUTE granted). */
  readable: boolean;
  /** The newest log file, if any. */
  name: string | null;
  size: number | null;
  modified: string | null;
}

/** Bytes of a log file from an offset (the log_read query). */
export interface LogSlice {
  /** Null when the file is gone (rotated away and removed). */
  bytes: Uint8Array | null;
}
