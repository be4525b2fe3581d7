// The selected row of a screen. The cursor remembers the row's key, so the
// selection stays on the same backend when a refresh reorders the rows, and
// falls back to the same position when that row is gone.
import type { PgtopState, PgtopStore, ScreenId } from './store.js';

export function selectedIndex(state: PgtopState, screen: ScreenId, keys: readonly string[]): number {
  if (keys.length === 0) return -1;
  const cursor = state.ui.cursor[screen];
  if (!cursor) return 0;
  const byKey = cursor.key === null ? -1 : keys.indexOf(cursor.key);
  return byKey >= 0 ? byKey : Math.min(Math.max(cursor.index, 0), keys.length - 1);
}

/** selectedIndex without a list of every row's key: the scan stops at the selected row (10 000 backends, every refresh). */
export function selectedRowIndex<Row>(state: PgtopState, screen: ScreenId, rows: readonly Row[], rowKey: (row: Row) => string): number {
  if (rows.length === 0) return -1;
  const cursor = state.ui.cursor[screen];
  if (!cursor) return 0;
  if (cursor.key !== null) {
    for (let i = 0; i < rows.length; i += 1) if (rowKey(rows[i]!) === cursor.key) return i;
  }
  return Math.min(Math.max(cursor.index, 0), rows.length - 1);
}

export type CursorMove = number | 'top' | 'bottom';

export function moveCursor(store: PgtopStore, screen: ScreenId, keys: readonly string[], move: CursorMove): void {
  if (keys.length === 0) return;
  const current = selectedIndex(store.getState(), screen, keys);
  const target = move === 'top' ? 0 : move === 'bottom' ? keys.length - 1 : current + move;
  const index = Math.min(Math.max(target, 0), keys.length - 1);
  store.setState((s) => ({
    ui: { ...s.ui, cursor: { ...s.ui.cursor, [screen]: { key: keys[index] ?? null, index } } },
  }));
}
