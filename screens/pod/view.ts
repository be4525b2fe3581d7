// The pod screen: what surrounds PostgreSQL in its pod, as one table read
// top to bottom — the pod (node, phase, Ready, age, QoS class), the usage
// shown (metrics API or the container's cgroup, and which), each container
// (image, state, restarts, last termination, requests and limits), the data
// volume (the PVC, the data directory's filesystem, pg_wal, the projection
// "full in ~N h", and `du` of its entries when the user ran it), then the
// events of the pod and its claim, Warnings first. Without -k it says what it
// needs, and shows what the sampler reads on this host. Every string from the
// API server (images, reasons, messages) is drawn by the table, which makes
// it terminal text. Pure: rendered by TableScreen and --once.
import { actionRequest } from '../../src/actions/action.js';
import { diskUsage, type DiskUsageTarget } from '../../src/actions/pod.js';
import { bytes } from '../../src/format/size.js';
import type { ContainerUsage, DataDirectoryUsage } from '../../src/model/host.js';
import {
  lastTermination, memoryWarn, restartSummary, RESTART_WARN_SECONDS, shortAge, shownUsage, throttled, volumeUse,
  type DiskUsageEntry, type PodContainer, type PodEvent, type PodMetrics, type PodState, type PodVolume, type Resources, type ShownUsage,
} from '../../src/model/pod.js';
import type { ScreenView } from '../../src/render/screen-view.js';
import { memoizeLast, type CellTone, type Column } from '../../src/render/table.js';
import type { PgtopState } from '../../src/store/store.js';

export type PodItem =
  | { kind: 'pod'; pod: PodState; now: number }
  | { kind: 'usage'; usage: ShownUsage; metricsOff: string | null }
  | { kind: 'container'; container: PodContainer; metrics: { cpuCores: number | null; memoryBytes: number | null } | undefined; now: number }
  | { kind: 'volume'; volume: PodVolume }
  | { kind: 'filesystem'; dir: DataDirectoryUsage }
  | { kind: 'pg_wal'; dir: DataDirectoryUsage }
  | { kind: 'du'; entry: DiskUsageEntry; now: number }
  | { kind: 'event'; event: PodEvent; now: number }
  /** What cannot be shown, and why: no Kubernetes target, or a permission the review denied ("needs list events in development"). */
  | { kind: 'needs'; what: string; text: string };

/** The Kubernetes target names itself so in the header ("k8s NAMESPACE/TYPE/NAME → pod/…"). */
export function isKubernetesTarget(state: PgtopState): boolean {
  return state.connection.target.startsWith('k8s ');
}

function cores(value: number | null): string {
  if (value === null) return '–';
  return value >= 1 ? `${Number(value.toFixed(2))}` : `${Math.round(value * 1000)}m`;
}

function resources(r: Resources): string {
  return r.cpuCores === null && r.memoryBytes === null ? 'none' : `cpu ${cores(r.cpuCores)}, memory ${r.memoryBytes === null ? '–' : bytes(r.memoryBytes)}`;
}

function termination(c: PodContainer, now: number): string {
  const t = c.lastTermination;
  if (!t) return 'never restarted';
  return `last ${t.reason}${t.exitCode !== null ? ` (exit ${t.exitCode})` : ''}${t.finishedAt !== null ? ` ${shortAge((now - t.finishedAt) / 1000)} ago` : ''}`;
}

function what(item: PodItem): string {
  switch (item.kind) {
    case 'event':
      return `event ${item.event.type === 'Warning' ? 'W' : 'N'}`;
    case 'needs':
      return item.what;
    default:
      return item.kind;
  }
}

