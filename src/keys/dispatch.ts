// What a key does, without React: the hook that listens to the terminal
// turns each key press into a name and calls handleKey(). Overlays (confirm,
// command line, filter, help, details) take keys first; otherwise the command
// catalogue decides. Everything changes the store or calls a service; tests drive this
// directly and through the rendered App.
import { clampScroll, DETAIL_CHROME_ROWS, detailFields, detailLines, resultLayout, scrollStep } from '../render/overlay-lines.js';
import { viewColumns, viewSortColumns, type AnyScreenView } from '../render/screen-view.js';
import { moveCursor, selectedIndex, type CursorMove } from '../store/cursor.js';
import { MAX_INTERVAL_MS, MIN_INTERVAL_MS, setStatus, setUi, type PgtopState, type PgtopStore, type ScreenId } from '../store/store.js';
import { bindingForKey, displayKey, isDialogKey, unavailableReason, type CommandId } from './commands.js';
import { confirmKey, formKey, textField } from './dialogs.js';
import type { KeyContext, KeyPress, KeyScreen } from './key-context.js';

export type { KeyContext, KeyPress, KeyScreen, KeyServices } from './key-context.js';

/** The screen of this id, or the first one (the store never holds another, but a test may). */
function screenOf(ctx: KeyContext, id: ScreenId): KeyScreen {
  return ctx.screens.find((s) => s.id === id) ?? ctx.screens[0]!;
}

export function handleKey(press: KeyPress, ctx: KeyContext): void {
  const { store } = ctx;
  const state = store.getState();
  const overlay = state.ui.overlay;
  switch (overlay.kind) {
    case 'form':
      return formKey(press, ctx, overlay);
    case 'result': {
      if (isDialogKey('quitAnywhere', press.name)) return ctx.services.quit();
      // Arrows and pages scroll a result longer than the screen; any other key closes it.
      const { lines: wrapped, visible } = resultLayout(overlay.title, overlay.lines, ctx.body.width, ctx.body.height);
      const lines = wrapped.length;
      const step = lines > visible ? scrollStep(press.name, visible, false) : null;
      if (step === null) setUi(store, { overlay: { kind: 'none' } });
      else setUi(store, { overlay: { ...overlay, scroll: clampScroll((overlay.scroll ?? 0) + step, lines, visible) } });
      return;
    }
    case 'confirm':
      return confirmKey(press, ctx, overlay.typed, overlay.action.typeToConfirm);
    case 'command':
      return textField(press, overlay.text, ctx, {
        update: (text) => setUi(store, { overlay: { kind: 'command', text } }),
        submit: (text) => runCommandLine(text, ctx),
        cancel: () => setUi(store, { overlay: { kind: 'none' } }),
      });
    case 'filter': {
      const screen = state.ui.screen;
      const setFilter = (text: string) => store.setState((s) => ({ ui: { ...s.ui, filter: { ...s.ui.filter, [screen]: text } } }));
      return textField(press, overlay.text, ctx, {
        update: (text) => {
          setFilter(text);
          setUi(store, { overlay: { kind: 'filter', text } });
        },
        submit: () => setUi(store, { overlay: { kind: 'none' } }),
        cancel: () => {
          setFilter('');
          setUi(store, { overlay: { kind: 'none' } });
        },
      });
    }
    case 'help':
      if (isDialogKey('helpClose', press.name)) setUi(store, { overlay: { kind: 'none' } });
      else if (isDialogKey('quitAnywhere', press.name)) ctx.services.quit();
      return;
    case 'detail': {
      if (isDialogKey('detailsClose', press.name)) return setUi(store, { overlay: { kind: 'none' } });
      if (isDialogKey('quitAnywhere', press.name)) return ctx.services.quit();
      const visible = Math.max(1, ctx.body.height - DETAIL_CHROME_ROWS);
      const step = scrollStep(press.name, visible);
      if (step === null) return;
      const lines = detailLines(detailFields(state, screenOf(ctx, state.ui.screen).view, overlay.key), ctx.body.width).length;
      setUi(store, { overlay: { ...overlay, scroll: clampScroll((overlay.scroll ?? 0) + step, lines, visible) } });
      return;
    }
    case 'none':
      break;
  }

  if (press.name === 'escape') {
    if (state.ui.filter[state.ui.screen]) {
      store.setState((s) => ({ ui: { ...s.ui, filter: { ...s.ui.filter, [s.ui.screen]: '' } } }));
    }
    return;
  }
  const current = screenOf(ctx, state.ui.screen);
  const binding = bindingForKey(press.name, current.keys);
  if (!binding) return;
  // A command that cannot succeed (its Kubernetes permission is denied) is refused before any dialog, with the reason.
  const unavailable = unavailableReason(binding, state.connection.kubeAccess);
  if (unavailable) return setStatus(store, `${displayKey(press.name)} ${binding.hint ?? binding.command} is unavailable: ${unavailable}`, 'error');
  // An action of the screen's (c, K, v, b, t…): the view says what it aims at, the runner does the rest.
  if (current.view.actions?.[binding.command]) return startAction(binding.command, ctx);
  // A key of the screen's own (a view toggle): the view says what changes.
  const own = current.view.commands?.[binding.command];
  if (own) {
    const result = own(state);
    if (result.ui) setUi(store, result.ui);
    if (result.status) setStatus(store, result.status);
    return;
  }
  if (ctx.services.screenCommand?.(binding.command, state.ui.screen)) return;
  runCommand(binding.command, press, ctx);
}

