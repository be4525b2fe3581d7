// Which SQL a registry query runs on a connection. Most are chosen by the
// server version; a query with `variantBy` is chosen by what another registry
// query reports — pg_stat_statements by the extension version installed in
// this database, since a server upgraded without ALTER EXTENSION … UPDATE
// keeps the old columns (lesovsky/pgcenter#98). That deciding query runs once
// per connection and is remembered on it; it runs again while it says the
// query cannot run (the extension may be created any moment), after
// DECIDER_TTL_MS (an ALTER EXTENSION elsewhere), and when the chosen SQL fails
// on a missing column or relation (the caller forgets, then asks again).
// Queries decided by the same query share its answer (the statements list and
// the statement texts ask pg_stat_statements' status once between them).
// An extension's objects are named with the schema it is installed in, never
// found through search_path (which holds only pg_catalog and pg_temp): the SQL
// says @extschema@, as extension scripts do, and the deciding row gives the
// schema, quoted here.
import type { PgConnection } from './connection.js';
import type { RawRow } from './queries/row.js';
import { mapRows, QUERIES, sqlFor, type QueryId } from './registry.js';
import { sqlState } from '../errors.js';
import { quoteIdent } from '../sql/quote.js';

/** Where SQL names the schema of the extension it reads. */
export const EXTENSION_SCHEMA = '@extschema@';

export const DECIDER_TTL_MS = 60_000;

export interface QueryPlan {
  /** The SQL to run, or null when the query cannot run now (the deciding query's rows say why). */
  sql: string | null;
  /** Set when a deciding query ran for this plan: its id and mapped rows, for the store. */
  decided?: { id: QueryId; rows: unknown[] };
}

interface Decision {
  /** The deciding query's first row; undefined when it returned none. */
  row: unknown;
  at: number;
}

interface VariantBy {
  query: string;
  variant(row: unknown): number | null;
  schema?(row: unknown): string | null;
}

function variantByOf(id: QueryId): VariantBy | undefined {
  return (QUERIES[id] as { variantBy?: VariantBy }).variantBy;
}

/** The query that decides `id`'s variant, if it is not the server version. */
export function decidingQuery(id: QueryId): QueryId | undefined {
  return variantByOf(id)?.query as QueryId | undefined;
}

/** The SQL with the extension's schema in place of @extschema@, quoted; null when the SQL needs a schema and there is none. */
export function withExtensionSchema(sql: string, schema: string | null | undefined): string | null {
  if (!sql.includes(EXTENSION_SCHEMA)) return sql;
  return schema ? sql.replaceAll(EXTENSION_SCHEMA, quoteIdent(schema)) : null;
}

export class QueryPlanner {
  /** Per connection, per deciding query: its answer. */
  private readonly decisions = new WeakMap<PgConnection, Map<QueryId, Decision>>();

  constructor(private readonly now: () => number = Date.now) {}

  async plan(session: PgConnection, id: QueryId): Promise<QueryPlan> {
    const by = variantByOf(id);
    if (!by) return { sql: sqlFor(id, session.serverVersionNum) };
    const deciderId = by.query as QueryId;
    const planFrom = (row: unknown): string | null => {
      const variant = row === undefined ? null : by.variant(row);
      return variant === null ? null : withExtensionSchema(sqlFor(id, variant), row === undefined ? null : by.schema?.(row));
    };
    const known = this.decisionsOf(session).get(deciderId);
    if (known && this.now() - known.at < DECIDER_TTL_MS) {
      const sql = planFrom(known.row);
      if (sql !== null) return { sql };
    }
    const result = await session.client.query(sqlFor(deciderId, session.serverVersionNum));
    const rows = mapRows(deciderId, result.rows as RawRow[]);
    this.decisionsOf(session).set(deciderId, { row: rows[0], at: this.now() });
    return { sql: planFrom(rows[0]), decided: { id: deciderId, rows } };
  }

  /** Decide again next time: the chosen SQL no longer fits. */
  forget(session: PgConnection, id: QueryId): void {
    const decider = decidingQuery(id);
    if (decider) this.decisionsOf(session).delete(decider);
  }

  /** An error that means the decided SQL no longer fits what is installed (a column, relation or function changed). */
  static isStale(error: unknown): boolean {
    return ['42703', '42P01', '42883'].includes(sqlState(error) ?? '');
  }

  private decisionsOf(session: PgConnection): Map<QueryId, Decision> {
    let map = this.decisions.get(session);
    if (!map) {
      map = new Map();
      this.decisions.set(session, map);
    }
    return map;
  }
}
