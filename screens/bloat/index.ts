// The bloat screen: dead tuples, vacuum history, XID age, maintenance running now.
import { defineScreen } from '../definition.js';
import { bloatView } from './view.js';

export const bloatScreen = defineScreen({
  id: 'bloat',
  title: 'Bloat',
  sources: ['bloatTables', 'bloatOverview', 'bloatProgress', 'horizon'],
  view: bloatView,
  component: () => import('./BloatScreen.js').then((m) => m.BloatScreen),
  keys: {
    filter: { text: 'filter by schema or name (and flags: unused, duplicate, invalid); Esc clears' },
    details: { text: 'details: every number of the selected table, index or database' },
    sortNext: {},
    sortReverse: {},
    vacuumTable: {},
    analyzeTable: {},
    vacuumFull: {},
    reindex: {},
    terminateBackend: { text: 'terminate the session holding the vacuum horizon (named above the table), after y/n', hint: null },
  },
});
