// The one list of screens, in the order of the tab bar and the number keys:
// adding a screen is its folder (screens/<id>/index.ts) and one line here.
// The product's order: activity, locks, statements, sizes, bloat, roles, config,
// backups, health, replication (no number key: :replication or Tab), logs; then learn, the guided session, last (once the nine are
// there it has no number key: :learn, Tab, or `pgtop learn` reach it).
import type { SourceId } from '../src/model/rows.js';
import type { PgtopState } from '../src/store/store.js';
import { activityScreen } from './activity/index.js';
import { backupsScreen } from './backups/index.js';
import { bloatScreen } from './bloat/index.js';
import { configScreen } from './config/index.js';
import { sourcesOf, type ScreenDefinition } from './definition.js';
import { healthScreen } from './health/index.js';
import { learnScreen } from './learn/index.js';
import { locksScreen } from './locks/index.js';
import { logsScreen } from './logs/index.js';
import { replicationScreen } from './replication/index.js';
import { rolesScreen } from './roles/index.js';
import { sizesScreen } from './sizes/index.js';
import { statementsScreen } from './statements/index.js';

export const SCREEN_ORDER = [
  activityScreen,
  locksScreen,
  statementsScreen,
  sizesScreen,
  bloatScreen,
  rolesScreen,
  configScreen,
  backupsScreen,
  healthScreen,
  replicationScreen,
  logsScreen,
  learnScreen,
] as const satisfies readonly ScreenDefinition[];

export type ScreenId = (typeof SCREEN_ORDER)[number]['id'];
export const SCREEN_IDS: readonly ScreenId[] = SCREEN_ORDER.map((s) => s.id);
export const DEFAULT_SCREEN: ScreenId = SCREEN_ORDER[0].id;

/** Every screen by its id. */
export const SCREENS = Object.fromEntries(SCREEN_ORDER.map((s) => [s.id, s])) as Record<ScreenId, ScreenDefinition>;

export function isScreenId(name: string): name is ScreenId {
  return (SCREEN_IDS as readonly string[]).includes(name);
}

/** Sources needed on every screen: the header's. */
export const ALWAYS_SOURCES: readonly SourceId[] = ['header'];

/** Every source needed now, in the order they run: the header's, then the visible screen's (what the scheduler asks). */
export function neededSources(state: PgtopState, screens: readonly ScreenDefinition[] = SCREEN_ORDER): readonly SourceId[] {
  return [...ALWAYS_SOURCES, ...screenSources(state.ui.screen, state, screens)];
}

/** The sources a screen of this list needs now, besides the header's. */
export function screenSources(screen: string, state: PgtopState, screens: readonly ScreenDefinition[] = SCREEN_ORDER): readonly SourceId[] {
  const definition = screens.find((s) => s.id === screen);
  return definition ? sourcesOf(definition, state) : [];
}

export { screenFailures, type ScreenFailure } from './definition.js';
