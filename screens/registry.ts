// The one screen registry: each screen's id, title, the queries it needs
// polled while visible, and its view (rows, columns, keys' targets). The
// poller asks it what to poll; the App asks it what to render; --once asks
// it what to print.
import type { QueryId } from '../src/db/registry.js';
import type { ScreenView } from '../src/render/screen-view.js';
import { SCREEN_IDS, type ScreenId } from '../src/screen-ids.js';
import { activityView } from './activity/view.js';
import { locksView } from './locks/view.js';

export interface ScreenDefinition {
  id: ScreenId;
  title: string;
  /** Polled while this screen is visible, besides the header. */
  queries: readonly QueryId[];
  // Each screen's row type is its own; the registry only passes views along.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  view: ScreenView<any>;
}

export const SCREENS: Record<ScreenId, ScreenDefinition> = {
  activity: { id: 'activity', title: 'Activity', queries: ['activity'], view: activityView },
  locks: { id: 'locks', title: 'Locks', queries: ['locks'], view: locksView },
};

export const SCREEN_ORDER: readonly ScreenDefinition[] = SCREEN_IDS.map((id) => SCREENS[id]);

export function screenQueries(screen: ScreenId): readonly QueryId[] {
  return SCREENS[screen].queries;
}
