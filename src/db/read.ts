// Running one registry query on a connection, as the scheduler's sources and an on-demand
// read (Enter on a statement) both do: the SQL the planner picks, decided
// again once when it no longer fits (an ALTER EXTENSION … UPDATE since), the
// rows mapped, then the query's second step when it has one (the statements'
// texts, src/db/queries/statements/texts.ts).
import type { PgConnection } from './connection.js';
import type { RawRow } from './queries/row.js';
import type { CompletionStep } from './completion.js';
import { mapRows, QUERIES, type QueryId, type RowOf } from './registry.js';
import { QueryPlanner } from './variants.js';

export interface ReadHooks {
  /** A deciding query ran (pg_stat_statements' status): its rows, for the store. */
  decided?(id: QueryId, rows: unknown[]): void;
  /** One round trip to the server (the speed budget counts them). */
  counted?(): void;
  now?(): number;
}

export async function readQuery<Q extends QueryId>(
  session: PgConnection,
  planner: QueryPlanner,
  id: Q,
  params: readonly unknown[] = [],
  hooks: ReadHooks = {},
): Promise<RowOf<Q>[]> {
  const definition = QUERIES[id] as { complete?(rows: unknown[], step: CompletionStep): Promise<unknown[]> };
  for (let attempt = 0; ; attempt++) {
    const plan = await planner.plan(session, id);
    if (plan.decided) {
      hooks.counted?.();
      hooks.decided?.(plan.decided.id, plan.decided.rows);
    }
    // Cannot run now (pg_stat_statements missing): no rows; the deciding query's rows say why.
    if (plan.sql === null) return [];
    hooks.counted?.();
    let rows: RowOf<Q>[];
    try {
      rows = mapRows(id, (await session.client.query(plan.sql, params.length > 0 ? [...params] : undefined)).rows as RawRow[]);
    } catch (error) {
      if (attempt > 0 || !('variantBy' in QUERIES[id]) || !QueryPlanner.isStale(error)) throw error;
      planner.forget(session, id);
      continue;
    }
    if (!definition.complete) return rows;
    const step: CompletionStep = {
      connection: session,
      run: (other, otherParams) => readQuery(session, planner, other, otherParams, hooks),
      now: hooks.now ?? Date.now,
    };
    return (await definition.complete(rows, step)) as RowOf<Q>[];
  }
}
