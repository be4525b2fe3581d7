// The health screen: the seed's checks at a glance, with trends as charts.
import { defineScreen } from '../definition.js';
import { healthView } from './view.js';

export const healthScreen = defineScreen({
  id: 'health',
  title: 'Health',
  sources: ['health', 'connectionSlots', 'replicationOverview', 'horizon'],
  // Without pg_monitor (pg_ls_waldir) the replication checks say they could not check; without the horizon
  // the horizon check says it does not know ('…'); the others stand.
  optionalSources: ['replicationOverview', 'horizon'],
  view: healthView,
  component: () => import('./HealthScreen.js').then((m) => m.HealthScreen),
  keys: {
    details: { text: 'details: what it means, where it comes from, the numbers behind it' },
    terminateBackend: { text: 'on the vacuum horizon check: terminate the session holding it, after y/n', hint: null },
  },
});
