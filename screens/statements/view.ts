// The statements screen: pg_stat_statements' top statements by total time,
// mean time, calls and rows, with their shared-buffer hit ratio. When the
// extension cannot be read it says why and how to enable it; `E` creates it
// (or updates an old one). Pure: rendered by StatementsScreen and --once.
import { actionRequest } from '../../src/actions/action.js';
import { createStatementsExtension, updateStatementsExtension } from '../../src/actions/extension.js';
import { extensionOutdated, type ExtensionStatus, type Statement } from '../../src/db/queries/statements/map.js';
import { compactNumber, oneLineSql, percent } from '../../src/format/format.js';
import { millis } from '../../src/format/size.js';
import type { ScreenView } from '../../src/render/screen-view.js';
import { memoizeLast, sortRows, type CellTone, type Column } from '../../src/render/table.js';
import type { PgtopState, SortState } from '../../src/store/store.js';

const HIDDEN = '‹hidden›';

function hitTone(s: Statement): CellTone {
  if (s.hitRatio === null) return 'dim';
  return s.hitRatio < 0.9 ? 'alert' : s.hitRatio < 0.99 ? 'warn' : 'normal';
}

export const statementColumns: readonly Column<Statement>[] = [
  { id: 'total', title: 'TOTAL', width: 8, align: 'right', text: (s) => millis(s.totalMs), sortValue: (s) => s.totalMs },
  { id: 'mean', title: 'MEAN', width: 8, align: 'right', text: (s) => millis(s.meanMs), sortValue: (s) => s.meanMs },
  { id: 'calls', title: 'CALLS', width: 7, align: 'right', text: (s) => compactNumber(s.calls), sortValue: (s) => s.calls },
  { id: 'rows', title: 'ROWS', width: 7, align: 'right', priority: 2, text: (s) => compactNumber(s.rows), sortValue: (s) => s.rows },
  { id: 'hit', title: 'HIT%', width: 6, align: 'right', priority: 1, text: (s) => percent(s.hitRatio), sortValue: (s) => s.hitRatio, tone: hitTone },
  { id: 'db', title: 'DB', width: 9, priority: 4, text: (s) => s.database ?? '', sortValue: (s) => s.database ?? '' },
  { id: 'user', title: 'USER', width: 9, priority: 5, text: (s) => s.user ?? '', sortValue: (s) => s.user ?? '' },
  {
    id: 'query',
    title: 'QUERY',
    width: 'flex',
    minWidth: 24,
    text: (s) => (s.hidden ? HIDDEN : oneLineSql(s.query)),
    sortValue: (s) => s.query,
    tone: (s) => (s.hidden ? 'dim' : 'normal'),
  },
];

export function matchesFilter(s: Statement, filter: string): boolean {
  if (!filter) return true;
  const needle = filter.toLowerCase();
  return [s.query, s.database, s.user, s.queryId].some((field) => field?.toLowerCase().includes(needle));
}

/** pg_stat_statements' status on this connection, once the poller has asked. */
export function extensionStatus(state: PgtopState): ExtensionStatus | null {
  return state.data.results.statementsExtension?.rows[0] ?? null;
}

/** Why there are no statements, and what to do, or null when the extension is readable. */
export function unavailableText(status: ExtensionStatus): string | null {
  if (!status.availableVersion) {
    return 'pg_stat_statements is not installed on this server: install the PostgreSQL contrib package (postgresql-contrib), then preload it.';
  }
  if (status.preloaded === false) {
    const current = status.preloadLibraries?.trim();
    const list = current ? `${current}, pg_stat_statements` : 'pg_stat_statements';
    return (
      'pg_stat_statements is not preloaded. To enable it: ' +
      `ALTER SYSTEM SET shared_preload_libraries = '${list}';` +
      `${current ? ` (keeps ${current})` : ''} then restart the server, then press E here to create the extension.`
    );
  }
  if (!status.installedVersion) {
    const preload = status.preloaded === null ? ' (if the server preloads it: this role cannot read shared_preload_libraries)' : '';
    return `pg_stat_statements is preloaded but not created in database ${status.database}${preload}: press E to run CREATE EXTENSION pg_stat_statements (needs a superuser).`;
  }
  return null;
}

