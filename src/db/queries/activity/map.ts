import { intArray, num, str, type RawRow } from '../row.js';

/** One server process from pg_stat_activity, as the activity screen shows it. */
export interface Backend {
  pid: number;
  user: string | null;
  database: string | null;
  application: string;
  /** "addr:port", "local" for a Unix socket, "" for a server process, null when hidden from this role. */
  client: string | null;
  backendType: string;
  state: string | null;
  waitEventType: string | null;
  waitEvent: string | null;
  xactSeconds: number | null;
  querySeconds: number | null;
  stateSeconds: number | null;
  backendSeconds: number | null;
  backendXid: string | null;
  backendXmin: string | null;
  leaderPid: number | null;
  blockedBy: number[];
  query: string;
  /** True when this role may not see the session's details (needs pg_read_all_stats). */
  hidden: boolean;
}

const INSUFFICIENT = '<insufficient privilege>';

export function mapBackend(row: RawRow): Backend {
  const query = str(row, 'query');
  const hidden = query === INSUFFICIENT;
  const addr = str(row, 'client_addr');
  const port = num(row, 'client_port');
  return {
    pid: num(row, 'pid') ?? 0,
    user: str(row, 'user_name'),
    database: str(row, 'database'),
    application: str(row, 'application_name') ?? '',
    client: addr ? `${addr}:${port ?? ''}` : port === -1 ? 'local' : hidden ? null : '',
    backendType: str(row, 'backend_type') ?? '',
    state: str(row, 'state'),
    waitEventType: str(row, 'wait_event_type'),
    waitEvent: str(row, 'wait_event'),
    xactSeconds: num(row, 'xact_seconds'),
    querySeconds: num(row, 'query_seconds'),
    stateSeconds: num(row, 'state_seconds'),
    backendSeconds: num(row, 'backend_seconds'),
    backendXid: str(row, 'backend_xid'),
    backendXmin: str(row, 'backend_xmin'),
    leaderPid: num(row, 'leader_pid'),
    blockedBy: intArray(row, 'blocked_by'),
    query: hidden ? '' : (query ?? ''),
    hidden,
  };
}
