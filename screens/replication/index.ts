// The replication screen: standbys, slots, archiving and pg_wal on a
// primary; the WAL receiver and replay on a standby (see view.ts).
import { defineScreen } from '../definition.js';
import { replicationView } from './view.js';

export const replicationScreen = defineScreen({
  id: 'replication',
  title: 'Replication',
  // The overview first: it says the role, and a role without pg_monitor is refused it (pg_ls_waldir).
  // The instances of a -k cluster/NAME target last: the dashboard runs them only for one.
  sources: ['replicationOverview', 'replicationStandbys', 'replicationSlots', 'clusterInstances'],
  view: replicationView,
  keys: {
    filter: { text: 'filter the rows (name, state, detail); Esc clears' },
    details: { text: 'details: every position, lag and setting behind the row' },
    dropSlot: {},
    moveToInstance: {},
  },
});
