// pg_stat_activity rows into Backends (src/model/activity.ts).
import { intArray, num, str, type RawRow } from '../row.js';
import type { Backend } from '../../../model/activity.js';

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
    xminAge: num(row, 'xmin_age'),
    leaderPid: num(row, 'leader_pid'),
    blockedBy: intArray(row, 'blocked_by'),
    query: hidden ? '' : (query ?? ''),
    hidden,
  };
}
