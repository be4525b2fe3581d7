// The activity screen: every session of pg_stat_activity (see view.ts).
import { defineScreen } from '../definition.js';
import { activityView } from './view.js';

export const activityScreen = defineScreen({
  id: 'activity',
  title: 'Activity',
  // processUsage: CPU%, MEM, READ/s, WRITE/s where the machine's figures are read (with -k, or a server on this host).
  sources: ['activity', 'processUsage'],
  // Without them (a remote server, a pod without sh) the columns are absent: no failure.
  optionalSources: ['processUsage'],
  view: activityView,
  keys: {
    filter: { text: 'filter rows (user, db, app, state, query); Esc clears' },
    details: { text: 'details: the whole query and the backend' },
    sortNext: { hint: 'sort' },
    sortReverse: {},
    cancelQuery: {},
    terminateBackend: {},
  },
});
