// What the machine around PostgreSQL says, read from the server's own /proc,
// cgroup files and data-directory filesystem: through one long-lived exec
// session in the pod with -k, from this host's /proc and statfs when the
// server runs here (as pg_activity does). These are the figures SQL cannot
// see: a backend's CPU, memory and I/O; the container's memory and CPU against
// its limits; how full the data volume is and how fast it fills. Pure types:
// the sampler (src/host/) produces them, the activity screen, the pod screen
// and the header read them from the store.

/** Where the figures came from, as the screens say it ("usage from cgroup v2"). */
export type UsageSource = 'metrics API' | 'cgroup v2' | 'cgroup v1' | 'host /proc';

/** One server process, matched to pg_stat_activity.pid (the container's PID namespace is the server's). */
export interface ProcessUsage {
  pid: number;
  /** Share of one core over the last interval, 0–100 per core (pg_activity's CPU%); null on the first sample. */
  cpuPercent: number | null;
  /** Resident set size in bytes (shared buffers it touched included, as ps counts them). */
  rssBytes: number;
  /** rssBytes as a share of the container's memory limit, else of the machine's memory (pg_activity's MEM). */
  memPercent: number | null;
  /** Bytes read from / written to storage per second over the last interval (/proc/PID/io); null when unreadable or on the first sample. */
  readBytesPerSecond: number | null;
  writeBytesPerSecond: number | null;
}

/** The container's (or, in direct mode, the machine's) memory and CPU against its limits. */
export interface ContainerUsage {
  source: UsageSource;
  memoryBytes: number;
  /** null: no limit. */
  memoryLimitBytes: number | null;
  /** Cores in use, averaged over the last interval; null on the first sample. */
  cpuCores: number | null;
  /** null: no limit. */
  cpuLimitCores: number | null;
  /** Share of the last interval's CFS periods in which the container was throttled (cpu.stat); null when unknown. */
  throttledRatio: number | null;
  /** When it was measured (epoch ms). */
  at: number;
}

/** The filesystem holding the data directory, and how fast it fills. */
export interface DataDirectoryUsage {
  /** The data directory (PGDATA in the pod, data_directory in direct mode). */
  path: string;
  sizeBytes: number;
  usedBytes: number;
  availableBytes: number;
  /** pg_wal's size in bytes, when known. */
  walBytes: number | null;
  /** At the growth rate of the last hour (or what was watched of it): seconds until full; null when it does not grow. */
  fullInSeconds: number | null;
  at: number;
}
