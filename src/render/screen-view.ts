// What a screen is, without React: the rows it shows (filtered and sorted),
// their columns, and what its keys act on. The screen registry in screens/
// pairs each view with its component; key handling and --once use the view.
import type { ActionRequest } from '../actions/action.js';
import type { CommandId } from '../keys/commands.js';
import type { DetailFetch, PgtopState, SortState, UiSlice } from '../store/store.js';
import type { Column, RenderContext } from './table.js';

export interface ScreenView<Row> {
  /** The rows on screen, in order: filtered and sorted. */
  rows(state: PgtopState): Row[];
  rowKey(row: Row): string;
  columns: readonly Column<Row>[];
  /** Column ids that `s` cycles through, in order; absent when the screen has a fixed order. */
  sortColumns?: readonly string[];
  /** When the columns depend on what was read (the activity's CPU% only where the machine's figures are): the columns now. */
  columnsFor?(state: PgtopState): readonly Column<Row>[];
  sortColumnsFor?(state: PgtopState): readonly string[];
  defaultSort?: SortState;
  /**
   * The actions this screen's keys start (c, K, v…), by command: what each
   * aims at given the selected row (undefined when the table is empty). A
   * dangerous key whose command is missing here does nothing on this screen.
   */
  actions?: Partial<Record<CommandId, (row: Row | undefined, state: PgtopState) => ActionRequest | null>>;
  /**
   * Keys that only change what this screen shows (the roles screen's `A`
   * toggles the audit): given the state, the ui fields to set and a status line.
   */
  commands?: Partial<Record<CommandId, (state: PgtopState) => ScreenCommandResult>>;
  /** The lines of the Enter details view (the state holds what detailFetch read). */
  detail?(row: Row, ctx: RenderContext, state: PgtopState): [label: string, value: string][];
  /** What Enter reads for the details besides the row, once, through the services (a statement's whole text); null: nothing. */
  detailFetch?(row: Row): DetailFetch | null;
  /** Rows as JSON for `--once --json`. */
  json?(row: Row, ctx: RenderContext): unknown;
  /** A line under the table about what the rows cannot show (hidden columns, missing privileges). */
  notice?(state: PgtopState): string | null;
  /** Said instead of an empty table. */
  emptyText?(state: PgtopState): string;
}

/** The view's columns now (columnsFor, else columns). */
export function viewColumns<Row>(view: ScreenView<Row>, state: PgtopState): readonly Column<Row>[] {
  return view.columnsFor?.(state) ?? view.columns;
}

/** The column ids `s` cycles through now. */
export function viewSortColumns(view: ScreenView<unknown>, state: PgtopState): readonly string[] | undefined {
  return view.sortColumnsFor?.(state) ?? view.sortColumns;
}

export function renderContext(state: PgtopState): RenderContext {
  return { ownPids: new Set(state.connection.ownPids) };
}

export interface ScreenCommandResult {
  ui?: Partial<UiSlice>;
  status?: string;
}

/**
 * A view of any row type, where views of different screens are passed
 * along together (the screens' list, the dispatcher, --once). Its rows are
 * only handed back to the same view's own functions.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyScreenView = ScreenView<any>;
