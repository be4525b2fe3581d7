// A query's second step (src/db/registry.ts `complete`): what it may use.
import type { QueryId } from '../model/rows.js';

/** What a query's second step may use: another registry query, run with parameters on the same connection. */
export interface CompletionStep {
  /** The connection: what the step remembers between refreshes is kept per connection. */
  connection: object;
  run(id: QueryId, params: readonly unknown[]): Promise<unknown[]>;
  now(): number;
}
