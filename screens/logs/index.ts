// The logs screen: the server's log, newest at the bottom, followed live.
// With -k the server container's (pods/log, follow), and P the previous
// container's; directly, the server's newest log file over SQL.
import { defineScreen } from '../definition.js';
import { LOGS, logsView, showingPrevious } from './view.js';

export const logsScreen = defineScreen({
  id: LOGS,
  title: 'Logs',
  sources: (state) => (showingPrevious(state) ? ['previousServerLog'] : ['serverLog']),
  // Where the log cannot be read (logging_collector off, a privilege or a Kubernetes permission missing) the screen says why
  // instead of the lines: the server is as it is, and --once exits 0 saying so.
  optionalSources: ['serverLog', 'previousServerLog'],
  view: logsView,
  component: () => import('./LogsScreen.js').then((m) => m.LogsScreen),
  keys: {
    filter: { text: 'filter the log lines (case-insensitive); Esc clears' },
    previousLog: {},
  },
});
