// What a screen is, without React: the rows it shows (filtered and sorted),
// their columns, and what its keys act on. The screen registry in screens/
// pairs each view with its component; key handling and --once use the view.
import type { PgtopState, SortState } from '../store/store.js';
import type { Column, RenderContext } from './table.js';

/** The server process an action (cancel, terminate) targets. */
export interface BackendTarget {
  pid: number;
  user: string | null;
  database: string | null;
  state: string | null;
  query: string;
}

export interface ScreenView<Row> {
  /** The rows on screen, in order: filtered and sorted. */
  rows(state: PgtopState): Row[];
  rowKey(row: Row): string;
  columns: readonly Column<Row>[];
  /** Column ids that `s` cycles through, in order; absent when the screen has a fixed order. */
  sortColumns?: readonly string[];
  defaultSort?: SortState;
  /** The backend an action on this row targets. */
  backendOf?(row: Row): BackendTarget | null;
  /** The lines of the Enter details view. */
  detail?(row: Row, ctx: RenderContext): [label: string, value: string][];
  /** Rows as JSON for `--once --json`. */
  json?(row: Row, ctx: RenderContext): unknown;
  /** A line under the table about what the rows cannot show (hidden columns, missing privileges). */
  notice?(state: PgtopState): string | null;
  /** Said instead of an empty table. */
  emptyText?(state: PgtopState): string;
}

export function renderContext(state: PgtopState): RenderContext {
  return { ownPids: new Set(state.connection.ownPids) };
}
