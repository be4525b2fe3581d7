// The health screen's checks at one moment.

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
