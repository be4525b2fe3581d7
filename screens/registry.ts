// The one screen registry: each screen's id, title, the queries it needs
// polled while visible, and its view (rows, columns, keys' targets). The
// poller asks it what to poll; the App asks it what to render; --once asks
// it what to print.
import type { QueryId } from '../src/model/rows.js';
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
  onceParts?: readonly OncePart[];
  /**
   * Queries the screen does without when the role may not run them: the
   * screen says what it could not check instead (the roles audit marks those
   * checks "unchecked"), so their refusal is no failure.
   */
  optionalQueries?: readonly QueryId[];
}

/** One titled part of what --once prints. */
export interface OncePart {
  title: string;
  /** Its name in the JSON document. */
  key: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  view: ScreenView<any>;
  /** The query its rows come from, when one: its failure is said in its place; a part without one says every failure. */
  query?: QueryId;
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
      { title: 'roles', key: 'roles', view: rolesTableView, query: 'roles' },
      { title: 'security audit', key: 'audit', view: auditTableView },
    ],
    optionalQueries: ['rolesPasswords', 'rolesHba'],
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
    onceParts: (
      [
        ['databases', 'sizeDatabases'],
        ['tables', 'sizeTables'],
        ['indexes', 'sizeIndexes'],
      ] as const
    ).map(([section, query]) => ({ title: section, key: section, view: sizesListView(section), query })),
  },
  bloat: { id: 'bloat', title: 'Bloat', queries: ['bloatTables', 'bloatOverview', 'bloatProgress'], view: bloatView },
  config: { id: 'config', title: 'Config', queries: ['config'], view: configView },
  // Files in the backup directory, listed by src/backup/watcher.ts: nothing to poll besides the header.
  backups: { id: 'backups', title: 'Backups', queries: [], view: backupsView },
  health: { id: 'health', title: 'Health', queries: ['health'], view: healthView },
  // The guided session runs its own queries (src/learn/): nothing to poll besides the header.
  learn: { id: 'learn', title: 'Guided session', queries: [], view: learnView },
};

export const SCREEN_ORDER: readonly ScreenDefinition[] = SCREEN_IDS.map((id) => SCREENS[id]);

export function screenQueries(screen: ScreenId, state: PgtopState): readonly QueryId[] {
  const queries = SCREENS[screen].queries;
  return typeof queries === 'function' ? queries(state) : queries;
}

/** A part of a screen's data that did not load, in one line (the poller's words: what, and the server's error). */
export interface ScreenFailure {
  /** The query that failed; null for the backup directory's listing. */
  query: QueryId | null;
  text: string;
}

/**
 * What of a screen's data failed to load in the last refresh: each of its
 * queries that failed, or that was switched off for lack of privilege
 * (unless the screen does without it), and the backup directory when it
 * cannot be read. The screen says these where its rows would be, never its
 * empty text; --once prints them and exits 1. A query whose result says
 * nothing yet (not run) is no failure: the screen says loading.
 */
export function screenFailures(state: PgtopState, screen: ScreenId, queries: readonly QueryId[] = screenQueries(screen, state)): ScreenFailure[] {
  const optional = SCREENS[screen].optionalQueries ?? [];
  const failures: ScreenFailure[] = [];
  for (const query of queries) {
    const result = state.data.results[query];
    if (result?.disabled) {
      if (!optional.includes(query)) failures.push({ query, text: result.disabled });
    } else if (result?.error) failures.push({ query, text: result.error });
  }
  if (screen === 'backups' && state.data.backups?.error) failures.push({ query: null, text: state.data.backups.error });
  return failures;
}