function statementDetail(s: Statement): [string, string][] {
  const perCall = (n: number) => (s.calls > 0 ? ` (${compactNumber(n / s.calls, 2)} per call)` : '');
  return [
    ['database', s.database ?? ''],
    ['user', s.user ?? ''],
    ['calls', `${s.calls}${s.toplevel === false ? ' (nested: run inside a function or procedure)' : ''}`],
    ['rows', `${s.rows}${perCall(s.rows)}`],
    ['total time', `${millis(s.totalMs)} (execution ${millis(s.execMs)}${s.planMs ? `, planning ${millis(s.planMs)}` : ''})`],
    ['mean / min / max', `${millis(s.meanMs)} / ${millis(s.minMs)} / ${millis(s.maxMs)}`],
    ['stddev', millis(s.stddevMs)],
    ['shared blocks', `${s.sharedHit} hit, ${s.sharedRead} read (hit ratio ${percent(s.hitRatio)}), ${s.sharedDirtied} dirtied, ${s.sharedWritten} written`],
    ['temp blocks', `${s.tempRead} read, ${s.tempWritten} written${s.tempWritten > 0 ? ': work_mem may be too small for it' : ''}`],
    ['I/O time', s.ioMs ? `${millis(s.ioMs)}` : '– (0, or track_io_timing is off)'],
    ['queryid', s.queryId ?? '–'],
    ['statement', s.hidden ? `${HIDDEN}: this role needs pg_read_all_stats (or pg_monitor) to see other users' statements` : s.query],
  ];
}

const DEFAULT_SORT: SortState = { column: 'total', descending: true };
const NO_ROWS: Statement[] = [];

const visibleStatements = memoizeLast((all: readonly Statement[], filter: string, sort: SortState) => {
  const column = statementColumns.find((c) => c.id === sort.column);
  return sortRows(filter ? all.filter((s) => matchesFilter(s, filter)) : all, column, sort.descending);
});

export const statementsView: ScreenView<Statement> = {
  rows: (state) =>
    visibleStatements(state.data.results.statements?.rows ?? NO_ROWS, state.ui.filter.statements ?? '', state.ui.sort.statements ?? DEFAULT_SORT),
  rowKey: (s) => s.key,
  columns: statementColumns,
  sortColumns: ['total', 'mean', 'calls', 'rows', 'hit', 'db', 'user', 'query'],
  defaultSort: DEFAULT_SORT,
  actions: {
    enableStatements: (_row, state) => {
      const status = extensionStatus(state);
      if (!status) return null;
      return actionRequest(extensionOutdated(status) ? updateStatementsExtension : createStatementsExtension, status);
    },
  },
  detail: (s) => statementDetail(s),
  json: (s) => s,
  notice(state) {
    const status = extensionStatus(state);
    if (status && extensionOutdated(status)) {
      return `pg_stat_statements ${status.installedVersion} is older than the ${status.availableVersion} this server ships: E updates it (ALTER EXTENSION pg_stat_statements UPDATE)`;
    }
    if (state.data.results.statements?.rows.some((s) => s.hidden)) {
      return `${HIDDEN}: needs pg_read_all_stats (or pg_monitor) to see other users' statements`;
    }
    return null;
  },
  emptyText(state) {
    const status = extensionStatus(state);
    const why = status ? unavailableText(status) : null;
    if (why) return why;
    if (state.ui.filter.statements) return `no statement matches "${state.ui.filter.statements}"`;
    return 'no statements recorded yet (pg_stat_statements counts from its last reset)';
  },
};
