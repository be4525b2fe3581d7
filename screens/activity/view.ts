// The activity screen's rows and columns: every backend in pg_stat_activity,
// filtered by `/` and sorted by `s`/`S`. Pure: rendered by ActivityScreen and
// by --once.
import type { Backend } from '../../src/model/activity.js';
import { compactNumber, duration, HIDDEN, oneLineSql } from '../../src/format/format.js';
import { actionRequest } from '../../src/actions/action.js';
import { cancelQuery, terminateBackend, type BackendTarget } from '../../src/actions/backend.js';
import type { ScreenView } from '../../src/render/screen-view.js';
import { type CellTone, type Column, memoizeLast, type RenderContext, sortRows } from '../../src/render/table.js';
import type { PgtopState, SortState } from '../../src/store/store.js';


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

export const activityColumns: readonly Column<Backend>[] = [
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

function backendTarget(b: Backend, pooler: string | null): BackendTarget {
  return { pid: b.pid, user: b.user, database: b.database, state: b.state, query: b.query, pooler };
}

const DEFAULT_SORT = { column: 'time', descending: true };
const NO_ROWS: Backend[] = [];

const visibleBackends = memoizeLast((all: readonly Backend[], filter: string, sort: SortState, ownPids: readonly number[]) => {
  markHorizonHolder(all, ownPids);
  const column = activityColumns.find((c) => c.id === sort.column);
  return sortRows(filter ? all.filter((b) => matchesFilter(b, filter)) : all, column, sort.descending);
});

export const activityView: ScreenView<Backend> = {
  rows: (state: PgtopState) =>
    visibleBackends(state.data.results.activity?.rows ?? NO_ROWS, state.ui.filter.activity ?? '', state.ui.sort.activity ?? DEFAULT_SORT, state.connection.ownPids),
  rowKey: (b) => String(b.pid),
  columns: activityColumns,
  sortColumns: ['time', 'xact', 'xmin', 'pid', 'user', 'db', 'app', 'client', 'state', 'wait', 'query'],
  defaultSort: DEFAULT_SORT,
  actions: {
    cancelQuery: (b, state) => (b ? actionRequest(cancelQuery, backendTarget(b, state.connection.pooler)) : null),
    terminateBackend: (b, state) => (b ? actionRequest(terminateBackend, backendTarget(b, state.connection.pooler)) : null),
  },
  detail: (b: Backend, ctx: RenderContext) => [
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
    ['query', b.hidden ? `${HIDDEN}: this role needs pg_read_all_stats (or pg_monitor) to see other users' queries` : b.query],
  ],
  notice: (state) =>
    state.data.results.activity?.rows.some((b) => b.hidden)
      ? `${HIDDEN}: needs pg_read_all_stats (or pg_monitor) to see other users' sessions`
      : null,
  json: (b, ctx) => ({ ...b, own: ctx.ownPids.has(b.pid), holdsHorizon: holdsHorizon(b) }),
  emptyText: (state) => (state.ui.filter.activity ? `no backend matches "${state.ui.filter.activity}"` : 'no backends'),
};
