// The statements screen: pg_stat_statements' top statements by total time,
// mean time, calls and rows, with their shared-buffer hit ratio. When the
// extension cannot be read it says why and how to enable it; `E` creates it
// (or updates an old one). Pure: rendered by StatementsScreen and --once.
// The list holds the first few hundred characters of each text; Enter asks
// for the whole text of that one statement (detailFetch), and the details
// say while it is read, or why it could not be.
import { actionRequest } from '../../src/actions/action.js';
import { createStatementsExtension, updateStatementsExtension } from '../../src/actions/extension.js';
import { extensionOutdated, type ExtensionStatus, type Statement } from '../../src/model/statements.js';
import { compactNumber, groupedNumber, HIDDEN, oneLineSql, percent } from '../../src/format/format.js';
import { millis } from '../../src/format/size.js';
import type { ScreenView } from '../../src/render/screen-view.js';
import { memoizeLast, sortRows, type CellTone, type Column } from '../../src/render/table.js';
import type { PgtopState, SortState } from '../../src/store/store.js';

const NOT_READ = '‹text not read›';

/** Characters in the text the list holds (the server counts characters, not UTF-16 units). */
function charCount(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

/** True when the list holds only the start of the text. */
function isPrefix(s: Statement): boolean {
  return s.queryLength !== null && s.queryLength > charCount(s.query);
}

function queryCell(s: Statement): string {
  if (s.hidden) return HIDDEN;
  if (s.queryLength === null) return s.textError ? NOT_READ : '';
  return isPrefix(s) ? `${oneLineSql(s.query)}…` : oneLineSql(s.query);
}

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
    text: queryCell,
    sortValue: (s) => s.query,
    tone: (s) => (s.hidden || s.queryLength === null ? 'dim' : 'normal'),
  },
];

export function matchesFilter(s: Statement, filter: string): boolean {
  if (!filter) return true;
  const needle = filter.toLowerCase();
  return [s.query, s.database, s.user, s.queryId].some((field) => field?.toLowerCase().includes(needle));
}

/** pg_stat_statements' status on this connection, once the scheduler has asked. */
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

/**
 * The statement in the details: its whole text when the list holds all of it
 * or Enter has read it; else the start the list holds, and a line that says
 * how much that is and how the read of the rest goes.
 */
function statementText(s: Statement, state: PgtopState): { about: string | null; text: string } {
  if (s.hidden) return { about: null, text: `${HIDDEN}: this role needs pg_read_all_stats (or pg_monitor) to see other users' statements` };
  if (s.queryLength !== null && !isPrefix(s)) return { about: null, text: s.query };
  const read = state.data.detailText?.key === s.key ? state.data.detailText : null;
  const size = s.queryLength === null ? null : `${groupedNumber(s.queryLength)} characters`;
  if (read?.state === 'loaded') return { about: size, text: read.text };
  const start = s.queryLength === null ? '(the list could not read it either)' : `${s.query}…`;
  const shown = s.queryLength === null ? `not read with the list: ${s.textError ?? 'unknown'}` : `first ${groupedNumber(charCount(s.query))} of ${size}`;
  if (read?.state === 'loading') return { about: `${shown}; reading the whole text…`, text: start };
  if (read?.state === 'failed') return { about: `${shown}; the whole text could not be read: ${read.error}`, text: start };
  return { about: shown, text: start };
}

function statementDetail(s: Statement, state: PgtopState): [string, string][] {
  const perCall = (n: number) => (s.calls > 0 ? ` (${compactNumber(n / s.calls, 2)} per call)` : '');
  const { about, text } = statementText(s, state);
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
    ...(about ? [['text', about] as [string, string]] : []),
    ['statement', text],
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
  detail: (s, _ctx, state) => statementDetail(s, state),
  // The whole text, when the list holds only its start (or could not read it).
  detailFetch: (s) => {
    if (s.hidden || s.queryId === null || (s.queryLength !== null && !isPrefix(s))) return null;
    return { key: s.key, statement: { userId: s.userId, dbId: s.dbId, queryId: s.queryId, toplevel: s.toplevel } };
  },
  // As the rows are: `query` is the start of the text, `queryLength` the whole text's length.
  json: (s) => s,
  notice(state) {
    const status = extensionStatus(state);
    if (status && extensionOutdated(status)) {
      return `pg_stat_statements ${status.installedVersion} is older than the ${status.availableVersion} this server ships: E updates it (ALTER EXTENSION pg_stat_statements UPDATE)`;
    }
    const rows = state.data.results.statements?.rows ?? NO_ROWS;
    if (rows.some((s) => s.hidden)) {
      return `${HIDDEN}: needs pg_read_all_stats (or pg_monitor) to see other users' statements`;
    }
    const unread = rows.find((s) => s.textError);
    if (unread) return `texts not read: ${unread.textError}; tried again later`;
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
