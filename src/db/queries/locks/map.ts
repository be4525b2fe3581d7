// Lock participants from pg_locks and pg_stat_activity (src/model/locks.ts
// builds the blocking tree from them).
import { intArray, num, str, type RawRow } from '../row.js';
import type { LockParticipant } from '../../../model/locks.js';

export function mapLockParticipant(row: RawRow): LockParticipant {
  const query = str(row, 'query');
  const hidden = query === '<insufficient privilege>';
  return {
    pid: num(row, 'pid') ?? 0,
    user: str(row, 'user_name'),
    database: str(row, 'database'),
    application: str(row, 'application_name') ?? '',
    state: str(row, 'state'),
    waitEvent: str(row, 'wait_event'),
    blockedBy: intArray(row, 'blocked_by'),
    lockType: str(row, 'locktype'),
    mode: str(row, 'mode'),
    relation: str(row, 'relation'),
    waitSeconds: num(row, 'wait_seconds'),
    xactSeconds: num(row, 'xact_seconds'),
    stateSeconds: num(row, 'state_seconds'),
    query: hidden ? '' : (query ?? ''),
    hidden,
  };
}
