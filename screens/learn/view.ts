// The learn screen's view for the registry: its rows are not polled data
// (the guided session keeps its own state, src/learn/controller.ts), so
// the table part is empty; LearnScreen.tsx draws the session, and --once
// says how to run it.
import type { ScreenView } from '../../src/render/screen-view.js';

export const learnView: ScreenView<{ id: string }> = {
  rows: () => [],
  rowKey: (row) => row.id,
  columns: [],
  emptyText: () => 'the guided session is interactive: run pgtop learn (or :learn in the dashboard), or pgtop learn --check for its checks',
};
