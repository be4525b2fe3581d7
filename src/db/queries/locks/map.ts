// Lock participants from pg_locks, pg_stat_activity and pg_prepared_xacts
// (src/model/locks.ts builds the blocking tree from them).
import { intArray, num, str, strArray, type RawRow } from '../row.js';
import type { LockParticipant } from '../../../model/locks.js';

export function mapLockParticipant(row: RawRow): LockParticipant {
  const query = str(row, 'query');
  const hidden = query === '<insufficient privilege>';
  const blockedBy = intArray(row, 'blocked_by');
  const blockedByPrepared = strArray(row, 'blocked_by_prepared');
  const gid = str(row, 'gid');
  return {
    kind: str(row, 'kind') === 'prepared' ? 'prepared' : 'backend',
    pid: num(row, 'pid') ?? 0,
    user: str(row, 'user_name'),
    database: str(row, 'database'),
    application: str(row, 'application_name') ?? '',
    state: str(row, 'state'),
    waitEvent: str(row, 'wait_event'),
    // pg_blocking_pids() says 0 for a prepared transaction: named in blockedByPrepared instead, or an unknown holder.
    blockedBy: blockedBy.filter((pid) => pid !== 0),
    blockedByPrepared,
    blockedByUnknown: blockedBy.includes(0) && blockedByPrepared.length === 0,
    lockType: str(row, 'locktype'),
    mode: str(row, 'mode'),
    relation: str(row, 'relation'),
    waitSeconds: num(row, 'wait_seconds'),
    xactSeconds: num(row, 'xact_seconds'),
    stateSeconds: num(row, 'state_seconds'),
    query: hidden ? '' : (query ?? ''),
    hidden,
    prepared: gid !== null ? { gid, xid: str(row, 'xid') ?? '' } : null,
  };
}
