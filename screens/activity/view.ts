// The activity screen's rows and columns: every backend in pg_stat_activity,
// filtered by `/` and sorted by `s`/`S`. Pure: rendered by ActivityScreen and
// by --once.
import type { Backend } from '../../src/model/activity.js';
import type { ProcessUsage } from '../../src/model/host.js';
import { compactNumber, duration, HIDDEN, oneLineSql } from '../../src/format/format.js';
import { bytes } from '../../src/format/size.js';
import { actionRequest } from '../../src/actions/action.js';
import { cancelQuery, terminateBackend, type BackendTarget } from '../../src/actions/backend.js';
import type { ScreenView } from '../../src/render/screen-view.js';
import { type CellTone, type Column, memoizeLast, type RenderContext, sortRows } from '../../src/render/table.js';
import type { PgtopState, SortState } from '../../src/store/store.js';

/** A backend, with its process's CPU, memory and I/O when the machine's figures are read (src/host/: the pod's sampler, or this host's /proc). */
export interface ActivityRow extends Backend {
  usage?: ProcessUsage;
}

/** How long the session has been doing what it does now: the query while active, the transaction while idle in one. */
export function busySeconds(b: Backend): number | null {
  if (b.state === 'active') return b.querySeconds;
  if (b.state?.startsWith('idle in transaction')) return b.xactSeconds;
  return null;
}

function stateTone(b: Backend): CellTone {
  if (b.state?.startsWith('idle in transaction')) return (b.stateSeconds ?? 0) > 60 ? 'alert' : 'warn';
  if (b.state === 'active') return b.waitEventType === 'Lock' ? 'alert' : 'good';
  return 'dim';
}

function durationTone(seconds: number | null): CellTone {
  if (seconds === null) return 'dim';
  if (seconds > 300) return 'alert';
  if (seconds > 10) return 'warn';
  return 'normal';
}

/**
 * The session holding back the vacuum horizon the most (the oldest xmin of
 * any session, pgtop's own left out), marked in the XMIN AGE column. Rows
 * are new objects each refresh, so a set of them is enough.
 */
const horizonHolders = new WeakSet<Backend>();
const markHorizonHolder = memoizeLast((all: readonly Backend[], ownPids: readonly number[]) => {
  let oldest: Backend | null = null;
  for (const b of all) {
    if (b.xminAge === null || ownPids.includes(b.pid)) continue;
    if (!oldest || b.xminAge > (oldest.xminAge ?? 0)) oldest = b;
  }
  if (oldest) horizonHolders.add(oldest);
  return oldest;
});

/** Whether this session holds the oldest xmin of all sessions (the vacuum horizon, unless a slot or a prepared transaction holds an older one). */
export function holdsHorizon(b: Backend): boolean {
  return horizonHolders.has(b);
}

function xminTone(b: Backend): CellTone {
  if (b.xminAge === null) return 'dim';
  if (!holdsHorizon(b)) return 'normal';
  return (b.xactSeconds ?? 0) >= 300 ? 'alert' : 'warn';
}

// Short names for the lock waits that matter most, so "who blocks" fits.
const LOCK_WAITS: Record<string, string> = { transactionid: 'xid', relation: 'rel', advisory: 'advisory', tuple: 'tuple' };

/** "Lock:xid←4711" for a lock wait and its blockers, "IO:DataFileRead"…; nothing for an idle client's ClientRead. */
export function waitText(b: Backend): string {
  if (!b.waitEventType) return '';
  if (b.waitEventType === 'Client' && b.state !== 'active') return '';
  if (b.waitEventType === 'Lock') {
    const blockers = b.blockedBy.length ? `←${b.blockedBy.join(',')}` : '';
    return `Lock:${LOCK_WAITS[b.waitEvent ?? ''] ?? b.waitEvent ?? ''}${blockers}`;
  }
  return `${b.waitEventType}:${b.waitEvent ?? ''}`;
}

