// An action is the only thing in pgtop that changes a server. Each is one
// spec: what the confirmation shows (the exact statement), when it must be
// refused, and how it runs on the actions connection.
import type { ClientBase } from 'pg';

export interface ActionContext {
  ownPids: ReadonlySet<number>;
}

export interface ActionSpec<Target> {
  id: string;
  /** 'confirm': y/n. 'typed': the user types `typeToConfirm(target)` exactly. */
  danger: 'confirm' | 'typed';
  title(target: Target): string;
  /** The statement as it will run, shown before the user agrees. */
  sql(target: Target): string;
  details(target: Target): string[];
  typeToConfirm?(target: Target): string;
  /** Why this action must not run on this target, if it must not. */
  refuse?(target: Target, context: ActionContext): string | null;
  /** Runs it; resolves to the success line, throws with the server's error. */
  run(client: ClientBase, target: Target): Promise<string>;
}
