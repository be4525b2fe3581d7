// The health screen: the seed's checks at a glance, with trends as charts.
import { defineScreen } from '../definition.js';
import { healthView } from './view.js';

export const healthScreen = defineScreen({
  id: 'health',
  title: 'Health',
  sources: ['health', 'connectionSlots'],
  view: healthView,
  component: () => import('./HealthScreen.js').then((m) => m.HealthScreen),
  keys: {
    details: { text: 'details: what it means, where it comes from, the numbers behind it' },
  },
});
