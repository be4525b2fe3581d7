// Rows into cells, without React: the column model shared by the DataTable
// component and by `--once` text output, so both show the same thing. Every
// cell is server text until shown otherwise: it goes through terminalText
// here, before it is measured and padded, so widths are the escaped text's.
import { displayWidth, pad } from '../format/format.js';
import { terminalText } from './terminal-text.js';

export interface RenderContext {
  /** pgtop's own backend pids, marked on screen. */
  ownPids: ReadonlySet<number>;
}

export type CellTone = 'normal' | 'dim' | 'warn' | 'alert' | 'good';

export interface Column<Row> {
  id: string;
  title: string;
  /** Fixed width in columns; the one `flex` column takes what is left. */
  width: number | 'flex';
  /** Minimum width of the flex column. */
  minWidth?: number;
  align?: 'left' | 'right';
  /** Lower numbers survive longer when the terminal is narrow (0 = always shown). */
  priority?: number;
  text(row: Row, ctx: RenderContext): string;
  /** Present when the column can be sorted on; higher sorts first when descending. */
  sortValue?(row: Row): number | string | null;
  tone?(row: Row, ctx: RenderContext): CellTone;
}

export interface LaidOutColumn<Row> {
  column: Column<Row>;
  width: number;
}

const GAP = 1;

/** Which columns fit in `totalWidth`, and how wide each is. */
export function layoutColumns<Row>(columns: readonly Column<Row>[], totalWidth: number): LaidOutColumn<Row>[] {
  let kept = [...columns];
  const need = (cols: Column<Row>[]) =>
    cols.reduce((sum, c) => sum + (c.width === 'flex' ? (c.minWidth ?? 10) : c.width), 0) + GAP * (cols.length - 1);
  // Drop the least important columns until the rest fit.
  while (need(kept) > totalWidth && kept.some((c) => (c.priority ?? 0) > 0)) {
    const worst = kept.reduce((a, b) => ((b.priority ?? 0) >= (a.priority ?? 0) ? b : a));
    kept = kept.filter((c) => c !== worst);
  }
  const fixed = kept.reduce((sum, c) => sum + (c.width === 'flex' ? 0 : c.width), 0) + GAP * (kept.length - 1);
  const flexWidth = Math.max(0, totalWidth - fixed);
  return kept.map((column) => ({ column, width: column.width === 'flex' ? Math.max(flexWidth, 0) : column.width }));
}

export function headerLine<Row>(layout: readonly LaidOutColumn<Row>[]): string {
  // Titles are server text too where the columns are a query's (the guided session's results).
  return layout.map(({ column, width }) => pad(terminalText(column.title), width, column.align)).join(' '.repeat(GAP));
}

export function rowCells<Row>(layout: readonly LaidOutColumn<Row>[], row: Row, ctx: RenderContext): { text: string; tone: CellTone }[] {
  return layout.map(({ column, width }) => ({
    text: pad(terminalText(column.text(row, ctx)), width, column.align),
    tone: column.tone?.(row, ctx) ?? 'normal',
  }));
}

export function rowLine<Row>(layout: readonly LaidOutColumn<Row>[], row: Row, ctx: RenderContext): string {
  return rowCells(layout, row, ctx)
    .map((cell) => cell.text)
    .join(' '.repeat(GAP));
}

/** A whole table as plain text lines, for --once. Flex columns get their natural width. */
export function textTable<Row>(columns: readonly Column<Row>[], rows: readonly Row[], ctx: RenderContext, maxWidth = 200): string[] {
  const flex = columns.find((c) => c.width === 'flex');
  const natural = flex ? Math.max(flex.minWidth ?? 10, flex.title.length, ...rows.map((r) => displayWidth(terminalText(flex.text(r, ctx))))) : 0;
  const fixed = columns.reduce((sum, c) => sum + (c.width === 'flex' ? 0 : c.width + GAP), 0);
  const layout = layoutColumns(columns, Math.min(maxWidth, fixed + natural));
  return [headerLine(layout).trimEnd(), ...rows.map((row) => rowLine(layout, row, ctx).trimEnd())];
}

/** Sort rows by a column's sortValue; nulls last whatever the direction; ties by key order. */
export function sortRows<Row>(rows: readonly Row[], column: Column<Row> | undefined, descending: boolean): Row[] {
  if (!column?.sortValue) return [...rows];
  const value = column.sortValue;
  const sign = descending ? -1 : 1;
  // Numbers (durations, pids: the usual sort) compare through an array of
  // indices into a Float64Array: 10 000 backends sort in ~3 ms instead of ~8
  // with an object each (a typed array of indices sorts slower still), and
  // leave less garbage to collect during the frame.
  const numbers = new Float64Array(rows.length);
  let numeric = true;
  for (let i = 0; i < rows.length && numeric; i += 1) {
    const k = value(rows[i]!);
    if (k === null || k === undefined) numbers[i] = NaN;
    else if (typeof k === 'number') numbers[i] = k;
    else numeric = false;
  }
  if (numeric) {
    const order = Array.from({ length: rows.length }, (_, i) => i).sort((a, b) => {
      const x = numbers[a]!;
      const y = numbers[b]!;
      if (x !== x || y !== y) return x !== x && y !== y ? a - b : x !== x ? 1 : -1; // nulls (NaN) last
      return x < y ? -sign : x > y ? sign : a - b;
    });
    return order.map((i) => rows[i]!);
  }
  const keys = rows.map(value);
  return rows
    .map((row, index) => ({ row, index, key: keys[index] ?? null }))
    .sort((a, b) => {
      if (a.key === null || b.key === null) return a.key === b.key ? a.index - b.index : a.key === null ? 1 : -1;
      if (a.key < b.key) return -sign;
      if (a.key > b.key) return sign;
      return a.index - b.index;
    })
    .map((entry) => entry.row);
}

/**
 * Remembers the last result of a pure function of a few inputs (compared by
 * identity): a screen's rows are filtered and sorted once per refresh, not
 * on every key press and render (10 000 backends sort in milliseconds, but
 * every frame counts).
 */
export function memoizeLast<Args extends readonly unknown[], Result>(compute: (...args: Args) => Result): (...args: Args) => Result {
  let last: { args: Args; result: Result } | null = null;
  return (...args: Args) => {
    if (last && last.args.length === args.length && last.args.every((a, i) => Object.is(a, args[i]))) return last.result;
    const result = compute(...args);
    last = { args, result };
    return result;
  };
}
