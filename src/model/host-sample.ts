// One reading of the machine around PostgreSQL, as the sampler (src/host/)
// parses it from /proc, the cgroup files and df, and the pure functions that
// turn two readings into what the screens show (host.ts): CPU and I/O as
// rates over the interval between them, memory against the limit, and how
// soon the data volume is full at the rate it grew while pgtop watched.
import type { ContainerUsage, DataDirectoryUsage, ProcessUsage, UsageSource } from './host.js';

/** One server process as /proc says it: counters, read again each sample. */
export interface ProcessSample {
  pid: number;
  ppid: number;
  /** utime + stime, in clock ticks. */
  cpuTicks: number;
  /** When it started, in clock ticks since boot: with the pid, who it is (pids are reused). */
  startTicks: number;
  rssBytes: number | null;
  /** /proc/PID/io's read_bytes and write_bytes (storage, not the page cache); null when unreadable. */
  readBytes: number | null;
  writeBytes: number | null;
}

/** The container's cgroup, either version, in common units. */
export interface CgroupSample {
  version: 1 | 2;
  memoryBytes: number | null;
  /** null: no limit. */
  memoryLimitBytes: number | null;
  /** CPU time used by the whole cgroup, in seconds (a counter). */
  cpuSeconds: number | null;
  /** null: no limit. */
  cpuLimitCores: number | null;
  /** cpu.stat's counters of CFS periods, and of those in which it was throttled. */
  periods: number | null;
  throttledPeriods: number | null;
}

export interface FilesystemSample {
  sizeBytes: number;
  usedBytes: number;
  availableBytes: number;
}

export interface HostSample {
  /** /proc/uptime: seconds since boot, the clock the counters are measured against. */
  uptimeSeconds: number;
  /** CLK_TCK: /proc/PID/stat's unit. */
  clockTicks: number;
  memTotalBytes: number | null;
  processes: ProcessSample[];
  cgroup: CgroupSample | null;
  /** The data directory the filesystem figures are of (PGDATA in the pod, data_directory here). */
  path: string | null;
  filesystem: FilesystemSample | null;
}

/** A process's counters against the same process (same pid and start) one sample earlier: CPU%, MEM, READ/s, WRITE/s. */
export function processUsageBetween(previous: HostSample | null, current: HostSample, memoryLimitBytes: number | null): ProcessUsage[] {
  const before = new Map<number, ProcessSample>();
  for (const p of previous?.processes ?? []) before.set(p.pid, p);
  const elapsed = previous ? current.uptimeSeconds - previous.uptimeSeconds : 0;
  const memoryBase = memoryLimitBytes ?? current.memTotalBytes;
  return current.processes.map((p) => {
    const old = before.get(p.pid);
    const same = old !== undefined && old.startTicks === p.startTicks && elapsed > 0;
    const rate = (now: number | null, then: number | null | undefined): number | null =>
      same && now !== null && then !== null && then !== undefined && now >= then ? (now - then) / elapsed : null;
    const ticks = rate(p.cpuTicks, old?.cpuTicks);
    return {
      pid: p.pid,
      cpuPercent: ticks === null ? null : (ticks / current.clockTicks) * 100,
      rssBytes: p.rssBytes ?? 0,
      memPercent: p.rssBytes !== null && memoryBase ? (p.rssBytes / memoryBase) * 100 : null,
      readBytesPerSecond: rate(p.readBytes, old?.readBytes),
      writeBytesPerSecond: rate(p.writeBytes, old?.writeBytes),
    };
  });
}

/** The cgroup's memory now, and its CPU and throttling over the interval; null without a cgroup. */
export function containerUsageBetween(previous: HostSample | null, current: HostSample, at: number): ContainerUsage | null {
  const cg = current.cgroup;
  if (!cg || cg.memoryBytes === null) return null;
  const old = previous?.cgroup;
  const elapsed = previous ? current.uptimeSeconds - previous.uptimeSeconds : 0;
  const delta = (now: number | null, then: number | null | undefined): number | null =>
    elapsed > 0 && now !== null && then !== null && then !== undefined && now >= then ? now - then : null;
  const cpu = delta(cg.cpuSeconds, old?.cpuSeconds);
  const periods = delta(cg.periods, old?.periods);
  const throttled = delta(cg.throttledPeriods, old?.throttledPeriods);
  const source: UsageSource = cg.version === 2 ? 'cgroup v2' : 'cgroup v1';
  return {
    source,
    memoryBytes: cg.memoryBytes,
    memoryLimitBytes: cg.memoryLimitBytes,
    cpuCores: cpu === null ? null : cpu / elapsed,
    cpuLimitCores: cg.cpuLimitCores,
    // No period ran (no CPU limit, or idle): nothing was throttled, unless nothing is known at all.
    throttledRatio: periods === null || throttled === null ? null : periods > 0 ? throttled / periods : 0,
    at,
  };
}

/** One point of the data volume's history: when, and how much was used. */
export interface UsedPoint {
  at: number;
  usedBytes: number;
}

/** The window the growth rate is measured over: the last hour, or what was watched of it. */
export const GROWTH_WINDOW_MS = 60 * 60 * 1000;
/** Fewer seconds than this of history say nothing about a rate. */
const MIN_SPAN_MS = 5_000;

/**
 * Seconds until the volume is full at the rate it grew over the window (the
 * oldest point inside it to the newest); null when it did not grow, or too
 * little was watched.
 */
export function fullInSeconds(history: readonly UsedPoint[], availableBytes: number, windowMs = GROWTH_WINDOW_MS): number | null {
  const newest = history[history.length - 1];
  if (!newest) return null;
  const oldest = history.find((p) => p.at >= newest.at - windowMs);
  if (!oldest || newest.at - oldest.at < MIN_SPAN_MS) return null;
  const perSecond = (newest.usedBytes - oldest.usedBytes) / ((newest.at - oldest.at) / 1000);
  if (perSecond <= 0) return null;
  return Math.max(0, availableBytes) / perSecond;
}

/** The history with a new point, what fell out of the window dropped and at most `limit` points kept (the oldest inside the window stays: it anchors the rate). */
export function addUsedPoint(history: readonly UsedPoint[], point: UsedPoint, windowMs = GROWTH_WINDOW_MS, limit = 400): UsedPoint[] {
  let kept = [...history.filter((p) => p.at >= point.at - windowMs && p.at < point.at), point];
  // Over the limit, every other point goes (the ends stay): the points keep spanning the window at half the resolution.
  while (kept.length > limit) kept = kept.filter((_, i) => i === 0 || i === kept.length - 1 || i % 2 === 0);
  return kept;
}

/** The data directory's row: the filesystem now, and the projection from its history. */
export function dataDirectoryUsage(path: string, fs: FilesystemSample, history: readonly UsedPoint[], walBytes: number | null, at: number): DataDirectoryUsage {
  return {
    path,
    sizeBytes: fs.sizeBytes,
    usedBytes: fs.usedBytes,
    availableBytes: fs.availableBytes,
    walBytes,
    fullInSeconds: fullInSeconds(history, fs.availableBytes),
    at,
  };
}