const backendColumns: readonly Column<ActivityRow>[] = [
  {
    id: 'pid',
    title: 'PID',
    width: 8,
    align: 'right',
    // A star marks pgtop's own sessions.
    text: (b, ctx) => `${ctx.ownPids.has(b.pid) ? '*' : ''}${b.pid}`,
    sortValue: (b) => b.pid,
    tone: (b, ctx) => (ctx.ownPids.has(b.pid) ? 'dim' : 'normal'),
  },
  { id: 'user', title: 'USER', width: 10, priority: 4, text: (b) => b.user ?? HIDDEN, sortValue: (b) => b.user ?? '' },
  { id: 'db', title: 'DB', width: 9, priority: 5, text: (b) => b.database ?? '', sortValue: (b) => b.database ?? '' },
  { id: 'app', title: 'APP', width: 10, priority: 6, text: (b) => b.application || (b.backendType === 'client backend' ? '' : b.backendType), sortValue: (b) => b.application },
  { id: 'client', title: 'CLIENT', width: 15, priority: 7, text: (b) => b.client ?? HIDDEN, sortValue: (b) => b.client ?? '' },
  { id: 'state', title: 'STATE', width: 11, text: (b) => stateLabel(b), sortValue: (b) => b.state ?? '', tone: stateTone },
  { id: 'wait', title: 'WAIT', width: 14, priority: 3, text: waitText, sortValue: (b) => b.waitEventType ?? '', tone: (b) => (b.waitEventType === 'Lock' ? 'alert' : 'normal') },
  {
    id: 'xact',
    title: 'XACT',
    width: 6,
    align: 'right',
    priority: 2,
    text: (b) => duration(b.xactSeconds),
    sortValue: (b) => b.xactSeconds,
    tone: (b) => durationTone(b.xactSeconds),
  },
  {
    id: 'xmin',
    title: 'XMIN AGE',
    width: 8,
    align: 'right',
    // Dropped right after the client, before the application: on a narrow terminal who a session
    // is matters more (bloat and health name the horizon's holder anyway).
    priority: 6.5,
    // ◀ marks the oldest: the session holding the vacuum horizon back.
    text: (b) => (b.xminAge === null ? '' : `${compactNumber(b.xminAge)}${holdsHorizon(b) ? '◀' : ''}`),
    sortValue: (b) => b.xminAge,
    tone: xminTone,
  },
  {
    id: 'time',
    title: 'TIME',
    width: 6,
    align: 'right',
    priority: 1,
    text: (b) => duration(busySeconds(b) ?? b.stateSeconds),
    sortValue: (b) => busySeconds(b),
    tone: (b) => (busySeconds(b) === null ? 'dim' : durationTone(busySeconds(b))),
  },
  {
    id: 'query',
    title: 'QUERY',
    width: 'flex',
    minWidth: 30,
    text: (b) => (b.hidden ? HIDDEN : oneLineSql(b.query)),
    sortValue: (b) => b.query,
    tone: (b) => (b.hidden || b.state === 'idle' ? 'dim' : 'normal'),
  },
];

/** "12.5" (one decimal under 100); "" before the second sample. */
function cpuText(value: number | null | undefined): string {
  if (value === null || value === undefined) return '';
  return value < 99.95 ? value.toFixed(1) : String(Math.round(value));
}

/**
 * pg_activity's columns from the backend's process: CPU% (of one core, over
 * the last interval), MEM (RSS as a share of the container's memory limit,
 * else the machine's), READ/s and WRITE/s (storage I/O). Shown only when
 * processUsage has rows; dropped before the session's own columns on a
 * narrow terminal, CPU% last of them (sort by it finds the burner).
 */
