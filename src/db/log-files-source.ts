// The server's log for a direct connection: its newest log file, read
// through pg_ls_logdir() and pg_read_binary_file() on the monitor
// connection. Only the tail first (the last LOG_TAIL_BYTES), then each
// refresh the bytes added since, by offset: never the whole file. A new
// newest file (rotation) is read from its start. Where the server cannot
// give it, the source is switched off and says why: logging_collector off
// (the server logs to stderr), or a role that may not read files (needs
// EXECUTE on pg_read_binary_file, or superuser; listing them needs
// pg_monitor).
import { PgtopError, sqlState } from '../errors.js';
import { LineSplitter, LOG_TAIL_BYTES, LogRing, type LogFiles, type LogSlice, type ServerLog } from '../model/server-log.js';
import { pgFailure, type Failure } from '../scheduler/failures.js';
import { landFailedRows, landRows, type PgSource } from '../scheduler/source.js';
import type { PgConnection } from './connection.js';

/** At most this much is read in one refresh; a log growing faster is skipped ahead (and says so). */
export const LOG_READ_MAX_BYTES = 1024 * 1024;

const TITLE = 'server log';
export const READ_GRANT = 'GRANT EXECUTE ON FUNCTION pg_read_binary_file(text, bigint, bigint, boolean) TO the role';

/** The server cannot give its log to this role, or has none in files: said where the log would be. */
export class LogUnavailableError extends PgtopError {}

export interface LogReads {
  files(session: PgConnection): Promise<LogFiles[]>;
  read(session: PgConnection, file: string, offset: number, length: number): Promise<LogSlice[]>;
}

export function logFilesSource(reads: LogReads): PgSource<ServerLog> {
  const ring = new LogRing();
  let file: string | null = null;
  let offset = 0;
  let splitter = new LineSplitter();

  /** Starts on a file: its tail when it is the first one seen or has grown big, else from its start (a rotation's new file). */
  const start = (name: string, size: number, first: boolean) => {
    if (!first) ring.mark(`— the server started a new log file: ${name} —`);
    file = name;
    offset = first || size > LOG_TAIL_BYTES ? Math.max(0, size - LOG_TAIL_BYTES) : 0;
    splitter = new LineSplitter({ dropFirstLine: offset > 0 });
  };

  return {
    id: 'serverLog',
    title: TITLE,
    needs: 'pg',
    async run({ session, counted }) {
      counted();
      const [files] = await reads.files(session);
      if (!files?.collector) {
        throw new LogUnavailableError(
          `the server logs to stderr (logging_collector is off, log_destination ${files?.destination ?? '?'}): its log is wherever its stderr goes (journalctl, docker logs, kubectl logs — or pgtop -k); pgtop reads log files only`,
        );
      }
      if (!files.readable) throw new LogUnavailableError(`reading the log files needs EXECUTE on pg_read_binary_file, or superuser (${READ_GRANT})`);
      if (files.name === null || files.size === null) {
        return { origin: `${files.directory}/`, previous: false, lines: ring.snapshot(), note: `no log file in ${files.directory} yet` };
      }
      if (files.name !== file) start(files.name, files.size, file === null);
      // Truncated or replaced under the same name: read its tail again.
      else if (files.size < offset) start(files.name, files.size, true);
      let note: string | null = null;
      if (files.size - offset > LOG_READ_MAX_BYTES) {
        note = `the log grew by ${files.size - offset} bytes since the last refresh: only the last ${LOG_READ_MAX_BYTES} read`;
        offset = files.size - LOG_READ_MAX_BYTES;
        splitter = new LineSplitter({ dropFirstLine: true });
      }
      // Relative to the data directory (the default, `log`) or absolute: pg_read_binary_file reads both in log_directory.
      const path = `${files.directory.replace(/\/$/, '')}/${files.name}`;
      if (files.size > offset) {
        counted();
        const [slice] = await reads.read(session, path, offset, files.size - offset);
        const bytes = slice?.bytes;
        if (bytes) {
          offset += bytes.length;
          for (const line of splitter.push(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length))) ring.push(line);
        }
      }
      return { origin: path, previous: false, lines: ring.snapshot(), note };
    },
    failure: logFailure,
    land: (data, log, { at }) => landRows(data, 'serverLog', [log], at),
    landFailure: (data, failure) => landFailedRows(data, 'serverLog', failure),
  };
}

/** What cannot work for this role or server is switched off with its reason; the rest as any query's failure. */
function logFailure(error: unknown): Failure {
  if (error instanceof LogUnavailableError) return { kind: 'degraded', message: `${TITLE}: ${error.message}`, disabled: `${TITLE}: ${error.message}` };
  if (sqlState(error) === '42501') {
    const text = `${TITLE}: listing the log files needs pg_monitor (pg_ls_logdir), reading them EXECUTE on pg_read_binary_file, or superuser (${(error as Error).message})`;
    return { kind: 'degraded', message: text, disabled: text };
  }
  return pgFailure(TITLE, error);
}