function name(item: PodItem): string {
  switch (item.kind) {
    case 'pod':
      return item.pod.name;
    case 'usage':
      return item.usage.source ?? 'none';
    case 'container':
      return item.container.name;
    case 'volume':
      return item.volume.claim;
    case 'filesystem':
      return 'data directory';
    case 'pg_wal':
      return 'pg_wal';
    case 'du':
      // Relative to the data directory (its path is on the filesystem row): the column is narrow.
      return item.entry.path.slice(item.entry.path.lastIndexOf('/') + 1) || item.entry.path;
    case 'event':
      return item.event.reason;
    case 'needs':
      return '–';
  }
}

function state(item: PodItem): string {
  switch (item.kind) {
    case 'pod':
      return item.pod.deleted ? 'deleted' : `${item.pod.phase}${item.pod.ready ? ' Ready' : ' not Ready'}`;
    case 'usage':
      return item.usage.memoryLimitBytes && item.usage.memoryBytes !== null ? `mem ${Math.round((item.usage.memoryBytes / item.usage.memoryLimitBytes) * 100)}%` : '';
    case 'container': {
      const c = item.container;
      return `${c.stateReason ?? c.state} ↻${c.restarts}`;
    }
    case 'volume':
      return item.volume.phase;
    case 'filesystem': {
      const use = volumeUse(item.dir);
      return use ? `${Math.round(use.ratio * 100)}% used` : '';
    }
    case 'pg_wal':
      return bytes(item.dir.walBytes);
    case 'du':
      return item.entry.size;
    case 'event':
      return `×${item.event.count} ${item.event.lastAt !== null ? `${shortAge((item.now - item.event.lastAt) / 1000)} ago` : ''}`.trim();
    case 'needs':
      return '';
  }
}

function note(item: PodItem): string {
  switch (item.kind) {
    case 'pod': {
      const p = item.pod;
      const restarts = restartSummary(p, item.now);
      return [`node ${p.node ?? '?'}`, p.createdAt !== null ? `age ${shortAge((item.now - p.createdAt) / 1000)}` : '', `QoS ${p.qosClass ?? '?'}`, restarts.text].filter(Boolean).join(' · ');
    }
    case 'usage': {
      const u = item.usage;
      const parts = [
        `memory ${u.memoryBytes === null ? '–' : bytes(u.memoryBytes)} / ${u.memoryLimitBytes === null ? 'no limit' : bytes(u.memoryLimitBytes)}`,
        `cpu ${cores(u.cpuCores)} / ${u.cpuLimitCores === null ? 'no limit' : cores(u.cpuLimitCores)}`,
        u.throttledRatio !== null ? `throttled ${Math.round(u.throttledRatio * 100)}%` : '',
        u.limitsFrom ? `limits from ${u.limitsFrom}` : '',
        u.source === null ? `no usage measured: ${item.metricsOff ?? 'no metrics API sample yet'}; the container's cgroup (the exec sampler) is not read` : u.source !== 'metrics API' && item.metricsOff ? item.metricsOff : '',
      ];
      return parts.filter(Boolean).join(' · ');
    }
    case 'container': {
      const c = item.container;
      const usage = item.metrics ? `uses cpu ${cores(item.metrics.cpuCores)}, memory ${bytes(item.metrics.memoryBytes) || '–'}` : '';
      return [c.image, termination(c, item.now), `requests ${resources(c.requests)}`, `limits ${resources(c.limits)}`, usage].filter(Boolean).join(' · ');
    }
    case 'volume': {
      const v = item.volume;
      return [v.dataVolume ? 'the data volume' : '', `volume ${v.volume}`, v.mountPath ? `at ${v.mountPath}` : '', `class ${v.storageClass ?? '–'}`, v.capacity ? `capacity ${v.capacity}` : ''].filter(Boolean).join(' · ');
    }
    case 'filesystem': {
      const d = item.dir;
      // The projection first: it is what a narrow terminal must keep.
      return [fullIn(d), `available ${bytes(d.availableBytes)}`, `used ${bytes(d.usedBytes)}`, `size ${bytes(d.sizeBytes)}`, d.path].filter(Boolean).join(' · ');
    }
    case 'pg_wal':
      return 'WAL kept by max_wal_size, wal_keep_size, replication slots and archiving not done';
    case 'du':
      return `${item.entry.path} · du -sh, ${shortAge((item.now - item.entry.at) / 1000)} ago (u runs it again)`;
    case 'event': {
      const e = item.event;
      return `${e.objectKind === 'PersistentVolumeClaim' ? 'pvc' : e.objectKind.toLowerCase()}/${e.objectName}: ${e.message}`;
    }
    case 'needs':
      return item.text;
  }
}

