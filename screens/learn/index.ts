// The guided session (`pgtop learn`, :learn): parts and steps with live checks.
import { defineScreen } from '../definition.js';
import { learnView } from './view.js';

export const learnScreen = defineScreen({
  id: 'learn',
  title: 'Guided session',
  // The current step's checks, run on the session's own connection (src/learn/controller.ts).
  sources: ['learnChecks'],
  view: learnView,
  component: () => import('./LearnScreen.js').then((m) => m.LearnScreen),
  // Steps that change the server are confirmed by the action runner.
  keys: { runStep: {}, nextStep: {}, previousStep: {}, explainStep: {}, openStepScreen: {}, resetSession: {} },
});