const usageColumns: readonly Column<ActivityRow>[] = [
  {
    id: 'cpu',
    title: 'CPU%',
    width: 5,
    align: 'right',
    priority: 3.5,
    text: (b) => cpuText(b.usage?.cpuPercent),
    sortValue: (b) => b.usage?.cpuPercent ?? null,
    tone: (b) => ((b.usage?.cpuPercent ?? 0) >= 90 ? 'warn' : 'normal'),
  },
  { id: 'mem', title: 'MEM', width: 5, align: 'right', priority: 7.5, text: (b) => cpuText(b.usage?.memPercent), sortValue: (b) => b.usage?.memPercent ?? null },
  { id: 'read', title: 'READ/s', width: 7, align: 'right', priority: 8, text: (b) => bytes(b.usage?.readBytesPerSecond), sortValue: (b) => b.usage?.readBytesPerSecond ?? null },
  { id: 'write', title: 'WRITE/s', width: 7, align: 'right', priority: 8.5, text: (b) => bytes(b.usage?.writeBytesPerSecond), sortValue: (b) => b.usage?.writeBytesPerSecond ?? null },
];

/** The columns, the process's after the session's state: CPU% and MEM beside STATE, as pg_activity puts them before the query. */
export const activityColumns: readonly Column<ActivityRow>[] = [
  ...backendColumns.slice(0, backendColumns.findIndex((c) => c.id === 'state')),
  ...usageColumns,
  ...backendColumns.slice(backendColumns.findIndex((c) => c.id === 'state')),
];
const withoutUsage = backendColumns;

function hasUsage(state: PgtopState): boolean {
  return (state.data.results.processUsage?.rows.length ?? 0) > 0;
}

const SORT_COLUMNS = ['time', 'xact', 'xmin', 'pid', 'user', 'db', 'app', 'client', 'state', 'wait', 'query'];
const SORT_COLUMNS_WITH_USAGE = ['time', 'cpu', 'mem', 'read', 'write', 'xact', 'xmin', 'pid', 'user', 'db', 'app', 'client', 'state', 'wait', 'query'];

function stateLabel(b: Backend): string {
  switch (b.state) {
    case 'idle in transaction':
      return 'idle in tx';
    case 'idle in transaction (aborted)':
      return 'idle in tx!';
    case null:
      return b.hidden ? HIDDEN : '';
    default:
      return b.state;
  }
}

/** What `/` matches: user, database, application, client, state, wait and query text, and the pid. */
export function matchesFilter(b: Backend, filter: string): boolean {
  if (!filter) return true;
  const needle = filter.toLowerCase();
  return [String(b.pid), b.user, b.database, b.application, b.client, b.state, b.backendType, b.waitEvent, b.query]
    .some((field) => field?.toLowerCase().includes(needle));
}

/** The details' line: "CPU 97.0% · RSS 12 MB (0.1% of memory) · read 0 B/s · write 1.2 MB/s". */
function usageText(u: ProcessUsage): string {
  const rate = (v: number | null) => (v === null ? '–' : `${bytes(v)}/s`);
  return [
    `CPU ${u.cpuPercent === null ? '– (next refresh)' : `${cpuText(u.cpuPercent)}%`}`,
    `RSS ${bytes(u.rssBytes)}${u.memPercent !== null ? ` (${cpuText(u.memPercent)}% of memory)` : ''}`,
    `read ${rate(u.readBytesPerSecond)}`,
    `write ${rate(u.writeBytesPerSecond)}`,
  ].join(' · ');
}

function backendTarget(b: Backend, pooler: string | null): BackendTarget {
  return { pid: b.pid, user: b.user, database: b.database, state: b.state, query: b.query, pooler };
}

const DEFAULT_SORT = { column: 'time', descending: true };
const NO_ROWS: Backend[] = [];
const NO_USAGE: ProcessUsage[] = [];

/** Each backend with its process's figures, joined by pid; the backends as they are when there are none. */
const joinUsage = memoizeLast((backends: readonly Backend[], usage: readonly ProcessUsage[]): readonly ActivityRow[] => {
  if (usage.length === 0) return backends;
  const byPid = new Map(usage.map((u) => [u.pid, u]));
  return backends.map((b) => {
    const u = byPid.get(b.pid);
    return u ? { ...b, usage: u } : b;
  });
});

