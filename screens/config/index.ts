// The config screen: key settings first, in readable units (see view.ts).
import { defineScreen } from '../definition.js';
import { configView } from './view.js';

export const configScreen = defineScreen({
  id: 'config',
  title: 'Config',
  sources: ['config'],
  view: configView,
  keys: {
    filter: { text: 'filter settings (name, category, source, description); Esc clears' },
    details: { text: 'details: what it means, where it comes from, the numbers behind it' },
    sortNext: {},
    sortReverse: {},
  },
});
