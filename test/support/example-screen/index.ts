// A screen added the way docs/architecture.md says a table screen is added:
// this one folder (its definition, its view) and one line in the list. It
// shows the sessions per application, from the activity query the dashboard
// already has. test/screens/recipe.test.tsx adds it to the list and uses it.
import { defineScreen } from '../../../screens/definition.js';
import type { Backend } from '../../../src/model/activity.js';
import type { ScreenView } from '../../../src/render/screen-view.js';
import { sortRows, type Column } from '../../../src/render/table.js';

export interface AppSessions {
  application: string;
  sessions: number;
  active: number;
}

function byApplication(backends: readonly Backend[]): AppSessions[] {
  const apps = new Map<string, AppSessions>();
  for (const b of backends) {
    const name = b.application || '(none)';
    const app = apps.get(name) ?? { application: name, sessions: 0, active: 0 };
    app.sessions += 1;
    if (b.state === 'active') app.active += 1;
    apps.set(name, app);
  }
  return [...apps.values()];
}

const columns: readonly Column<AppSessions>[] = [
  { id: 'application', title: 'APPLICATION', width: 'flex', minWidth: 16, text: (a) => a.application, sortValue: (a) => a.application },
  { id: 'sessions', title: 'SESSIONS', width: 8, align: 'right', text: (a) => String(a.sessions), sortValue: (a) => a.sessions },
  { id: 'active', title: 'ACTIVE', width: 6, align: 'right', text: (a) => String(a.active), sortValue: (a) => a.active },
];

const appsView: ScreenView<AppSessions> = {
  rows: (state) => {
    const sort = state.ui.sort.apps ?? { column: 'sessions', descending: true };
    const filter = state.ui.filter.apps ?? '';
    const rows = byApplication(state.data.results.activity?.rows ?? []).filter((a) => a.application.includes(filter));
    return sortRows(rows, columns.find((c) => c.id === sort.column), sort.descending);
  },
  rowKey: (a) => a.application,
  columns,
  sortColumns: ['sessions', 'active', 'application'],
  defaultSort: { column: 'sessions', descending: true },
  detail: (a) => [
    ['application', a.application],
    ['sessions', `${a.sessions}, ${a.active} active`],
  ],
  emptyText: () => 'no sessions',
};

export const appsScreen = defineScreen({
  id: 'apps',
  title: 'Applications',
  sources: ['activity'],
  view: appsView,
  keys: { filter: { text: 'filter applications by name; Esc clears' }, details: {}, sortNext: {}, sortReverse: {} },
});
