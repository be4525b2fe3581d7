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

/** A user or application and how many client backends it holds. */
export interface SlotHolder {
  name: string;
  count: number;
}

/** Client backends against the slots ordinary roles may use. */
export interface ConnectionSlots {
  clientBackends: number;
  maxConnections: number;
  superuserReserved: number;
  /** reserved_connections (PostgreSQL 16+, for pg_use_reserved_connections); 0 before. */
  reserved: number;
  /** The three users and the three applications holding the most. */
  topUsers: SlotHolder[];
  topApplications: SlotHolder[];
}

/** Where ordinary roles get "remaining connection slots are reserved": max_connections less both reserves. */
export function ordinaryLimit(slots: ConnectionSlots): number {
  return Math.max(0, slots.maxConnections - slots.superuserReserved - slots.reserved);
}
