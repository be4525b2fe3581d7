// What a screen is: everything of one screen, in its own folder
// (screens/<id>/index.ts exports one of these), and one line in
// screens/index.ts puts it in the tab bar. The screen ids, the sources the
// scheduler runs, the keys that work on a screen, the help overlay, --once
// and the docs are all derived from that one list. No Ink here: --once loads the
// definitions, never the components (`component` is loaded on demand).
import type React from 'react';
import type { ScreenKeys } from '../src/keys/commands.js';
import type { AnyScreenView } from '../src/render/screen-view.js';
import type { SourceId } from '../src/model/rows.js';
import type { PgtopState } from '../src/store/store.js';

/** A screen's body when it is more than one table (the roles and their audit, sizes' three lists…). */
export type ScreenComponent = React.ComponentType<{ width: number; height: number }>;

export interface ScreenDefinition<Id extends string = string> {
  id: Id;
  title: string;
  /**
   * The sources the scheduler runs while this screen is visible, besides the
   * header's; the first is the one whose state (loading, failed) a table
   * screen shows. A function when it depends on the screen's mode (sizes:
   * the list on screen).
   */
  sources: readonly SourceId[] | ((state: PgtopState) => readonly SourceId[]);
  // Each screen's row type is its own; the list only passes views along.
  view: AnyScreenView;
  /** The commands this screen offers besides the global ones, in its own words where it has them. */
  keys: ScreenKeys;
  /** Loads the screen's own component; absent for a screen that is one table (screens/TableScreen.tsx draws it). */
  component?: () => Promise<ScreenComponent>;
  /** What --once runs when it prints more than the screen shows at once (the three lists of sizes). */
  onceSources?: readonly SourceId[];
  /** What --once prints, when more than the view's rows: each part titled (the roles and then the security audit). */
  onceParts?: readonly OncePart[];
  /**
   * Sources the screen does without when the role may not run them: the
   * screen says what it could not check instead (the roles audit marks those
   * checks "unchecked"), so their being switched off is no failure.
   */
  optionalSources?: readonly SourceId[];
}

/** One titled part of what --once prints. */
export interface OncePart {
  title: string;
  /** Its name in the JSON document. */
  key: string;
  view: AnyScreenView;
  /** The source its rows come from, when one: its failure is said in its place; a part without one says every failure. */
  source?: SourceId;
}

/** A screen definition with its id kept as a literal, so the list in screens/index.ts can name the ids' type. */
export function defineScreen<const Id extends string>(definition: ScreenDefinition<Id>): ScreenDefinition<Id> {
  return definition;
}

/** The sources this screen needs now, besides the header's. */
export function sourcesOf(definition: ScreenDefinition, state: PgtopState): readonly SourceId[] {
  return typeof definition.sources === 'function' ? definition.sources(state) : definition.sources;
}

/** A part of a screen's data that did not load, in one line (the scheduler's words: what, and why). */
export interface ScreenFailure {
  source: SourceId;
  text: string;
}

/**
 * What of a screen's data failed to load in the last refresh: each of its
 * sources that failed, or that was switched off for lack of privilege
 * (unless the screen does without it). The screen says these where its rows
 * would be, never its empty text; --once prints them and exits 1. A source
 * whose result says nothing yet (not run) is no failure: the screen says
 * loading.
 */
export function screenFailures(state: PgtopState, definition: ScreenDefinition, sources: readonly SourceId[] = sourcesOf(definition, state)): ScreenFailure[] {
  const optional = definition.optionalSources ?? [];
  const failures: ScreenFailure[] = [];
  for (const source of sources) {
    const result = state.data.results[source];
    if (result?.disabled) {
      if (!optional.includes(source)) failures.push({ source, text: result.disabled });
    } else if (result?.error) failures.push({ source, text: result.error });
  }
  return failures;
}
