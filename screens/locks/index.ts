// The locks screen: the blocking tree, blockers first (see view.ts).
import { defineScreen } from '../definition.js';
import { locksView } from './view.js';

export const locksScreen = defineScreen({
  id: 'locks',
  title: 'Locks',
  sources: ['locks'],
  view: locksView,
  keys: {
    filter: { text: 'filter rows (user, db, app, state, query); Esc clears' },
    details: { text: 'details: the whole query and the backend' },
    cancelQuery: {},
    terminateBackend: {},
    rollbackPrepared: {},
    commitPrepared: {},
  },
});
