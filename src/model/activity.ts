// Sessions as pgtop shows them: one backend of pg_stat_activity.

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
  /** Age in transaction IDs of the older of backend_xmin and backend_xid: how far back it holds the vacuum horizon; null when it holds none. */
  xminAge: number | null;
  leaderPid: number | null;
  blockedBy: number[];
  query: string;
  /** True when this role may not see the session's details (needs pg_read_all_stats). */
  hidden: boolean;
}
