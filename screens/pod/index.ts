// The pod screen (-k): the pod, its containers, the data volume and the
// events around PostgreSQL (see view.ts); `u` measures the data directory.
import { defineScreen } from '../definition.js';
import { podView } from './view.js';

export const podScreen = defineScreen({
  id: 'pod',
  title: 'Pod',
  // The pod (its watch) first: its state is the screen's. The header already
  // needs the pod, the metrics API, the container's usage and the data directory.
  sources: ['pod', 'podVolumes', 'podEvents', 'podMetrics'],
  // Without the metrics API the usage comes from the cgroup, and the screen says so.
  optionalSources: ['podMetrics'],
  view: podView,
  keys: {
    filter: { text: 'filter the rows (name, state, detail); Esc clears' },
    details: { text: 'details: the whole row (a container, an event and its message)' },
    diskUsage: {},
  },
});
