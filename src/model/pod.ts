// The pod around PostgreSQL, as the Kubernetes API says it (with -k): the
// pod (node, phase, Ready, age, QoS class), its containers (image, state,
// restarts, the last termination and its reason, requests and limits), the
// PersistentVolumeClaim behind the data volume, the events of the pod and
// that claim, and what metrics.k8s.io says the containers use. Pure: the
// Kubernetes sources (src/k8s/pod-*.ts) produce these, the header and the pod
// screen read them; the judgements (which usage to show, what is a warning)
// live here so both say the same thing.
import type { ContainerUsage, DataDirectoryUsage, UsageSource } from './host.js';

/** CPU in cores and memory in bytes, as a container's requests or limits say them; null: not set. */
export interface Resources {
  cpuCores: number | null;
  memoryBytes: number | null;
}

/** How a container last ended (its lastState.terminated): OOMKilled with exit code 137, Error, Completed… */
export interface Termination {
  reason: string;
  exitCode: number | null;
  /** Epoch ms; null when the API server did not say. */
  finishedAt: number | null;
}

export interface PodContainer {
  name: string;
  image: string;
  /** The container the server runs in (the exec session's, the forward's): the pod's default container. */
  main: boolean;
  state: 'running' | 'waiting' | 'terminated' | 'unknown';
  /** Why it waits or ended (CrashLoopBackOff, OOMKilled…); null while running. */
  stateReason: string | null;
  /** Since when it runs (epoch ms), while running. */
  startedAt: number | null;
  ready: boolean;
  restarts: number;
  lastTermination: Termination | null;
  requests: Resources;
  limits: Resources;
}

/** A volume of the pod that is a PersistentVolumeClaim. */
export interface PodClaim {
  volume: string;
  claim: string;
  /** Where the main container mounts it, if it does. */
  mountPath: string | null;
}

/** The pod the port-forward goes to now, as the watch last saw it (one row). */
export interface PodState {
  namespace: string;
  name: string;
  node: string | null;
  /** Pending, Running, Succeeded, Failed, Unknown; Terminating once it is being deleted. */
  phase: string;
  ready: boolean;
  /** Epoch ms. */
  createdAt: number | null;
  /** Guaranteed, Burstable, BestEffort (status.qosClass). */
  qosClass: string | null;
  /** The watch said DELETED: the pod is gone (the forward moves on to its replacement). */
  deleted: boolean;
  /** The main container first. */
  containers: PodContainer[];
  claims: PodClaim[];
  /** The data directory in the pod: the main container's PGDATA, else the postgres image's default. */
  dataDirectory: string;
}

/** The PersistentVolumeClaim behind one of the pod's volumes (one row each; the data volume first). */
export interface PodVolume {
  claim: string;
  volume: string;
  /** It is mounted where the data directory is (the main container's mount holding PGDATA), or it is the only claim. */
  dataVolume: boolean;
  mountPath: string | null;
  storageClass: string | null;
  /** status.capacity.storage (what was provisioned), else spec.resources.requests.storage. */
  capacity: string | null;
  capacityBytes: number | null;
  /** Bound, Pending, Lost; "not found" when the claim does not exist. */
  phase: string;
}

/** An event about the pod or its claim (core/v1 Event). */
export interface PodEvent {
  type: string;
  reason: string;
  message: string;
  objectKind: string;
  objectName: string;
  count: number;
  /** Epoch ms of its last occurrence. */
  lastAt: number | null;
  source: string;
}

/** What metrics.k8s.io (metrics-server) says the pod's containers use (one row). */
export interface PodMetrics {
  containers: { name: string; cpuCores: number | null; memoryBytes: number | null }[];
  /** When metrics-server measured it (epoch ms). */
  at: number;
}