/** "full in ~5 h at the last hour's rate", when it grows. */
export function fullIn(d: DataDirectoryUsage): string {
  if (d.fullInSeconds === null) return '';
  const hours = d.fullInSeconds / 3600;
  const when = hours >= 48 ? `~${Math.round(hours / 24)} d` : hours >= 1 ? `~${Math.round(hours)} h` : `~${Math.max(1, Math.round(d.fullInSeconds / 60))} min`;
  return `full in ${when} at the last hour's rate`;
}

function tone(item: PodItem): CellTone {
  switch (item.kind) {
    case 'pod':
      return item.pod.deleted || !item.pod.ready || restartSummary(item.pod, item.now).warn ? 'warn' : 'normal';
    case 'usage':
      return memoryWarn(item.usage) || throttled(item.usage) ? 'warn' : item.usage.source === null ? 'dim' : 'normal';
    case 'container': {
      const c = item.container;
      const recent = c.lastTermination?.finishedAt != null && item.now - c.lastTermination.finishedAt < RESTART_WARN_SECONDS * 1000;
      return c.state !== 'running' ? 'alert' : recent ? 'warn' : 'normal';
    }
    case 'volume':
      return item.volume.phase === 'Bound' ? 'normal' : 'alert';
    case 'filesystem':
      return volumeUse(item.dir)?.warn ? 'warn' : 'normal';
    case 'event':
      return item.event.type === 'Warning' ? 'warn' : 'dim';
    case 'needs':
      return 'dim';
    default:
      return 'normal';
  }
}

export const podColumns: readonly Column<PodItem>[] = [
  { id: 'what', title: 'WHAT', width: 10, text: what, tone: () => 'dim' },
  { id: 'name', title: 'NAME', width: 26, text: name, tone },
  { id: 'state', title: 'STATE', width: 14, text: state, tone },
  { id: 'note', title: 'DETAIL', width: 'flex', minWidth: 16, text: note, tone: (i) => (i.kind === 'event' ? tone(i) : 'dim') },
];

function itemKey(item: PodItem): string {
  switch (item.kind) {
    case 'container':
      return `container:${item.container.name}`;
    case 'volume':
      return `volume:${item.volume.claim}`;
    case 'du':
      return `du:${item.entry.path}`;
    case 'event': {
      const e = item.event;
      return `event:${e.objectKind}/${e.objectName}:${e.reason}:${e.lastAt ?? ''}:${e.message}`;
    }
    case 'needs':
      return `needs:${item.what}`;
    default:
      return item.kind;
  }
}

/** Why a source of the pod screen is switched off (a permission denied up front or by a 403), by source; null while it runs. */
export interface PodOff {
  pod: string | null;
  volumes: string | null;
  events: string | null;
}

export interface PodInputs {
  kubernetes: boolean;
  pod: PodState | undefined;
  metrics: PodMetrics | undefined;
  metricsOff: string | null;
  cgroup: ContainerUsage | undefined;
  dir: DataDirectoryUsage | undefined;
  volumes: readonly PodVolume[];
  du: readonly DiskUsageEntry[];
  events: readonly PodEvent[];
  off: PodOff;
}

