// The sizes screen: databases, tables and indexes, one list at a time (t, i, d).
import { defineScreen } from '../definition.js';
import { sizesListView, sizesSources, sizesView } from './view.js';

export const sizesScreen = defineScreen({
  id: 'sizes',
  title: 'Sizes',
  sources: sizesSources,
  view: sizesView,
  component: () => import('./SizesScreen.js').then((m) => m.SizesScreen),
  keys: {
    filter: { text: 'filter by schema or name (and flags: unused, duplicate, invalid); Esc clears' },
    details: { text: 'details: every number of the selected table, index or database' },
    sortNext: {},
    sortReverse: {},
    showTables: {},
    showIndexes: {},
    showDatabases: {},
    vacuumTable: {},
    analyzeTable: {},
    vacuumFull: {},
    reindex: {},
  },
  // On screen one list at a time (t, i, d); a script gets all three.
  onceSources: ['sizeDatabases', 'sizeTables', 'sizeIndexes'],
  onceParts: (
    [
      ['databases', 'sizeDatabases'],
      ['tables', 'sizeTables'],
      ['indexes', 'sizeIndexes'],
    ] as const
  ).map(([section, query]) => ({ title: section, key: section, view: sizesListView(section), source: query })),
});