const BINARY: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };
const DECIMAL: Record<string, number> = { n: 1e-9, u: 1e-6, m: 1e-3, '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18 };

/**
 * A Kubernetes quantity as a number of its base unit: "500m" → 0.5 (cores),
 * "1Gi" → 1073741824 (bytes), "1e3" → 1000, "128974848" → 128974848;
 * null for what is not a quantity.
 */
export function parseQuantity(text: string | number | null | undefined): number | null {
  if (typeof text === 'number') return Number.isFinite(text) ? text : null;
  if (typeof text !== 'string') return null;
  const m = /^([+-]?(?:\d+\.?\d*|\.\d+))(?:([eE][+-]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E)?)$/.exec(text.trim());
  if (!m) return null;
  const value = Number(m[1]! + (m[2] ?? ''));
  const suffix = m[3] ?? '';
  const factor = BINARY[suffix] ?? DECIMAL[suffix]!;
  return Number.isFinite(value) ? value * factor : null;
}

/** Restarts of every container of the pod, as kubectl's RESTARTS counts them. */
export function podRestarts(pod: PodState): number {
  return pod.containers.reduce((n, c) => n + c.restarts, 0);
}

/** The most recent termination of any container of the pod (the main one's on a tie), with the container's name. */
export function lastTermination(pod: PodState): (Termination & { container: string }) | null {
  let last: (Termination & { container: string }) | null = null;
  for (const c of pod.containers) {
    const t = c.lastTermination;
    if (!t) continue;
    if (!last || (t.finishedAt ?? 0) > (last.finishedAt ?? 0)) last = { ...t, container: c.name };
  }
  return last;
}

/** The container the server runs in. */
export function mainContainer(pod: PodState): PodContainer | undefined {
  return pod.containers.find((c) => c.main) ?? pod.containers[0];
}

/** An age as kubectl prints one: 40s, 12m, 3h, 2d. */
export function shortAge(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  if (s < 120) return `${s}s`;
  if (s < 2 * 3600) return `${Math.floor(s / 60)}m`;
  if (s < 48 * 3600) return `${Math.floor(s / 3600)}h`;
  return `${Math.floor(s / 86400)}d`;
}

/** Past these the header and the pod screen say it in a warning colour. */
export const RESTART_WARN_SECONDS = 3600;
export const MEMORY_WARN_RATIO = 0.9;
export const VOLUME_WARN_RATIO = 0.85;

/** `restarts 3, last OOMKilled 12m ago` (`restarts 0` when it never restarted), and whether a restart happened within the last hour. */
export function restartSummary(pod: PodState, now: number): { text: string; warn: boolean } {
  const restarts = podRestarts(pod);
  const last = lastTermination(pod);
  if (!last) return { text: `restarts ${restarts}`, warn: false };
  const since = last.finishedAt === null ? null : (now - last.finishedAt) / 1000;
  return {
    text: `restarts ${restarts}, last ${last.reason}${since === null ? '' : ` ${shortAge(since)} ago`}`,
    warn: since !== null && since < RESTART_WARN_SECONDS,
  };
}

/** A metrics API sample older than this is stale: the cgroup's figures are shown instead. */
export const METRICS_FRESH_MS = 90_000;

/** The usage the header and the pod screen show, and where each part came from. */
export interface ShownUsage {
  /** Where the usage figures came from; null: nothing measured yet. */
  source: UsageSource | null;
  memoryBytes: number | null;
  cpuCores: number | null;
  memoryLimitBytes: number | null;
  cpuLimitCores: number | null;
  /** Where the limits came from: the pod spec (the main container's limits), else the cgroup. */
  limitsFrom: 'pod spec' | UsageSource | null;
  /** Share of CFS periods throttled (cgroup cpu.stat); null when unknown. */
  throttledRatio: number | null;
}

/**
 * Picks what to show: usage from the metrics API while it is fresh, else the
 * container's cgroup (the sampler's); the limits from the pod spec, else the
 * cgroup's; throttling only the cgroup knows.
 */
export function shownUsage(
  input: { pod?: PodState | null; metrics?: PodMetrics | null; cgroup?: ContainerUsage | null },
  now: number,
): ShownUsage {
  const { pod, metrics, cgroup } = input;
  const main = pod ? mainContainer(pod) : undefined;
  const fromMetrics = metrics && now - metrics.at <= METRICS_FRESH_MS ? (metrics.containers.find((c) => c.name === main?.name) ?? (main ? undefined : metrics.containers[0])) : undefined;
  const usage = fromMetrics
    ? { source: 'metrics API' as const, memoryBytes: fromMetrics.memoryBytes, cpuCores: fromMetrics.cpuCores }
    : cgroup
      ? { source: cgroup.source, memoryBytes: cgroup.memoryBytes, cpuCores: cgroup.cpuCores }
      : { source: null, memoryBytes: null, cpuCores: null };
  const specMemory = main?.limits.memoryBytes ?? null;
  const specCpu = main?.limits.cpuCores ?? null;
  const memoryLimitBytes = specMemory ?? cgroup?.memoryLimitBytes ?? null;
  const cpuLimitCores = specCpu ?? cgroup?.cpuLimitCores ?? null;
  const limitsFrom = specMemory !== null || specCpu !== null ? 'pod spec' : cgroup && (memoryLimitBytes !== null || cpuLimitCores !== null) ? cgroup.source : null;
  return { ...usage, memoryLimitBytes, cpuLimitCores, limitsFrom, throttledRatio: cgroup?.throttledRatio ?? null };
}

/** Memory used past 90 % of the limit. */
export function memoryWarn(usage: ShownUsage): boolean {
  return usage.memoryBytes !== null && usage.memoryLimitBytes !== null && usage.memoryLimitBytes > 0 && usage.memoryBytes / usage.memoryLimitBytes > MEMORY_WARN_RATIO;
}

/** Throttled in a noticeable share of the last interval's CFS periods. */
export function throttled(usage: ShownUsage): boolean {
  return (usage.throttledRatio ?? 0) > 0.01;
}

/** The data directory's filesystem as a used share, and whether it is past 85 %. */
export function volumeUse(dir: DataDirectoryUsage | null | undefined): { ratio: number; warn: boolean } | null {
  if (!dir || dir.sizeBytes <= 0) return null;
  const ratio = dir.usedBytes / dir.sizeBytes;
  return { ratio, warn: ratio > VOLUME_WARN_RATIO };
}

/** Warnings first (OOMKilling, Evicted, FailedMount, Unhealthy, BackOff…), then the most recent first. */
export function sortEvents(events: readonly PodEvent[]): PodEvent[] {
  const rank = (e: PodEvent) => (e.type === 'Warning' ? 0 : 1);
  return [...events].sort((a, b) => rank(a) - rank(b) || (b.lastAt ?? 0) - (a.lastAt ?? 0));
}

/** One line of `du -sh DATADIR/*`: an entry of the data directory and its size, as du printed it and in bytes. */
export interface DiskUsageEntry {
  path: string;
  size: string;
  bytes: number | null;
  /** When du ran (epoch ms). */
  at: number;
}

/** du -h's sizes: "4.0K", "12M", "1.5G" (powers of 1024), a bare number of bytes, or null. */
export function duSize(text: string): number | null {
  const m = /^(\d+(?:[.,]\d+)?)([KMGTPE]?)$/i.exec(text.trim());
  if (!m) return null;
  const power = ' KMGTPE'.indexOf(m[2]!.toUpperCase() || ' ');
  return Number(m[1]!.replace(',', '.')) * 1024 ** power;
}

/** du's output ("SIZE<tab>PATH" per line) as entries, the largest first. */
export function parseDu(output: string, at: number): DiskUsageEntry[] {
  return output
    .split('\n')
    .map((line) => /^(\S+)\t(.+)$/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ path: m[2]!, size: m[1]!, bytes: duSize(m[1]!), at }))
    .sort((a, b) => (b.bytes ?? -1) - (a.bytes ?? -1));
}