const visibleBackends = memoizeLast((all: readonly ActivityRow[], filter: string, sort: SortState, ownPids: readonly number[]) => {
  markHorizonHolder(all, ownPids);
  const column = activityColumns.find((c) => c.id === sort.column);
  return sortRows(filter ? all.filter((b) => matchesFilter(b, filter)) : all, column, sort.descending);
});

export const activityView: ScreenView<ActivityRow> = {
  rows: (state: PgtopState) =>
    visibleBackends(
      joinUsage(state.data.results.activity?.rows ?? NO_ROWS, state.data.results.processUsage?.rows ?? NO_USAGE),
      state.ui.filter.activity ?? '',
      state.ui.sort.activity ?? DEFAULT_SORT,
      state.connection.ownPids,
    ),
  rowKey: (b) => String(b.pid),
  columns: withoutUsage,
  sortColumns: SORT_COLUMNS,
  // The process's columns only where there are figures: absent (not zero) for a remote server, a pod without sh.
  columnsFor: (state) => (hasUsage(state) ? activityColumns : withoutUsage),
  sortColumnsFor: (state) => (hasUsage(state) ? SORT_COLUMNS_WITH_USAGE : SORT_COLUMNS),
  defaultSort: DEFAULT_SORT,
  actions: {
    cancelQuery: (b, state) => (b ? actionRequest(cancelQuery, backendTarget(b, state.connection.pooler)) : null),
    terminateBackend: (b, state) => (b ? actionRequest(terminateBackend, backendTarget(b, state.connection.pooler)) : null),
  },
  detail: (b: ActivityRow, ctx: RenderContext) => [
    ['pid', `${b.pid}${ctx.ownPids.has(b.pid) ? ' (pgtop itself)' : ''}${b.leaderPid && b.leaderPid !== b.pid ? ` (parallel worker of ${b.leaderPid})` : ''}`],
    // Short fields share lines, so that the query (last, wrapped) is on the first page even at 80x24.
    ['user', `${b.user ?? HIDDEN} on database ${b.database ?? '–'}`],
    ['application', `${b.application || '–'} (${b.backendType})`],
    ['client', b.client ?? HIDDEN],
    ['state', `${b.state ?? ''}${b.stateSeconds !== null ? ` for ${duration(b.stateSeconds)}` : ''}; ${b.waitEventType ? `waits on ${b.waitEventType}: ${b.waitEvent ?? ''}` : 'not waiting'}`],
    ['blocked by', b.blockedBy.length ? b.blockedBy.join(', ') : '–'],
    [
      'since',
      [
        `transaction ${b.xactSeconds !== null ? duration(b.xactSeconds) : 'none'}`,
        b.querySeconds !== null ? `query ${duration(b.querySeconds)}` : null,
        b.backendSeconds !== null ? `connected ${duration(b.backendSeconds)}` : null,
      ]
        .filter(Boolean)
        .join(' · '),
    ],
    [
      'xid / xmin',
      `${b.backendXid ?? '–'} / ${b.backendXmin ?? '–'}${b.xminAge !== null ? ` (${b.xminAge} xids old${holdsHorizon(b) ? ': the oldest of any session, it holds back what VACUUM may remove; K ends it' : ''})` : ''}`,
    ],
    ...(b.usage ? [['process', usageText(b.usage)] as [string, string]] : []),
    ['query', b.hidden ? `${HIDDEN}: this role needs pg_read_all_stats (or pg_monitor) to see other users' queries` : b.query],
  ],
  notice: (state) =>
    state.data.results.activity?.rows.some((b) => b.hidden)
      ? `${HIDDEN}: needs pg_read_all_stats (or pg_monitor) to see other users' sessions`
      : null,
  json: (b, ctx) => ({ ...b, own: ctx.ownPids.has(b.pid), holdsHorizon: holdsHorizon(b) }),
  emptyText: (state) => (state.ui.filter.activity ? `no backend matches "${state.ui.filter.activity}"` : 'no backends'),
};
