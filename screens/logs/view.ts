// The logs screen without React: the server's log lines (the current
// container's followed, or the previous container's with P), filtered by
// `/`, newest at the bottom. Where the window is: following the tail (the
// screen's cursor says nothing) or held where the user scrolled up to (the
// cursor holds the line at the window's bottom), as k9s's autoscroll does.
// Log lines are hostile text: drawn through terminalText (styledLine, the table).
import { logSeverity, type LogLine, type ServerLog } from '../../src/model/server-log.js';
import type { ScreenCommandResult, ScreenView } from '../../src/render/screen-view.js';
import { memoizeLast, type Column } from '../../src/render/table.js';
import type { CellTone } from '../../src/render/table.js';
import type { PgtopState } from '../../src/store/store.js';

export const LOGS = 'logs';
/** Lines PgUp/PgDn move (the view's keys do not know the window's height). */
export const LOG_PAGE = 20;

export function showingPrevious(state: PgtopState): boolean {
  return state.ui.screenMode?.[LOGS] === 'previous';
}

/** The log on screen: the current container's (or the log file's), or the previous container's. */
export function shownLog(state: PgtopState): ServerLog | undefined {
  const result = showingPrevious(state) ? state.data.results.previousServerLog : state.data.results.serverLog;
  return result?.rows[0];
}

/** Why the log on screen cannot be read (switched off: no log files, a privilege, a Kubernetes permission), or null. */
export function unreadable(state: PgtopState): string | null {
  const result = showingPrevious(state) ? state.data.results.previousServerLog : state.data.results.serverLog;
  return result?.disabled ?? null;
}

export function lineTone(line: LogLine): CellTone {
  if (line.marker) return 'dim';
  const severity = logSeverity(line.text);
  return severity === 'alert' ? 'alert' : severity === 'warn' ? 'warn' : 'normal';
}

/** "06:15:02.123" of an RFC 3339 time (UTC, as the API server stamps it); '' without one. */
export function lineTime(line: LogLine): string {
  return line.at ? (/T(\d\d:\d\d:\d\d(?:\.\d{1,3})?)/.exec(line.at)?.[1] ?? '') : '';
}

const NO_LINES: LogLine[] = [];

const filtered = memoizeLast((lines: readonly LogLine[], filter: string): LogLine[] => {
  if (!filter) return lines as LogLine[];
  const needle = filter.toLowerCase();
  return lines.filter((l) => l.text.toLowerCase().includes(needle));
});

export function logRows(state: PgtopState): LogLine[] {
  return filtered(shownLog(state)?.lines ?? NO_LINES, state.ui.filter[LOGS] ?? '');
}

/** The index of the line at the window's bottom: the last one while following. */
export function bottomIndex(state: PgtopState, rows: readonly LogLine[]): number {
  const cursor = state.ui.cursor[LOGS];
  if (!cursor || cursor.key === null) return rows.length - 1;
  const byKey = rows.findIndex((l) => String(l.seq) === cursor.key);
  return byKey >= 0 ? byKey : Math.min(Math.max(cursor.index, 0), rows.length - 1);
}

export function following(state: PgtopState): boolean {
  const cursor = state.ui.cursor[LOGS];
  return !cursor || cursor.key === null;
}

/** Scrolls the window: to the last line follows the tail again. */
function scroll(move: number | 'top' | 'bottom'): (state: PgtopState) => ScreenCommandResult {
  return (state) => {
    const rows = logRows(state);
    if (rows.length === 0) return {};
    const from = bottomIndex(state, rows);
    const to = Math.min(rows.length - 1, Math.max(0, move === 'top' ? 0 : move === 'bottom' ? rows.length - 1 : from + move));
    const follow = to === rows.length - 1;
    return {
      ui: { cursor: { ...state.ui.cursor, [LOGS]: follow ? { key: null, index: to } : { key: String(rows[to]!.seq), index: to } } },
      ...(follow !== following(state) ? { status: follow ? 'following the log' : 'scrolled up: the window holds still; G follows the log again' } : {}),
    };
  };
}

const columns: readonly Column<LogLine>[] = [
  { id: 'time', title: 'TIME', width: 12, priority: 1, text: lineTime, tone: () => 'dim' },
  { id: 'line', title: 'LINE', width: 'flex', minWidth: 20, text: (l) => l.text, tone: lineTone },
];

export const logsView: ScreenView<LogLine> = {
  rows: logRows,
  rowKey: (l) => String(l.seq),
  columns,
  commands: {
    previousLog: (state) => {
      const previous = !showingPrevious(state);
      return {
        ui: { screenMode: { ...state.ui.screenMode, [LOGS]: previous ? 'previous' : 'current' }, cursor: { ...state.ui.cursor, [LOGS]: { key: null, index: 0 } } },
        status: previous ? "the previous container's log (before its last restart): P shows the current one" : "the current container's log, followed",
      };
    },
    up: scroll(-1),
    down: scroll(1),
    pageUp: scroll(-LOG_PAGE),
    pageDown: scroll(LOG_PAGE),
    top: scroll('top'),
    bottom: scroll('bottom'),
  },
  json: (l) => ({ at: l.at, text: l.text, ...(l.marker ? { pgtop: true } : {}), severity: logSeverity(l.text) }),
  emptyText: (state) => {
    const filter = state.ui.filter[LOGS];
    if (filter) return `no line matches "${filter}"`;
    return unreadable(state) ?? shownLog(state)?.note ?? 'no log lines yet';
  },
};
