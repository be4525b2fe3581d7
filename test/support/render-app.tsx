// Renders the whole App (or one screen) the way pgtop does, around a fresh
// store holding partial fake state, with services that record what keys
// asked for. Helpers wait for React to flush before the next key.
import { render } from 'ink-testing-library';
import { App, loadScreenComponents } from '../../screens/App.js';
import type { ScreenDefinition } from '../../screens/definition.js';
import { SCREEN_ORDER } from '../../screens/index.js';
import type { ActionRequest } from '../../src/actions/action.js';
import { ActionRunner } from '../../src/actions/runner.js';
import type { PgConnection } from '../../src/db/connection.js';
import type { KeyServices } from '../../src/keys/dispatch.js';
import { DetailTextReader, type ReadStatementTexts } from '../../src/db/detail-text.js';
import type { LearnController } from '../../src/learn/controller.js';
import { createPgtopStore, type PgtopState, type PgtopStore, type StoreOptions } from '../../src/store/store.js';

export interface RenderedApp {
  store: PgtopStore;
  /** What keys call: tests may start an action directly, as a key would. */
  services: KeyServices;
  calls: { quit: number; requested: { actionId: string; target: unknown }[] };
  /** The last frame, ANSI codes removed. */
  frame(): string;
  /** The last frame exactly as it would reach the terminal (styles and anything else in it). */
  rawFrame(): string;
  /** Types keys; names per tmux-like helpers: 'enter', 'escape', 'up', 'down', 'tab' or literal text. */
  press(...keys: string[]): Promise<void>;
  waitFor(test: string | RegExp | ((frame: string) => boolean), timeoutMs?: number): Promise<string>;
  resize(columns: number, rows: number): Promise<void>;
  unmount(): void;
}

/** The screens' own components, loaded once as pgtop loads them before its first frame. */
const COMPONENTS = await loadScreenComponents(SCREEN_ORDER);

const KEY_CODES: Record<string, string> = {
  enter: '\r',
  escape: '\u001b',
  up: '\u001b[A',
  down: '\u001b[B',
  pageup: '\u001b[5~',
  pagedown: '\u001b[6~',
  home: '\u001b[H',
  end: '\u001b[F',
  tab: '\t',
  'shift+tab': '\u001b[Z',
  backspace: '\u007f',
  'ctrl+c': '\u0003',
};

 
const ANSI = /\u001b\[[0-9;?]*[A-Za-z]/g;
const tick = () => new Promise((resolve) => setTimeout(resolve, 15));

export interface RenderOptions extends StoreOptions {
  patch?: (state: PgtopState) => void;
  color?: boolean;
  /** Run actions for real against this session opener; default: a runner whose connection fails. */
  openActionSession?: () => Promise<PgConnection>;
  /** The guided session the learn screen draws (a real controller, or a stand-in with its state). */
  learn?: LearnController;
  /** What Enter's reads (a statement's whole text) run on: the real scheduler's read(), or a fake; default: they fail. */
  readStatementTexts?: ReadStatementTexts;
  /** The screens, when not pgtop's own list (a test adds a screen the way the recipe says). */
  screens?: readonly ScreenDefinition[];
}

export function renderApp(options: RenderOptions = {}): RenderedApp {
  const store = createPgtopStore({ target: 'direct 127.0.0.1:5432', ...options }, options.patch);
  const calls: RenderedApp['calls'] = { quit: 0, requested: [] };
  const runner = new ActionRunner(store, options.openActionSession ?? (() => Promise.reject(new Error('no server in this test'))));
  const services: KeyServices = {
    quit: () => {
      calls.quit += 1;
    },
    requestAction(request: ActionRequest, key: string) {
      calls.requested.push({ actionId: request.spec.id, target: request.target });
      runner.request(request, key);
    },
    answerInput: (value) => runner.answer(value),
    confirmAction: () => void runner.confirm(),
    dismissAction: () => runner.dismiss(),
    fetchDetail: (request) => detailTexts.request(request),
  };
  const detailTexts = new DetailTextReader(store, options.readStatementTexts ?? (() => Promise.reject(new Error('no server in this test'))));
  // A screen a test adds is a table screen (it has no component of its own to load).
  const screens = options.screens ?? SCREEN_ORDER;
  const instance = render(<App store={store} services={services} color={options.color ?? false} learn={options.learn} screens={screens} components={COMPONENTS} />);
  const rawFrame = () => instance.lastFrame() ?? '';
  const frame = () => rawFrame().replace(ANSI, '');
  let size = { columns: 100, rows: 24 };
  Object.defineProperty(instance.stdout, 'columns', { get: () => size.columns, configurable: true });
  Object.defineProperty(instance.stdout, 'rows', { get: () => size.rows, configurable: true });
  return {
    store,
    services,
    calls,
    frame,
    rawFrame,
    async press(...keys) {
      for (const key of keys) {
        instance.stdin.write(KEY_CODES[key] ?? key);
        await tick();
      }
    },
    async waitFor(test, timeoutMs = 2_000) {
      const matches = (f: string) => (typeof test === 'function' ? test(f) : typeof test === 'string' ? f.includes(test) : test.test(f));
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const f = frame();
        if (matches(f)) return f;
        if (Date.now() > deadline) throw new Error(`the screen never showed ${String(test)}; last frame:\n${f}`);
        await tick();
      }
    },
    async resize(columns, rows) {
      size = { columns, rows };
      instance.stdout.emit('resize');
      await tick();
    },
    unmount: () => instance.unmount(),
  };
}
