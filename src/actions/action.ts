// An action is the only thing in pgtop that changes a server (or the backup
// directory). Each is one spec: what it asks first (inputs), what the
// confirmation shows (the exact statement or command), when it must be
// refused, and how it runs. The runner (runner.ts) drives every spec the
// same way: inputs → confirmation → run → outcome in the status line.
import type { InputField } from '../store/store.js';
import type { ClientBase } from 'pg';
import type { ActionEnvironment } from './environment.js';

export interface ActionContext {
  ownPids: ReadonlySet<number>;
}

/** Why an action that writes cannot run on a standby: said before the confirmation, never after it. */
export function standbyRefusal(what: string): string {
  return `standby (in recovery, read-only): ${what.replace(/;$/, '')} runs on the primary only`;
}

export type InputValues = Readonly<Record<string, string>>;

export interface ActionRunContext {
  /** The actions connection, opened on first use (never the monitor's). */
  client(): Promise<ClientBase>;
  /**
   * For an action marked onMonitor: runs on the monitor connection pgtop
   * already holds (queued behind a refresh in flight), so it needs no free
   * connection slot; the actions connection where there is no monitor.
   */
  onMonitor<T>(run: (client: ClientBase) => Promise<T>): Promise<T>;
  /** Progress in the status line while the action runs ("12.3 MB, 8.1 MB/s"). */
  progress(text: string): void;
  env: ActionEnvironment;
  /** What the user typed to confirm, when the confirmation asked for a typed name and it matched (the runner checks it); else undefined. */
  typed?: string;
}

/** What an action reports: a line for the status line, and optionally a box the user dismisses (a generated password shown once, a restore report). */
export interface ActionOutcome {
  message: string;
  detail?: { title: string; lines: string[] };
}

export interface ActionSpec<Target> {
  id: string;
  /** 'confirm': y/n. 'typed': the user types `typeToConfirm` exactly (VACUUM FULL, DROP…), or y/n where it gives nothing for this target. */
  danger: 'confirm' | 'typed';
  /** False for an action that only reads (verifying a backup): it runs under --read-only too. Default: it changes the server. */
  changesServer?: false;
  /**
   * Runs on a server in recovery too (cancel, terminate, dropping a slot,
   * pg_dump, files). Without it an action that changes the server is refused
   * on a standby (standbyRefusal), before anything is asked.
   */
  runsOnStandby?: true;
  /**
   * True for a statement that returns at once (cancel, terminate): it runs on
   * the monitor connection (context.onMonitor), so it works when the server
   * has no free slot, and behind a pooler with pgtop's guards.
   */
  onMonitor?: true;
  /** What the confirmation offers instead, and why (a cancel of a session idle in transaction offers terminate). */
  instead?(target: Target, values: InputValues): { spec: ActionSpec<Target>; why: string } | null;
  /** Asked again after each answer with the answers so far, so a question can depend on an earlier one (a table only for a one-table backup). */
  inputs?(target: Target, values: InputValues): InputField[];
  title(target: Target, values: InputValues): string;
  /** The statement or command as it will run, shown before the user agrees. */
  sql(target: Target, values: InputValues): string;
  details(target: Target, values: InputValues): string[];
  typeToConfirm?(target: Target, values: InputValues): string | undefined;
  /** Why this action must not run on this target, if it must not. */
  refuse?(target: Target, context: ActionContext): string | null;
  /** Runs it; resolves to the outcome, throws with the server's error. */
  run(context: ActionRunContext, target: Target, values: InputValues): Promise<string | ActionOutcome>;
}

/** An action aimed at something: what a key asks the runner to do. */
export interface ActionRequest<Target = unknown> {
  spec: ActionSpec<Target>;
  target: Target;
}

export function actionRequest<Target>(spec: ActionSpec<Target>, target: Target): ActionRequest {
  return { spec, target };
}

export type { InputField };
