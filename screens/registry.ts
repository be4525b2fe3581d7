// The one screen registry: each screen's id, title, the queries it needs
// polled while visible, and its view (rows, columns, keys' targets). The
// poller asks it what to poll; the App asks it what to render; --once asks
// it what to print.
import type { QueryId } from '../src/db/registry.js';
import type { ScreenView } from '../src/render/screen-view.js';
import type { PgtopState } from '../src/store/store.js';
import { SCREEN_IDS, type ScreenId } from '../src/screen-ids.js';
import { activityView } from './activity/view.js';
import { locksView } from './locks/view.js';
import { auditTableView, rolesTableView, rolesView } from './roles/view.js';
import { bloatView } from './bloat/view.js';
import { configView } from './config/view.js';
import { backupsView } from './backups/view.js';
import { healthView } from './health/view.js';
import { sizesListView, sizesQueries, sizesView } from './sizes/view.js';
import { statementsView } from './statements/view.js';
import { learnView } from './learn/view.js';

export interface ScreenDefinition {
  id: ScreenId;
  title: string;
  /** Polled while this screen is visible, besides the header; a function when it depends on the screen's mode (sizes: the list on screen). */
  queries: readonly QueryId[] | ((state: PgtopState) => readonly QueryId[]);
  // Each screen's row type is its own; the registry only passes views along.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  view: ScreenView<any>;
  /** What --once polls when it prints more than the screen shows at once (the three lists of sizes). */
  onceQueries?: readonly QueryId[];
  /** What --once prints, when more than the view's rows: each part titled (the roles and then the security audit). */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  onceParts?: readonly { title: string; key: string; view: ScreenView<any> }[];
}

export const SCREENS: Record<ScreenId, ScreenDefinition> = {
  activity: { id: 'activity', title: 'Activity', queries: ['activity'], view: activityView },
  locks: { id: 'locks', title: 'Locks', queries: ['locks'], view: locksView },
  // The two superuser-only queries are switched off on their first 42501; the audit then says what it could not check.
  roles: {
    id: 'roles',
    title: 'Roles',
    queries: ['roles', 'rolesPrivileges', 'rolesServer', 'rolesPasswords', 'rolesHba'],
    view: rolesView,
    // A script (cron, CI) wants the findings, not a key to press for them.
    onceParts: [
      { title: 'roles', key: 'roles', view: rolesTableView },
      { title: 'security audit', key: 'audit', view: auditTableView },
    ],
  },
  // pg_stat_statements' status is asked by src/db/variants.ts (once per connection), not polled.
  statements: { id: 'statements', title: 'Statements', queries: ['statements'], view: statementsView },
  sizes: {
    id: 'sizes',
    title: 'Sizes',
    queries: sizesQueries,
    view: sizesView,
    // On screen one list at a time (t, i, d); a script gets all three.
    onceQueries: ['sizeDatabases', 'sizeTables', 'sizeIndexes'],
    onceParts: (['databases', 'tables', 'indexes'] as const).map((section) => ({ title: section, key: section, view: sizesListView(section) })),
  },
  bloat: { id: 'bloat', title: 'Bloat', queries: ['bloatTables', 'bloatOverview', 'bloatProgress'], view: bloatView },
  config: { id: 'config', title: 'Config', queries: ['config'], view: configView },
  // Files in the backup directory, listed by src/backup/watcher.ts: nothing to poll besides the header.
  backups: { id: 'backups', title: 'Backups', queries: [], view: backupsView },
  health: { id: 'health', title: 'Health', queries: ['health'], view: healthView },
  // The guided session runs its own queries (src/session/): nothing to poll besides the header.
  learn: { id: 'learn', title: 'Guided session', queries: [], view: learnView },
};

export const SCREEN_ORDER: readonly ScreenDefinition[] = SCREEN_IDS.map((id) => SCREENS[id]);

export function screenQueries(screen: ScreenId, state: PgtopState): readonly QueryId[] {
  const queries = SCREENS[screen].queries;
  return typeof queries === 'function' ? queries(state) : queries;
}
