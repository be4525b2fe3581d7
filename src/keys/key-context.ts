// What a key press is handled with: the store, the services keys call, and
// the screens (their views and the commands they offer).
import type { ActionRequest } from '../actions/action.js';
import type { AnyScreenView } from '../render/screen-view.js';
import type { DetailFetch, PgtopStore, ScreenId } from '../store/store.js';
import type { CommandId, ScreenKeys } from './commands.js';

export interface KeyServices {
  quit(): void;
  /** Start an action: its questions, then its confirmation. */
  requestAction(request: ActionRequest, targetKey: string): void;
  /** The answer to the action's question on screen. */
  answerInput(value: string): void;
  confirmAction(): void;
  dismissAction(): void;
  /** Switch to what the confirmation offers instead (its own confirmation follows). */
  switchAction?(): void;
  /** A command a screen's service carries out (the guided session's n, b, Enter…); true when it was taken. */
  screenCommand?(command: CommandId, screen: ScreenId): boolean;
  /** Read what the details just opened need (a statement's whole text) into the store, once. */
  fetchDetail?(request: DetailFetch): void;
}

/** What the dispatcher needs of a screen (its definition in screens/<id>/index.ts). */
export interface KeyScreen {
  id: ScreenId;
  view: AnyScreenView;
  /** The commands it offers besides the global ones. */
  keys: ScreenKeys;
}

export interface KeyContext {
  store: PgtopStore;
  services: KeyServices;
  /** The screens, in the tab bar's order (screens/index.ts). */
  screens: readonly KeyScreen[];
  /** Rows visible in the table: the PgUp/PgDn step. */
  pageSize: number;
  /** The body's size (between the tab bar and the status line): how far long details and results scroll. */
  body: { width: number; height: number };
}

/** A key press: its name ('q', 'enter', 'ctrl+c'…) and the text typed, for text fields. */
export interface KeyPress {
  name: string;
  text: string;
}