/** The rows in reading order: the pod, its usage, its containers, the data volume, the events. */
export function podItems(input: PodInputs, now: number): PodItem[] {
  const { pod, metrics } = input;
  const items: PodItem[] = [];
  if (pod) items.push({ kind: 'pod', pod, now });
  else if (input.off.pod) items.push({ kind: 'needs', what: 'pod', text: input.off.pod });
  else if (!input.kubernetes) {
    items.push({ kind: 'needs', what: 'pod', text: 'the pod, its containers, volume and events need a Kubernetes target: pgtop -k TYPE/NAME (direct: what the sampler reads on this host)' });
  }
  if (pod || input.cgroup || input.metrics) items.push({ kind: 'usage', usage: shownUsage({ pod, metrics, cgroup: input.cgroup }, now), metricsOff: input.metricsOff });
  for (const container of pod?.containers ?? []) {
    items.push({ kind: 'container', container, metrics: metrics?.containers.find((c) => c.name === container.name), now });
  }
  for (const volume of input.volumes) items.push({ kind: 'volume', volume });
  if (input.off.volumes) items.push({ kind: 'needs', what: 'volume', text: input.off.volumes });
  if (input.dir) {
    items.push({ kind: 'filesystem', dir: input.dir });
    if (input.dir.walBytes !== null) items.push({ kind: 'pg_wal', dir: input.dir });
  }
  for (const entry of [...input.du].sort((a, b) => (b.bytes ?? -1) - (a.bytes ?? -1))) items.push({ kind: 'du', entry, now });
  for (const event of input.events) items.push({ kind: 'event', event, now });
  if (input.off.events) items.push({ kind: 'needs', what: 'events', text: input.off.events });
  return items;
}

function matchesFilter(item: PodItem, filter: string): boolean {
  if (!filter) return true;
  const needle = filter.toLowerCase();
  return [what(item), name(item), state(item), note(item)].some((f) => f.toLowerCase().includes(needle));
}

const NONE: never[] = [];

const visibleItems = memoizeLast((input: PodInputs, filter: string, now: number) => podItems(input, now).filter((i) => matchesFilter(i, filter)));

/** The inputs, kept identical while the store's results are (so the rows are not built again for nothing). */
const inputsOf = memoizeLast(
  (
    kubernetes: boolean,
    pod: PodState | undefined,
    metrics: PodMetrics | undefined,
    metricsOff: string | null,
    cgroup: ContainerUsage | undefined,
    dir: DataDirectoryUsage | undefined,
    volumes: readonly PodVolume[],
    du: readonly DiskUsageEntry[],
    events: readonly PodEvent[],
    podOff: string | null,
    volumesOff: string | null,
    eventsOff: string | null,
  ): PodInputs => ({ kubernetes, pod, metrics, metricsOff, cgroup, dir, volumes, du, events, off: { pod: podOff, volumes: volumesOff, events: eventsOff } }),
);

function inputs(s: PgtopState): PodInputs {
  const r = s.data.results;
  return inputsOf(
    isKubernetesTarget(s),
    r.pod?.rows[0],
    r.podMetrics?.rows[0],
    r.podMetrics?.disabled ?? null,
    r.containerUsage?.rows[0],
    r.dataDirectory?.rows[0],
    r.podVolumes?.rows ?? NONE,
    r.diskUsage?.rows ?? NONE,
    r.podEvents?.rows ?? NONE,
    r.pod?.disabled ?? null,
    r.podVolumes?.disabled ?? null,
    r.podEvents?.disabled ?? null,
  );
}

