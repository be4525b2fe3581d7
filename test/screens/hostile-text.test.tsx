// Every screen (from the registry: a new screen is covered by itself) with
// hostile names and query texts in its rows: the screen, its details, each
// of its actions' dialogs, the status line with a server error, and its
// queries failing with an error that holds ESC. The frame that would reach
// the terminal holds no control character but pgtop's own SGR styling, and
// the hostile text shows, escaped. A failed query says so where the rows
// would be, never the screen's empty text.
import { afterEach, describe, expect, it } from 'vitest';
import { SCREEN_ORDER, SCREENS, screenSources } from '../../screens/index.js';
import type { SourceId } from '../../src/model/rows.js';
import { bindingsFor } from '../../src/keys/commands.js';
import type { ScreenId } from '../../screens/index.js';
import type { LearnState } from '../../src/learn/controller.js';
import { setData, setStatus, type PgtopState, type Results, type SourceResult } from '../../src/store/store.js';
import { terminalText } from '../../src/render/terminal-text.js';
import { EVIL, evil, hostileLearn, hostileState, SHOWN_MARK, strayControls } from '../support/hostile-rows.js';
import { renderApp, type RenderedApp } from '../support/render-app.js';

let app: RenderedApp | undefined;
afterEach(() => app?.unmount());

const tick = () => new Promise((resolve) => setTimeout(resolve, 30));

async function settled(a: RenderedApp, test: (state: PgtopState) => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 2_000;
  while (!test(a.store.getState())) {
    if (Date.now() > deadline) throw new Error(`never ${what}; last frame:\n${a.frame()}`);
    await tick();
  }
  await tick();
}

function expectSafe(a: RenderedApp, where: string, showsHostileText = true): void {
  const raw = a.rawFrame();
  expect(strayControls(raw), `${where}: raw control characters in the frame:\n${a.frame()}`).toEqual([]);
  if (showsHostileText) expect(a.frame(), `${where}: the hostile text does not show (escaped)`).toContain(SHOWN_MARK);
}

/** The key that starts a command on this screen. */
function keyOf(screen: ScreenId, command: string): string | undefined {
  return bindingsFor(SCREENS[screen].keys).find((b) => b.command === command)?.keys[0];
}

/** A failure of every source the screen needs (and --once runs), in the scheduler's words, holding ESC. */
function failingResults(screen: ScreenId, state: PgtopState): Results {
  const sources = new Set<SourceId>([...screenSources(screen, state), ...(SCREENS[screen].onceSources ?? [])]);
  const results: Record<string, SourceResult<unknown>> = { ...state.data.results };
  for (const id of sources) results[id] = { rows: [], updatedAt: 0, error: `${id} failed: ERROR: no such table ${EVIL}`, disabled: null };
  return results;
}

describe('hostile text on every screen', () => {
  it.each(SCREEN_ORDER.map((definition) => [definition.id]))('%s: screen, details, dialogs, status line and errors show it escaped', async (id) => {
    const screen = id;
    const { view } = SCREENS[screen];
    const learn = screen === 'learn' ? hostileLearn() : undefined;
    app = renderApp({ screen, patch: hostileState, learn });
    await app.resize(200, 40);
    await app.waitFor(SHOWN_MARK);
    expectSafe(app, 'the screen');

    const firstRow = () => view.rows(app!.store.getState())[0];
    if (view.detail && firstRow() !== undefined) {
      await app.press('enter');
      await settled(app, (s) => s.ui.overlay.kind === 'detail', 'opened the details');
      await app.waitFor('details');
      expectSafe(app, 'the details');
      await app.press('escape');
      await settled(app, (s) => s.ui.overlay.kind === 'none', 'closed the details');
    }

    for (const [command, aim] of Object.entries(view.actions ?? {})) {
      const state = app.store.getState();
      const key = keyOf(screen, command);
      if (!key || !aim?.(firstRow(), state)) continue;
      setStatus(app.store, '');
      await app.press(key);
      await settled(app, (s) => s.ui.overlay.kind !== 'none' || !!s.ui.status?.text, `answered ${key}`);
      const overlay = app.store.getState().ui.overlay.kind;
      // A confirmation names what it acts on: the hostile name, escaped. A form's first question may not.
      expectSafe(app, `${key} (${command}, ${overlay})`, overlay === 'confirm');
      await app.press('escape');
      await settled(app, (s) => s.ui.overlay.kind === 'none', `left ${key}`);
    }

    setStatus(app.store, `ERROR: permission denied for table ${EVIL}`, 'error');
    await app.waitFor('permission denied');
    expectSafe(app, 'the status line');

    // Every source of the screen fails (a query, the backup directory), or the guided session cannot start.
    const before = app.store.getState();
    if (screen === 'learn') learn!.state.setState({ error: `cannot start: ${EVIL}` } as Partial<LearnState>);
    else setData(app.store, { results: failingResults(screen, before) });
    const failed = await app.waitFor(/failed: ERROR|cannot read|cannot start/);
    expectSafe(app, 'the failure');
    const rows = view.rows(app.store.getState());
    if (rows.length === 0 && view.emptyText) expect(failed).not.toContain(view.emptyText(app.store.getState()));
  });
});

describe('a name holding control characters', () => {
  it('is confirmed by typing it as it shows (its escapes), since ESC cannot be typed', async () => {
    app = renderApp({ screen: 'bloat', patch: hostileState });
    await app.resize(200, 40);
    await app.waitFor('DEAD%');
    await app.press('F');
    const shown = terminalText(evil('orders'));
    await app.waitFor(`type ${shown} and Enter to run it`);
    await app.press(...Array.from(shown), 'enter');
    // Confirmed: the runner goes on to connect (there is no server in this test), instead of refusing the name.
    const frame = await app.waitFor('no server in this test');
    expect(frame).not.toContain('nothing was run');
    expectSafe(app, 'the typed confirmation');
  });
});
