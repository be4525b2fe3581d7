// The keys of the dialogs that take text or an answer: a text field (the
// command line, the filter, an action's question), an action's choice, and
// the confirmation (y/n, or a typed name). What each key means is the
// dialog catalogue's (src/keys/commands.ts DIALOG_COMMANDS).
import { terminalText } from '../render/terminal-text.js';
import { setStatus, setUi, type PgtopState } from '../store/store.js';
import { isDialogKey } from './commands.js';
import type { KeyContext, KeyPress } from './key-context.js';

export interface TextFieldHandlers {
  update(text: string): void;
  submit(text: string): void;
  cancel(): void;
}

export function textField(press: KeyPress, text: string, ctx: KeyContext, on: TextFieldHandlers): void {
  const key = press.name;
  if (isDialogKey('textSubmit', key)) return on.submit(text);
  if (isDialogKey('textCancel', key)) return on.cancel();
  if (isDialogKey('quitAnywhere', key)) return ctx.services.quit();
  if (isDialogKey('textBackspace', key)) return on.update(Array.from(text).slice(0, -1).join(''));
  if (isDialogKey('textClear', key)) return on.update('');
  // Printable text only: arrows and other named keys do not type.
  if (press.text && !/[\u0000-\u001f\u007f]/.test(press.text)) on.update(text + press.text);
}

/** An action's question: type text, or pick a choice with ↑/↓ or its number; Enter answers, Esc drops the action. */
export function formKey(press: KeyPress, ctx: KeyContext, overlay: Extract<PgtopState['ui']['overlay'], { kind: 'form' }>): void {
  const { store, services } = ctx;
  const { field } = overlay.input;
  if (field.kind === 'text') {
    return textField(press, overlay.text, ctx, {
      update: (text) => setUi(store, { overlay: { ...overlay, text } }),
      submit: (text) => services.answerInput(text.trim()),
      cancel: () => services.dismissAction(),
    });
  }
  const choices = field.choices ?? [];
  const pick = (choice: number) => setUi(store, { overlay: { ...overlay, choice: Math.min(Math.max(choice, 0), choices.length - 1) } });
  const key = press.name;
  if (isDialogKey('choiceUp', key)) return pick(overlay.choice - 1);
  if (isDialogKey('choiceDown', key)) return pick(overlay.choice + 1);
  if (isDialogKey('choiceAnswer', key)) {
    const chosen = choices[overlay.choice];
    if (chosen) services.answerInput(chosen.value);
    return;
  }
  if (isDialogKey('choiceCancel', key)) return services.dismissAction();
  if (isDialogKey('quitAnywhere', key)) return services.quit();
  if (isDialogKey('choiceNumber', key) && Number(key) <= choices.length) pick(Number(key) - 1);
}

export function confirmKey(press: KeyPress, ctx: KeyContext, typed: string, expected: string | undefined): void {
  const { store, services } = ctx;
  if (isDialogKey('quitAnywhere', press.name)) return services.quit();
  if (expected === undefined) {
    if (isDialogKey('confirmYes', press.name)) return services.confirmAction();
    if (isDialogKey('confirmNo', press.name)) return services.dismissAction();
    const overlay = store.getState().ui.overlay;
    if (isDialogKey('confirmInstead', press.name) && overlay.kind === 'confirm' && overlay.action.instead) return services.switchAction?.();
    return;
  }
  // Typed confirmation: the exact name, then Enter.
  return textField(press, typed, ctx, {
    update: (text) =>
      store.setState((s) => (s.ui.overlay.kind === 'confirm' ? { ui: { ...s.ui, overlay: { ...s.ui.overlay, typed: text } } } : s)),
    submit: (text) => {
      // As shown, too: a name holding a control character shows (and is typed) as its escape, e.g. \x1b.
      if (text === expected || text === terminalText(expected)) services.confirmAction();
      else setStatus(store, `typed "${text}" is not "${expected}": nothing was run`, 'error');
    },
    cancel: () => services.dismissAction(),
  });
}
