// The one row behind the health screen's server-side checks (the others
// come from the header: connections, cache hit, TPS).
import { bool, num, str, type RawRow } from '../row.js';

export interface HealthSnapshot {
  /** Client sessions active for more than 30 s (the administration session's "long running queries"). */
  longQueries: number;
  longestQuerySeconds: number | null;
  idleInTransaction: number;
  longestIdleSeconds: number | null;
  /** Sessions waiting for a heavyweight lock. */
  lockWaits: number;
  /** How long the longest lock waiter's query has run: the wait is at most that long. */
  longestLockWaitSeconds: number | null;
  oldestXidAge: number | null;
  oldestXidDatabase: string | null;
  freezeMaxAge: number;
  /** pg_database_size(current_database()). */
  databaseBytes: number | null;
  /** Member of pg_read_all_stats: sees every session's state, not only its own. */
  seesAll: boolean;
}

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
