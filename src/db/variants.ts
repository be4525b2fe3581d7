// Which SQL a registry query runs on a connection. Most are chosen by the
// server version; a query with `variantBy` is chosen by what another registry
// query reports — pg_stat_statements by the extension version installed in
// this database, since a server upgraded without ALTER EXTENSION … UPDATE
// keeps the old columns (lesovsky/pgcenter#98). That deciding query runs once
// per connection and is remembered on it; it runs again while it says the
// query cannot run (the extension may be created any moment), after
// DECIDER_TTL_MS (an ALTER EXTENSION elsewhere), and when the chosen SQL fails
// on a missing column or relation (the caller forgets, then asks again).
import type { DbSession } from './connection.js';
import { mapRows, QUERIES, sqlFor, type QueryId } from './registry.js';
import { sqlState } from '../errors.js';

export const DECIDER_TTL_MS = 60_000;

export interface QueryPlan {
  /** The SQL to run, or null when the query cannot run now (the deciding query's rows say why). */
  sql: string | null;
  /** Set when a deciding query ran for this plan: its id and mapped rows, for the store. */
  decided?: { id: QueryId; rows: unknown[] };
}

interface Decision {
  variant: number | null;
  at: number;
}

/** The query that decides `id`'s variant, if it is not the server version. */
export function decidingQuery(id: QueryId): QueryId | undefined {
  const by = (QUERIES[id] as { variantBy?: { query: string } }).variantBy;
  return by ? (by.query as QueryId) : undefined;
}

export class QueryPlanner {
  private readonly decisions = new WeakMap<DbSession, Map<QueryId, Decision>>();

  constructor(private readonly now: () => number = Date.now) {}

  async plan(session: DbSession, id: QueryId): Promise<QueryPlan> {
    const by = (QUERIES[id] as { variantBy?: { query: string; variant(row: unknown): number | null } }).variantBy;
    if (!by) return { sql: sqlFor(id, session.serverVersionNum) };
    const deciderId = by.query as QueryId;
    const known = this.decisionsOf(session).get(id);
    if (known && known.variant !== null && this.now() - known.at < DECIDER_TTL_MS) {
      return { sql: sqlFor(id, known.variant) };
    }
    const result = await session.client.query(sqlFor(deciderId, session.serverVersionNum));
    const rows = mapRows(deciderId, result.rows);
    const variant = rows.length > 0 ? by.variant(rows[0]) : null;
    this.decisionsOf(session).set(id, { variant, at: this.now() });
    return { sql: variant === null ? null : sqlFor(id, variant), decided: { id: deciderId, rows } };
  }

  /** Decide again next time: the chosen SQL no longer fits. */
  forget(session: DbSession, id: QueryId): void {
    this.decisionsOf(session).delete(id);
  }

  /** An error that means the decided SQL no longer fits what is installed (a column, relation or function changed). */
  static isStale(error: unknown): boolean {
    return ['42703', '42P01', '42883'].includes(sqlState(error) ?? '');
  }

  private decisionsOf(session: DbSession): Map<QueryId, Decision> {
    let map = this.decisions.get(session);
    if (!map) {
      map = new Map();
      this.decisions.set(session, map);
    }
    return map;
  }
}
