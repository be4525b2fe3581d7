// The one store (zustand, vanilla). The scheduler and the action runner write
// to it from outside React; hooks subscribe with selectors; screens render.
// Slices: connection (where and how we are connected), data (the latest
// rows per query), ui (screen, cursor, filter, sort, overlays, status line).
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { SourceId, SourceRowOf } from '../model/rows.js';
import type { HeaderRates, HeaderSample } from '../model/header.js';
import type { CurrentInstance } from '../model/instances.js';
import type { KubeAccess } from '../model/kube-access.js';
import type { StatementRef } from '../model/statements.js';
import type { HistorySample } from './history.js';

/**
 * A screen's id: one of the ids of screens/index.ts (the one list of
 * screens). The store holds it as a plain string: which screens there are is
 * the screens' business, not the store's.
 */
export type ScreenId = string;

/** The screen a store starts on when it is not told: the first of the tab bar. */
const FIRST_SCREEN: ScreenId = 'activity';

export type ConnectionState = 'connecting' | 'connected' | 'reconnecting' | 'failed';

export interface ConnectionSlice {
  /** Where the connection goes, as the header shows it ("direct 10.0.0.5:5432"). */
  target: string;
  state: ConnectionState;
  /** When the next reconnect attempt starts (epoch ms), while reconnecting. */
  retryAt: number | null;
  lastError: string | null;
  serverVersion: string | null;
  serverVersionNum: number | null;
  /** Backend pids of pgtop's own connections: marked on screen, never terminated. */
  ownPids: number[];
  /** What pgtop sees between it and the server ("PgBouncer 1.18.0"), found once at connect; null: nothing. */
  pooler: string | null;
  /** Where this target's backups are written and listed (--backup-dir, the target's own, or ~/postgres-backups). */
  backupDir: string | null;
  /** With -k cluster/NAME: the instance pod connections go to now, and whether the user moved there; null otherwise. */
  instance: CurrentInstance | null;
  /** With -k: what RBAC lets pgtop do in the namespace, reviewed when the target resolved (src/k8s/access.ts); null otherwise. */
  kubeAccess: KubeAccess | null;
}

/**
 * What a source last gave, as the scheduler landed it. Its states: loading
 * (no result yet), loaded, failed (`error`, the last good rows kept: a
 * source resting after a timeout says when it tries again), switched off
 * (`disabled`: the role lacks a privilege).
 */
export interface SourceResult<Row> {
  rows: Row[];
  /** Epoch ms of the last successful run. */
  updatedAt: number;
  /** Why the latest run failed, if it did; the rows are the last good ones. */
  error: string | null;
  /** Set when the source was switched off (no privilege), with why. */
  disabled: string | null;
}

export type Results = { [S in SourceId]?: SourceResult<SourceRowOf<S>> };

export interface DataSlice {
  header: HeaderSample | null;
  rates: HeaderRates;
  results: Results;
  /** Server round trips and wall time of the last refresh (for the speed budget). */
  lastRefresh: { queries: number; ms: number } | null;
  /** One sample per refresh for the health screen's charts, oldest first (src/store/history.ts). */
  history: HistorySample[];
  /** The whole text the open details asked for (src/db/detail-text.ts); one at a time. */
  detailText?: DetailText | null;
}

/** A text too long for the list, read whole when its row's details open: a statement's. */
export type DetailText = { key: string } & ({ state: 'loading' } | { state: 'loaded'; text: string } | { state: 'failed'; error: string });

/** What the details of a row ask to be read (a screen's view says it; the services read it). */
export interface DetailFetch {
  /** The row's key: the details show the text only while they show this row. */
  key: string;
  statement: StatementRef;
}

export type StatusKind = 'info' | 'success' | 'error';
export interface StatusLine {
  text: string;
  kind: StatusKind;
}

/** An action waiting for the user's y/n (or typed name) before it runs. */
export interface PendingAction {
  actionId: string;
  /** What the dialog shows: the exact statement that will run and on what. */
  title: string;
  sql: string;
  details: string[];
  targetKey: string;
  /** For typed confirmation: the text the user must type exactly. */
  typeToConfirm?: string;
  /** The statement the confirmation offers instead (confirmInstead's key switches to it). */
  instead?: string;
}