/** A key that changes the server: the screen says what it aims at, the runner does the rest. */
function startAction(command: CommandId, ctx: KeyContext): void {
  const { store } = ctx;
  const state = store.getState();
  const view = screenOf(ctx, state.ui.screen).view;
  const make = view.actions?.[command];
  if (!make) return;
  const row = selectedRow(state, state.ui.screen, view);
  const request = make(row, state);
  if (!request) return setStatus(store, 'nothing selected to act on', 'error');
  ctx.services.requestAction(request, row === undefined ? '' : view.rowKey(row));
}

/** The commands the dispatcher itself carries out on any screen (runCommand); the rest are a screen's actions, view toggles or service. */
export const DISPATCHER_COMMANDS: ReadonlySet<CommandId> = new Set<CommandId>([
  'quit', 'help', 'commandLine', 'filter', 'up', 'down', 'pageUp', 'pageDown', 'top', 'bottom', 'details',
  'sortNext', 'sortReverse', 'pause', 'faster', 'slower', 'nextScreen', 'previousScreen', 'gotoScreen',
]);

function runCommand(command: CommandId, press: KeyPress, ctx: KeyContext): void {
  const { store } = ctx;
  const state = store.getState();
  const screen = state.ui.screen;
  const view = screenOf(ctx, screen).view;
  const move = (m: CursorMove) => moveCursor(store, screen, view.rows(store.getState()).map(view.rowKey), m);
  switch (command) {
    case 'quit':
      return ctx.services.quit();
    case 'help':
      return setUi(store, { overlay: { kind: 'help' } });
    case 'commandLine':
      return setUi(store, { overlay: { kind: 'command', text: '' } });
    case 'filter':
      return setUi(store, { overlay: { kind: 'filter', text: state.ui.filter[screen] ?? '' } });
    case 'up':
      return move(-1);
    case 'down':
      return move(1);
    case 'pageUp':
      return move(-Math.max(1, ctx.pageSize));
    case 'pageDown':
      return move(Math.max(1, ctx.pageSize));
    case 'top':
      return move('top');
    case 'bottom':
      return move('bottom');
    case 'details': {
      const row = selectedRow(state, screen, view);
      if (row === undefined) return;
      setUi(store, { overlay: { kind: 'detail', key: view.rowKey(row) } });
      const fetch = view.detailFetch?.(row);
      if (fetch) ctx.services.fetchDetail?.(fetch);
      return;
    }
    case 'sortNext':
    case 'sortReverse':
      return sort(command, ctx, screen, view);
    case 'pause':
      setUi(store, { paused: !state.ui.paused });
      return setStatus(store, state.ui.paused ? 'refreshing resumed' : 'refreshing paused: p resumes');
    case 'faster':
    case 'slower': {
      const step = command === 'faster' ? -500 : 500;
      const intervalMs = Math.min(MAX_INTERVAL_MS, Math.max(MIN_INTERVAL_MS, state.ui.intervalMs + step));
      setUi(store, { intervalMs });
      return setStatus(store, `refresh every ${intervalMs / 1000} s`);
    }
    case 'nextScreen':
    case 'previousScreen': {
      const ids = ctx.screens.map((s) => s.id);
      const i = ids.indexOf(screen);
      const n = ids.length;
      return goTo(store, ids[(i + (command === 'nextScreen' ? 1 : n - 1)) % n]!);
    }
    case 'gotoScreen': {
      const target = ctx.screens[Number(press.name) - 1];
      if (target) goTo(store, target.id);
      return;
    }
    default:
      // Dangerous commands (actions) go through startAction.
      return;
  }
}

export function selectedRow(state: PgtopState, screen: ScreenId, view: AnyScreenView): unknown {
  const rows = view.rows(state);
  const index = selectedIndex(state, screen, rows.map(view.rowKey));
  return index >= 0 ? rows[index] : undefined;
}

function sort(command: 'sortNext' | 'sortReverse', ctx: KeyContext, screen: ScreenId, view: AnyScreenView): void {
  const columns = viewSortColumns(view, ctx.store.getState());
  if (!columns?.length) return;
  const current = ctx.store.getState().ui.sort[screen] ?? view.defaultSort ?? { column: columns[0]!, descending: true };
  const next =
    command === 'sortReverse'
      ? { ...current, descending: !current.descending }
      : { column: columns[(columns.indexOf(current.column) + 1) % columns.length]!, descending: current.descending };
  ctx.store.setState((s) => ({ ui: { ...s.ui, sort: { ...s.ui.sort, [screen]: next } } }));
  const title = viewColumns(view, ctx.store.getState()).find((c) => c.id === next.column)?.title ?? next.column;
  setStatus(ctx.store, `sorted by ${title} ${next.descending ? '↓' : '↑'}`);
}

function goTo(store: PgtopStore, screen: ScreenId): void {
  setUi(store, { screen, overlay: { kind: 'none' } });
}

/** `:locks`, `:q`, `:help`: the command line. */
function runCommandLine(text: string, ctx: KeyContext): void {
  const { store } = ctx;
  const word = text.trim().replace(/^:/, '').toLowerCase();
  setUi(store, { overlay: { kind: 'none' } });
  if (!word) return;
  if (word === 'q' || word === 'quit' || word === 'q!') return ctx.services.quit();
  if (word === 'help' || word === '?') return setUi(store, { overlay: { kind: 'help' } });
  const ids = ctx.screens.map((s) => s.id);
  const match = ids.includes(word) ? word : ids.find((id) => id.startsWith(word));
  if (match) return goTo(store, match);
  setStatus(store, `unknown command "${word}": try ${ids.join(', ')}, help or q`, 'error');
}
