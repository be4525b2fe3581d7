// The one row behind the health screen's server-side checks (the others
// come from the header: connections, cache hit, TPS), into src/model/health.ts.

import { bool, num, str, type RawRow } from '../row.js';
import type { HealthSnapshot } from '../../../model/health.js';

export function mapHealth(row: RawRow): HealthSnapshot {
  return {
    longQueries: num(row, 'long_queries') ?? 0,
    longestQuerySeconds: num(row, 'longest_query_seconds'),
    idleInTransaction: num(row, 'idle_in_transaction') ?? 0,
    longestIdleSeconds: num(row, 'longest_idle_seconds'),
    lockWaits: num(row, 'lock_waits') ?? 0,
    longestLockWaitSeconds: num(row, 'longest_lock_wait_seconds'),
    oldestXidAge: num(row, 'oldest_xid_age'),
    oldestXidDatabase: str(row, 'oldest_xid_database'),
    freezeMaxAge: num(row, 'freeze_max_age') ?? 200_000_000,
    databaseBytes: num(row, 'database_bytes'),
    seesAll: bool(row, 'sees_all') ?? false,
  };
}
