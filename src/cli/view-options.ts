// How the dashboard runs, for `pgtop` and `pgtop learn` alike: the refresh
// interval, --read-only and colour.
import type { Command } from 'commander';
import { UsageError } from '../errors.js';
import { MIN_INTERVAL_MS } from '../store/store.js';

export interface ViewOptions {
  intervalMs: number;
  readOnly: boolean;
  color: boolean;
}

/** The view options as commander returns them. */
export interface ViewFlags {
  interval: string;
  readOnly?: boolean;
  color: boolean;
}

export function addViewOptions(command: Command): Command {
  return command
    .option('-i, --interval <seconds>', 'refresh interval in seconds (minimum 0.5)', '2')
    .option('--read-only', 'refuse every action that changes the server')
    .option('--no-color', 'no colours (also NO_COLOR)');
}

export function viewOptions(o: ViewFlags, env: NodeJS.ProcessEnv): ViewOptions {
  const seconds = Number(o.interval);
  if (!Number.isFinite(seconds) || seconds * 1000 < MIN_INTERVAL_MS) {
    throw new UsageError(`invalid --interval "${o.interval}": give seconds, at least ${MIN_INTERVAL_MS / 1000}`);
  }
  return { intervalMs: Math.round(seconds * 1000), readOnly: !!o.readOnly, color: o.color && !env.NO_COLOR };
}
