// The locks screen's rows: the blocking tree, each blocker with the sessions
// waiting for it indented under it, what lock each waits for and how long.
// Prepared transactions are roots of their own ("prepared", with their gid,
// owner, database and age), listed even when nobody waits for them: they
// hold locks and the vacuum horizon with no session, so this is where they
// are found and ended (X rolls back, C commits). A holder pgtop cannot name
// is an "unknown holder" row, never a waiter passing for a root.
import { blockingTree, type LockParticipant, type LockTreeRow } from '../../src/model/locks.js';
import { duration, HIDDEN, oneLineSql } from '../../src/format/format.js';
import { actionRequest } from '../../src/actions/action.js';
import { cancelQuery, terminateBackend, type BackendTarget } from '../../src/actions/backend.js';
import { commitPrepared, rollbackPrepared, type PreparedTarget } from '../../src/actions/prepared.js';
import type { ActionRequest } from '../../src/actions/action.js';
import type { ScreenView } from '../../src/render/screen-view.js';
import { memoizeLast, type Column } from '../../src/render/table.js';


const PID_WIDTH = 10;

/** The pid, indented by its depth in the tree; deep chains (a queue on one row) stop indenting where the pid would no longer fit. */
function treePid(row: LockTreeRow, own: boolean): string {
  const p = row.participant;
  const pid = p.kind === 'prepared' ? 'prepared' : p.kind === 'unknown' ? (p.pid ? `?${p.pid}` : 'unknown') : `${own ? '*' : ''}${p.pid}`;
  if (row.depth === 0) return pid;
  const room = Math.max(0, Math.floor((PID_WIDTH - 2 - pid.length) / 2));
  return `${'  '.repeat(Math.min(row.depth - 1, room))}└ ${pid}`;
}

export const lockColumns: readonly Column<LockTreeRow>[] = [
  { id: 'pid', title: 'PID', width: PID_WIDTH, text: (r, ctx) => treePid(r, ctx.ownPids.has(r.participant.pid)), tone: (r) => (r.depth === 0 ? 'alert' : 'normal') },
  { id: 'user', title: 'USER', width: 10, priority: 4, text: (r) => (r.participant.kind === 'unknown' ? '?' : (r.participant.user ?? HIDDEN)) },
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
    text: (r) => queryText(r.participant),
    tone: (r) => (r.participant.hidden || r.participant.kind === 'unknown' ? 'dim' : 'normal'),
  },
];

/** The QUERY cell: a session's query; what a prepared transaction or an unknown holder is. */
function queryText(p: LockParticipant): string {
  if (p.kind === 'prepared') return `prepared '${p.prepared?.gid ?? ''}' · xid ${p.prepared?.xid ?? '?'}`;
  if (p.kind === 'unknown') return p.pid ? `unknown holder: pid ${p.pid} is not in pg_stat_activity` : 'unknown holder: no session or prepared transaction';
  return p.hidden ? HIDDEN : oneLineSql(p.query);
}

function unknownText(p: LockParticipant): string {
  return p.pid
    ? `unknown holder: pid ${p.pid} is not in pg_stat_activity (gone since, or not visible to this role)`
    : 'unknown holder: pg_blocking_pids() names no session (a prepared transaction gone since?)';
}

export function matchesFilter(row: LockTreeRow, filter: string): boolean {
  if (!filter) return true;
  const p = row.participant;
  const needle = filter.toLowerCase();
  return [String(p.pid), p.user, p.database, p.application, p.state, p.mode, p.relation, p.query, p.prepared?.gid].some((f) =>
    f?.toLowerCase().includes(needle),
  );
}

function backendTarget({ participant: p }: LockTreeRow, pooler: string | null): BackendTarget | null {
  return p.kind === 'backend' ? { pid: p.pid, user: p.user, database: p.database, state: p.state, query: p.query, pooler } : null;
}

function preparedTarget({ participant: p, waiterCount }: LockTreeRow): PreparedTarget | null {
  if (p.kind !== 'prepared' || !p.prepared) return null;
  return { gid: p.prepared.gid, owner: p.user, database: p.database, xid: p.prepared.xid, seconds: p.xactSeconds, waiters: waiterCount };
}

/** c and K on a row that is no session, X and C on one that is no prepared transaction: nothing to aim at. */
function aimed<T>(row: LockTreeRow | undefined, target: (r: LockTreeRow) => T | null, make: (t: T) => ActionRequest): ActionRequest | null {
  const t = row ? target(row) : null;
  return t === null ? null : make(t);
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
    cancelQuery: (r, state) => aimed(r, (row) => backendTarget(row, state.connection.pooler), (t) => actionRequest(cancelQuery, t)),
    terminateBackend: (r, state) => aimed(r, (row) => backendTarget(row, state.connection.pooler), (t) => actionRequest(terminateBackend, t)),
    rollbackPrepared: (r) => aimed(r, preparedTarget, (t) => actionRequest(rollbackPrepared, t)),
    commitPrepared: (r) => aimed(r, preparedTarget, (t) => actionRequest(commitPrepared, t)),
  },
  detail: (r, ctx) => {
    const p = r.participant;
    if (p.kind === 'prepared') {
      return [
        ['prepared', `'${p.prepared?.gid ?? ''}' (transaction ${p.prepared?.xid ?? '?'})`],
        ['owner', p.user ?? '?'],
        ['database', p.database ?? '?'],
        ['prepared', p.xactSeconds !== null ? `${duration(p.xactSeconds)} ago` : '?'],
        ['blocks', `${r.waiterCount} session(s)`],
        ['what it is', 'PREPARE TRANSACTION: the first phase of a two-phase commit. It keeps its locks and holds the vacuum horizon, with no session, until COMMIT PREPARED or ROLLBACK PREPARED (X rolls back, C commits, in its own database).'],
      ];
    }
    if (p.kind === 'unknown') return [['holder', unknownText(p)], ['blocks', `${r.waiterCount} session(s)`]];
    const blockers = [...p.blockedBy.map(String), ...p.blockedByPrepared.map((gid) => `prepared '${gid}'`), ...(p.blockedByUnknown ? ['an unknown holder'] : [])];
    return [
      ['pid', `${p.pid}${ctx.ownPids.has(p.pid) ? ' (pgtop itself)' : ''}`],
      ['user', p.user ?? HIDDEN],
      ['database', p.database ?? ''],
      ['application', p.application],
      ['state', `${p.state ?? ''}${p.stateSeconds !== null ? ` for ${duration(p.stateSeconds)}` : ''}`],
      ['waits for', p.mode ? `${p.mode} on ${p.lockType ?? ''} ${p.relation ?? ''}`.trim() : 'nothing (a blocker)'],
      ['waiting', p.waitSeconds !== null ? duration(p.waitSeconds) : '–'],
      ['blocked by', blockers.length ? blockers.join(', ') : '–'],
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
    state.ui.filter.locks ? `no session in the tree matches "${state.ui.filter.locks}"` : 'no session is waiting on a lock, and no transaction is prepared',
};
