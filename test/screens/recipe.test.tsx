// docs/architecture.md's recipe, proved: a table screen is one folder
// (test/support/example-screen/) plus one line in the list. Nothing else is
// touched, yet the tab bar, the number and Tab keys, :name, the keys it
// offers, help, details, the scheduler's work and --once all have it.
import { afterEach, describe, expect, it } from 'vitest';
import { SCREEN_ORDER, screenSources } from '../../screens/index.js';
import { onceText } from '../../src/cli/once.js';
import { bindingsFor } from '../../src/keys/commands.js';
import { DISPATCHER_COMMANDS } from '../../src/keys/dispatch.js';
import { createPgtopStore } from '../../src/store/store.js';
import { appsScreen } from '../support/example-screen/index.js';
import { backend, connectedWith } from '../support/fixtures.js';
import { renderApp, type RenderedApp } from '../support/render-app.js';

// The one line.
const SCREENS = [...SCREEN_ORDER, appsScreen];

const sessions = [
  backend({ pid: 1, application: 'billing', state: 'active' }),
  backend({ pid: 2, application: 'billing', state: 'idle' }),
  backend({ pid: 3, application: 'reports', state: 'active' }),
];

let app: RenderedApp | undefined;
afterEach(() => app?.unmount());

describe('a table screen added as the recipe says', () => {
  it('is in the tab bar and the command line, draws its rows, opens details and shows its keys in help', async () => {
    app = renderApp({ patch: connectedWith(sessions), screens: SCREENS });
    await app.resize(140, 30);
    let frame = await app.waitFor('QUERY');
    expect(frame).toContain(`${SCREENS.length} apps`);
    await app.press(':', 'a', 'p', 'p', 's', 'enter');
    frame = await app.waitFor('APPLICATION');
    expect(frame).toMatch(/billing\s+2\s+1/);
    expect(frame).toMatch(/reports\s+1\s+1/);
    await app.press('enter');
    frame = await app.waitFor('Applications: details');
    expect(frame).toContain('2, 1 active');
    await app.press('escape', '?');
    frame = await app.waitFor('Keys on the apps screen');
    expect(frame).toContain('filter applications by name');
    await app.press('escape', 'tab');
    await app.waitFor('QUERY'); // Tab goes round to the first screen again
    expect(app.store.getState().ui.screen).toBe('activity');
  });

  it('is polled for what it declares, prints with --once, and every key it offers has a handler', () => {
    const state = createPgtopStore({ screen: 'apps' }, connectedWith(sessions)).getState();
    expect(screenSources('apps', state, SCREENS)).toEqual(['activity']);
    const text = onceText(state, appsScreen.view, 120);
    expect(text).toMatch(/APPLICATION\s+SESSIONS\s+ACTIVE/);
    expect(text).toMatch(/billing\s+2\s+1/);
    for (const b of bindingsFor(appsScreen.keys)) expect(DISPATCHER_COMMANDS.has(b.command), b.command).toBe(true);
  });
});