function detail(item: PodItem): [string, string][] {
  switch (item.kind) {
    case 'pod': {
      const p = item.pod;
      const last = lastTermination(p);
      return [
        ['pod', `${p.namespace}/${p.name}`],
        ['node', p.node ?? '?'],
        ['phase', `${p.phase}, ${p.ready ? 'Ready' : 'not Ready'}${p.deleted ? ' (deleted: the forward moves to its replacement)' : ''}`],
        ['age', p.createdAt !== null ? shortAge((item.now - p.createdAt) / 1000) : '?'],
        ['QoS class', p.qosClass ?? '?'],
        ['restarts', restartSummary(p, item.now).text],
        ['last termination', last ? `${last.container}: ${last.reason}, exit code ${last.exitCode ?? '?'}${last.finishedAt !== null ? `, ${new Date(last.finishedAt).toISOString()}` : ''}` : 'none'],
        ['data directory', p.dataDirectory],
      ];
    }
    case 'container': {
      const c = item.container;
      return [
        ['container', `${c.name}${c.main ? ' (the server)' : ''}`],
        ['image', c.image],
        ['state', `${c.state}${c.stateReason ? ` (${c.stateReason})` : ''}${c.startedAt !== null ? `, started ${shortAge((item.now - c.startedAt) / 1000)} ago` : ''}, ${c.ready ? 'ready' : 'not ready'}`],
        ['restarts', String(c.restarts)],
        ['last state', termination(c, item.now)],
        ['requests', resources(c.requests)],
        ['limits', resources(c.limits)],
        ['usage', item.metrics ? `cpu ${cores(item.metrics.cpuCores)}, memory ${bytes(item.metrics.memoryBytes) || '–'} (metrics API)` : '–'],
      ];
    }
    case 'event': {
      const e = item.event;
      return [
        ['type', e.type],
        ['reason', e.reason],
        ['object', `${e.objectKind}/${e.objectName}`],
        ['count', String(e.count)],
        ['last seen', e.lastAt !== null ? new Date(e.lastAt).toISOString() : '?'],
        ['source', e.source],
        ['message', e.message],
      ];
    }
    default:
      return [
        [what(item), name(item)],
        ['state', state(item)],
        ['detail', note(item)],
      ];
  }
}

function json(item: PodItem): unknown {
  switch (item.kind) {
    case 'pod':
      return { kind: 'pod', ...item.pod };
    case 'usage':
      return { kind: 'usage', ...item.usage, metricsApi: item.metricsOff ?? 'available' };
    case 'container':
      return { kind: 'container', ...item.container, usage: item.metrics ?? null };
    case 'volume':
      return { kind: 'volume', ...item.volume };
    case 'filesystem':
    case 'pg_wal':
      return { kind: item.kind, ...item.dir };
    case 'du':
      return { kind: 'du', ...item.entry };
    case 'event':
      return { kind: 'event', ...item.event };
    case 'needs':
      return { kind: 'needs', what: item.what, text: item.text };
  }
}

/** What `u` runs du on: the data directory the sampler found, else the pod's PGDATA, else the postgres image's. */
export function diskUsageTarget(s: PgtopState): DiskUsageTarget {
  const path = s.data.results.dataDirectory?.rows[0]?.path ?? s.data.results.pod?.rows[0]?.dataDirectory ?? '/var/lib/postgresql/data';
  return { path, inPod: isKubernetesTarget(s) };
}

export const podView: ScreenView<PodItem> = {
  rows: (s: PgtopState) => visibleItems(inputs(s), s.ui.filter.pod ?? '', Math.ceil(Date.now() / 1000) * 1000),
  rowKey: itemKey,
  columns: podColumns,
  actions: {
    diskUsage: (_row, s) => actionRequest(diskUsage, diskUsageTarget(s)),
  },
  detail,
  json,
  notice(s) {
    if (!isKubernetesTarget(s)) return null;
    const off = s.data.results.podMetrics?.disabled;
    const usage = shownUsage({ pod: s.data.results.pod?.rows[0], metrics: s.data.results.podMetrics?.rows[0], cgroup: s.data.results.containerUsage?.rows[0] }, Date.now());
    return `usage from ${usage.source ?? 'none yet'}${off ? ` (${off})` : ''} · u: du -sh of the data directory's entries`;
  },
  emptyText: (s) => (s.ui.filter.pod ? `nothing matches "${s.ui.filter.pod}"` : 'no pod data yet'),
};