/** A question an action asks before it runs (a new role's profile, a backup's kind): the form dialog shows it. */
export interface InputField {
  key: string;
  label: string;
  kind: 'text' | 'choice';
  /** For 'choice': the options, picked with ↑/↓ or their number. */
  choices?: readonly { value: string; label: string }[];
  initial?: string;
  /** For 'text': shown as dots while typed (passwords). */
  secret?: boolean;
  /** Why the value will not do (shown, the question stays), or null. */
  validate?(value: string): string | null;
}

/** One question of an action's inputs, being answered. */
export interface PendingInput {
  actionTitle: string;
  field: InputField;
  /** Which question this is, and how many there are. */
  position: number;
  count: number;
}

export type Overlay =
  | { kind: 'none' }
  | { kind: 'form'; input: PendingInput; text: string; choice: number }
  /** scroll: the first line shown, when the lines are more than the screen (src/render/overlay-lines.ts). */
  | { kind: 'result'; title: string; lines: string[]; scroll?: number }
  | { kind: 'help' }
  | { kind: 'detail'; key: string; scroll?: number }
  | { kind: 'command'; text: string }
  | { kind: 'filter'; text: string }
  | { kind: 'confirm'; action: PendingAction; typed: string };

export interface Cursor {
  /** Key of the selected row, so the selection follows it when rows reorder. */
  key: string | null;
  index: number;
}

export interface SortState {
  column: string;
  descending: boolean;
}

export interface UiSlice {
  screen: ScreenId;
  paused: boolean;
  intervalMs: number;
  readOnly: boolean;
  cursor: Partial<Record<ScreenId, Cursor>>;
  filter: Partial<Record<ScreenId, string>>;
  sort: Partial<Record<ScreenId, SortState>>;
  /** A screen's second view, when it has one (roles: 'audit'); absent means its first. */
  screenMode?: Partial<Record<ScreenId, string>>;
  overlay: Overlay;
  status: StatusLine | null;
  quitting: boolean;
  /**
   * With -k cluster/NAME: the instance pod the user moved the dashboard to
   * (the replication screen's key), or null to follow the primary. The
   * Kubernetes target carries it out; connection.instance says where it is.
   */
  instancePin: string | null;
}

export interface PgtopState {
  connection: ConnectionSlice;
  data: DataSlice;
  ui: UiSlice;
}

export type PgtopStore = StoreApi<PgtopState>;

export const MIN_INTERVAL_MS = 500;
export const MAX_INTERVAL_MS = 60_000;

export interface StoreOptions {
  target?: string;
  backupDir?: string;
  screen?: ScreenId;
  intervalMs?: number;
  readOnly?: boolean;
}

export function initialState(options: StoreOptions = {}): PgtopState {
  return {
    connection: {
      target: options.target ?? '',
      state: 'connecting',
      retryAt: null,
      lastError: null,
      serverVersion: null,
      serverVersionNum: null,
      ownPids: [],
      pooler: null,
      backupDir: options.backupDir ?? null,
      instance: null,
      kubeAccess: null,
    },
    data: { header: null, rates: { tps: null, cacheHitRatio: null }, results: {}, lastRefresh: null, history: [] },
    ui: {
      screen: options.screen ?? FIRST_SCREEN,
      paused: false,
      intervalMs: options.intervalMs ?? 2_000,
      readOnly: options.readOnly ?? false,
      cursor: {},
      filter: {},
      sort: {},
      overlay: { kind: 'none' },
      status: null,
      quitting: false,
      instancePin: null,
    },
  };
}

/** A fresh store; tests pass partial state to start from. */
export function createPgtopStore(options: StoreOptions = {}, patch?: (state: PgtopState) => void): PgtopStore {
  const state = initialState(options);
  patch?.(state);
  return createStore<PgtopState>()(() => state);
}

// Slice updaters: one place that knows the shape, so writers stay one-liners.
export function setConnection(store: PgtopStore, patch: Partial<ConnectionSlice>): void {
  store.setState((s) => ({ connection: { ...s.connection, ...patch } }));
}

export function setData(store: PgtopStore, patch: Partial<DataSlice>): void {
  store.setState((s) => ({ data: { ...s.data, ...patch } }));
}

export function setUi(store: PgtopStore, patch: Partial<UiSlice>): void {
  store.setState((s) => ({ ui: { ...s.ui, ...patch } }));
}

export function setStatus(store: PgtopStore, text: string, kind: StatusKind = 'info'): void {
  setUi(store, { status: { text, kind } });
}
