// The statements screen: pg_stat_statements, top by time, calls and rows (see view.ts).
import { defineScreen } from '../definition.js';
import { statementsView } from './view.js';

export const statementsScreen = defineScreen({
  id: 'statements',
  title: 'Statements',
  // pg_stat_statements' status is asked by src/db/variants.ts (once per connection), not polled.
  sources: ['statements'],
  view: statementsView,
  keys: {
    filter: { text: 'filter statements (query text, database, user); Esc clears' },
    details: { text: 'details: the whole statement, its timings and block I/O' },
    sortNext: {},
    sortReverse: {},
    enableStatements: {},
  },
});
