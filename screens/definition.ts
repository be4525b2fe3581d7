// What a screen is: everything of one screen, in its own folder
// (screens/<id>/index.ts exports one of these), and one line in
// screens/index.ts puts it in the tab bar. The screen ids, the poller's
// work, the keys that work on a screen, the help overlay, --once and the
// docs are all derived from that one list. No Ink here: --once loads the
// definitions, never the components (`component` is loaded on demand).
import type React from 'react';
import type { ScreenKeys } from '../src/keys/commands.js';
import type { AnyScreenView } from '../src/render/screen-view.js';
import type { QueryId } from '../src/model/rows.js';
import type { PgtopState } from '../src/store/store.js';

/** A screen's body when it is more than one table (the roles and their audit, sizes' three lists…). */
export type ScreenComponent = React.ComponentType<{ width: number; height: number }>;

export interface ScreenDefinition<Id extends string = string> {
  id: Id;
  title: string;
  /** Polled while this screen is visible, besides the header; a function when it depends on the screen's mode (sizes: the list on screen). */
  queries: readonly QueryId[] | ((state: PgtopState) => readonly QueryId[]);
  // Each screen's row type is its own; the list only passes views along.
  view: AnyScreenView;
  /** The commands this screen offers besides the global ones, in its own words where it has them. */
  keys: ScreenKeys;
  /** Loads the screen's own component; absent for a screen that is one table (screens/TableScreen.tsx draws it). */
  component?: () => Promise<ScreenComponent>;
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
  /** What else the screen's rows come from and may fail to load (the backup directory's listing). */
  otherFailure?(state: PgtopState): string | null;
}

/** One titled part of what --once prints. */
export interface OncePart {
  title: string;
  /** Its name in the JSON document. */
  key: string;
  view: AnyScreenView;
  /** The query its rows come from, when one: its failure is said in its place; a part without one says every failure. */
  query?: QueryId;
}

/** A screen definition with its id kept as a literal, so the list in screens/index.ts can name the ids' type. */
export function defineScreen<const Id extends string>(definition: ScreenDefinition<Id>): ScreenDefinition<Id> {
  return definition;
}

/** The queries this screen needs polled now, besides the header. */
export function queriesOf(definition: ScreenDefinition, state: PgtopState): readonly QueryId[] {
  return typeof definition.queries === 'function' ? definition.queries(state) : definition.queries;
}

/** A part of a screen's data that did not load, in one line (the poller's words: what, and the server's error). */
export interface ScreenFailure {
  /** The query that failed; null for what else the screen reads (the backup directory's listing). */
  query: QueryId | null;
  text: string;
}

/**
 * What of a screen's data failed to load in the last refresh: each of its
 * queries that failed, or that was switched off for lack of privilege
 * (unless the screen does without it), and what else it reads (the backup
 * directory). The screen says these where its rows would be, never its
 * empty text; --once prints them and exits 1. A query whose result says
 * nothing yet (not run) is no failure: the screen says loading.
 */
export function screenFailures(state: PgtopState, definition: ScreenDefinition, queries: readonly QueryId[] = queriesOf(definition, state)): ScreenFailure[] {
  const optional = definition.optionalQueries ?? [];
  const failures: ScreenFailure[] = [];
  for (const query of queries) {
    const result = state.data.results[query];
    if (result?.disabled) {
      if (!optional.includes(query)) failures.push({ query, text: result.disabled });
    } else if (result?.error) failures.push({ query, text: result.error });
  }
  const other = definition.otherFailure?.(state);
  if (other) failures.push({ query: null, text: other });
  return failures;
}
