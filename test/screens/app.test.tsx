import { afterEach, describe, expect, it } from 'vitest';
import { bindingsFor, displayKey } from '../../src/keys/commands.js';
import { SCREENS } from '../../screens/index.js';
import { backend, connectedWith } from '../support/fixtures.js';
import { renderApp, type RenderedApp } from '../support/render-app.js';

let app: RenderedApp | undefined;
afterEach(() => app?.unmount());

describe('the dashboard around the screens', () => {
  it('? lists every key of the current screen, from the keymap', async () => {
    app = renderApp({ patch: connectedWith([backend({ pid: 1 })]) });
    await app.resize(100, 40);
    await app.press('?');
    const frame = await app.waitFor('Keys on the activity screen');
    for (const binding of bindingsFor(SCREENS.activity.keys)) {
      expect(frame).toContain(binding.text);
      expect(frame).toContain(binding.keys.map(displayKey).join(' '));
    }
    await app.press('escape');
    await app.waitFor('QUERY');
  });

  it('marks the current tab in reverse video also without colours (NO_COLOR, --no-color, CI=true turn Ink\'s styles off)', async () => {
    app = renderApp({ patch: connectedWith([backend({ pid: 1 })]), color: false });
    await app.waitFor('QUERY');
    await app.press('2');
    await app.waitFor('WAITS FOR');
    const tabs = app.rawFrame().split('\n').find((line) => line.includes(' 2 locks '))!;
    expect(tabs).toMatch(/\x1b\[1m\x1b\[7m 2 locks \x1b\[27m\x1b\[22m/);
    expect(tabs).not.toMatch(/\x1b\[7m 1 act/);
    // No colour when colours are off: only bold and reverse.
    expect(tabs).not.toMatch(/\x1b\[3\dm/);
  });

  it("an action's result longer than the screen scrolls with arrows and pages; any other key closes it", async () => {
    app = renderApp({ patch: connectedWith([backend({ pid: 1 })]) });
    await app.resize(80, 24);
    await app.waitFor('QUERY');
    const lines = Array.from({ length: 60 }, (_, i) => `public.table_${String(i).padStart(2, '0')}  ${i * 10} rows  ${i * 10} rows  ok`);
    app.store.setState((s) => ({ ui: { ...s.ui, overlay: { kind: 'result', title: 'restored shop into shop_copy', lines } } }));
    let frame = await app.waitFor(/lines 1–\d+ of 60/);
    expect(frame).toContain('public.table_00');
    expect(frame).not.toContain('public.table_59');
    await app.press('end');
    frame = await app.waitFor(/lines \d+–60 of 60/);
    expect(frame).toContain('public.table_59');
    await app.press('pageup', 'up');
    frame = await app.waitFor(/lines \d+–\d+ of 60/);
    expect(frame).not.toContain('public.table_59');
    await app.press('x');
    frame = await app.waitFor('QUERY');
    expect(frame).not.toContain('restored shop');
  });

  it('switches screens with :name Enter, number keys, Tab and Shift-Tab', async () => {
    app = renderApp({ patch: connectedWith([backend({ pid: 1 })]) });
    await app.waitFor('QUERY');
    await app.press(':', 'l', 'o', 'c', 'k', 's', 'enter');
    await app.waitFor('no session is waiting');
    expect(app.store.getState().ui.screen).toBe('locks');
    await app.press('1');
    await app.waitFor('TIME');
    expect(app.store.getState().ui.screen).toBe('activity');
    await app.press('tab');
    await app.waitFor('WAITS FOR');
    await app.press('shift+tab');
    await app.waitFor('TIME');
    await app.press(':', 'n', 'o', 'p', 'e', 'enter');
    await app.waitFor('unknown command "nope"');
  });

  it('p pauses and resumes, + and - change the interval within its bounds', async () => {
    app = renderApp({ intervalMs: 1000, patch: connectedWith([]) });
    await app.waitFor('every 1s');
    await app.press('p');
    await app.waitFor('PAUSED');
    await app.press('p');
    await app.waitFor((f) => !f.includes('PAUSED'));
    await app.press('+', '+', '+');
    await app.waitFor('every 0.5s');
    await app.press('-', '-');
    await app.waitFor('every 1.5s');
  });

  it('q and Ctrl-C quit', async () => {
    app = renderApp({ patch: connectedWith([]) });
    await app.waitFor('QUERY');
    await app.press('q', 'ctrl+c');
    expect(app.calls.quit).toBe(2);
  });

  it('says when the terminal is smaller than 80x24 and redraws when it grows', async () => {
    app = renderApp({ patch: connectedWith([backend({ pid: 77 })]) });
    await app.waitFor('QUERY');
    await app.resize(70, 20);
    await app.waitFor('at least 80x24; this one is 70x20');
    await app.resize(90, 30);
    await app.waitFor('QUERY');
  });

  it('shows reconnecting with a countdown while the server is away, keeping the last rows', async () => {
    app = renderApp({
      patch: (s) => {
        connectedWith([backend({ pid: 4242 })])(s);
        s.connection.state = 'reconnecting';
        s.connection.retryAt = Date.now() + 3_000;
        s.connection.lastError = 'Connection terminated unexpectedly';
      },
    });
    const frame = await app.waitFor(/reconnecting in [23]s/);
    expect(frame).toContain('Connection terminated unexpectedly');
    expect(frame).toContain('4242');
  });
});
