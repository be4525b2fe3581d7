// The locks screen's rows: the blocking tree, each blocker with the sessions
// waiting for it indented under it, what lock each waits for and how long.
import { blockingTree, type LockParticipant, type LockTreeRow } from '../../src/model/locks.js';
import { duration, HIDDEN, oneLineSql } from '../../src/format/format.js';
import { actionRequest } from '../../src/actions/action.js';
import { cancelQuery, terminateBackend, type BackendTarget } from '../../src/actions/backend.js';
import type { ScreenView } from '../../src/render/screen-view.js';
import { memoizeLast, type Column } from '../../src/render/table.js';


const PID_WIDTH = 10;

/** The pid, indented by its depth in the tree; deep chains (a queue on one row) stop indenting where the pid would no longer fit. */
function treePid(row: LockTreeRow, own: boolean): string {
  const pid = `${own ? '*' : ''}${row.participant.pid}`;
  if (row.depth === 0) return pid;
  const room = Math.max(0, Math.floor((PID_WIDTH - 2 - pid.length) / 2));
  return `${'  '.repeat(Math.min(row.depth - 1, room))}└ ${pid}`;
}

export const lockColumns: readonly Column<LockTreeRow>[] = [
  { id: 'pid', title: 'PID', width: PID_WIDTH, text: (r, ctx) => treePid(r, ctx.ownPids.has(r.participant.pid)), tone: (r) => (r.depth === 0 ? 'alert' : 'normal') },
  { id: 'user', title: 'USER', width: 10, priority: 4, text: (r) => r.participant.user ?? HIDDEN },
  { id: 'db', title: 'DB', width: 9, priority: 5, text: (r) => r.participant.database ?? '' },
  {
    id: 'state',
    title: 'STATE',
    width: 10,
    text: (r) => (r.participant.state === 'idle in transaction' ? 'idle in tx' : (r.participant.state ?? '')),
    tone: (r) => (r.participant.state?.startsWith('idle in transaction') ? 'alert' : 'normal'),
  },
  // Lock modes without their "Lock" suffix: AccessExclusive, ShareRowExclusive (17 columns at most).
  { id: 'mode', title: 'WAITS FOR', width: 17, priority: 1, text: (r) => r.participant.mode?.replace(/Lock$/, '') ?? (r.depth === 0 ? `blocks ${r.waiterCount}` : '') },
  { id: 'lock', title: 'LOCK', width: 13, priority: 6, text: (r) => r.participant.lockType ?? '' },
  // Names come schema-qualified (public.accounts): pgtop's search_path holds pg_catalog alone.
  { id: 'relation', title: 'RELATION', width: 20, priority: 2, text: (r) => r.participant.relation ?? '' },
  {
    id: 'waiting',
    title: 'WAITING',
    width: 7,
    align: 'right',
    text: (r) => duration(r.participant.waitSeconds),
    tone: (r) => ((r.participant.waitSeconds ?? 0) > 10 ? 'alert' : 'warn'),
  },
  { id: 'xact', title: 'XACT', width: 6, align: 'right', priority: 3, text: (r) => duration(r.participant.xactSeconds) },
  {
    id: 'query',
    title: 'QUERY',
    width: 'flex',
    // What each waits for and on which table matter more here than the query text: they keep their place at 80 columns.
    minWidth: 16,
    text: (r) => (r.participant.hidden ? HIDDEN : oneLineSql(r.participant.query)),
    tone: (r) => (r.participant.hidden ? 'dim' : 'normal'),
  },
];

export function matchesFilter(row: LockTreeRow, filter: string): boolean {
  if (!filter) return true;
  const p = row.participant;
  const needle = filter.toLowerCase();
  return [String(p.pid), p.user, p.database, p.application, p.state, p.mode, p.relation, p.query].some((f) =>
    f?.toLowerCase().includes(needle),
  );
}

function backendTarget({ participant: p }: LockTreeRow, pooler: string | null): BackendTarget {
  return { pid: p.pid, user: p.user, database: p.database, state: p.state, query: p.query, pooler };
}

// The tree is rebuilt only when the rows change, not on every render or key.
const NO_ROWS: LockParticipant[] = [];
const treeOf = memoizeLast((participants: readonly LockParticipant[]) => blockingTree(participants));
const visibleTree = memoizeLast((tree: LockTreeRow[], filter: string) => (filter ? tree.filter((r) => matchesFilter(r, filter)) : tree));

export const locksView: ScreenView<LockTreeRow> = {
  rows: (state) => visibleTree(treeOf(state.data.results.locks?.rows ?? NO_ROWS), state.ui.filter.locks ?? ''),
  rowKey: (r) => r.key,
  columns: lockColumns,
  actions: {
    cancelQuery: (r, state) => (r ? actionRequest(cancelQuery, backendTarget(r, state.connection.pooler)) : null),
    terminateBackend: (r, state) => (r ? actionRequest(terminateBackend, backendTarget(r, state.connection.pooler)) : null),
  },
  detail: (r, ctx) => {
    const p = r.participant;
    return [
      ['pid', `${p.pid}${ctx.ownPids.has(p.pid) ? ' (pgtop itself)' : ''}`],
      ['user', p.user ?? HIDDEN],
      ['database', p.database ?? ''],
      ['application', p.application],
      ['state', `${p.state ?? ''}${p.stateSeconds !== null ? ` for ${duration(p.stateSeconds)}` : ''}`],
      ['waits for', p.mode ? `${p.mode} on ${p.lockType ?? ''} ${p.relation ?? ''}`.trim() : 'nothing (a blocker)'],
      ['waiting', p.waitSeconds !== null ? duration(p.waitSeconds) : '–'],
      ['blocked by', p.blockedBy.length ? p.blockedBy.join(', ') : '–'],
      ['blocks', `${r.waiterCount} session(s)`],
      ['transaction', p.xactSeconds !== null ? `open for ${duration(p.xactSeconds)}` : 'none'],
      ['query', p.hidden ? `${HIDDEN}: this role needs pg_read_all_stats to see it` : p.query],
    ];
  },
  notice: (state) =>
    state.data.results.locks?.rows.some((p) => p.hidden)
      ? `${HIDDEN}: needs pg_read_all_stats (or pg_monitor) to see other users' queries`
      : null,
  json: (r) => ({ depth: r.depth, waiterCount: r.waiterCount, ...r.participant }),
  emptyText: (state) =>
    state.ui.filter.locks ? `no session in the tree matches "${state.ui.filter.locks}"` : 'no session is waiting on a lock',
};
