// The guided session (`pgtop learn`, :learn): parts and steps with live checks.
import { defineScreen } from '../definition.js';
import { learnView } from './view.js';

export const learnScreen = defineScreen({
  id: 'learn',
  title: 'Guided session',
  // The guided session runs its own queries (src/learn/): nothing to poll besides the header.
  sources: [],
  view: learnView,
  component: () => import('./LearnScreen.js').then((m) => m.LearnScreen),
  // Steps that change the server are confirmed by the action runner.
  keys: { runStep: {}, nextStep: {}, previousStep: {}, explainStep: {}, openStepScreen: {}, resetSession: {} },
});
