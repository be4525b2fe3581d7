// The query registry as the scheduler's sources. Each registry query is a
// source on the monitor connection: the SQL the planner picks for this
// server, the rows mapped, then the query's second step when it has one (the
// statements' texts, src/db/queries/statements/texts.ts); its rows land in
// store.data.results under its id, and so do the rows of a query that
// decided its SQL (pg_stat_statements' status). The header is a source too:
// it lands as the header, its rates and one history sample. One planner
// serves them all and the reads the user asks for (a statement's whole text).
import { headerRates, type HeaderRates, type HeaderSample } from '../model/header.js';
import { landFailedRows, landRows, type BatchStep, type PgSource } from '../scheduler/source.js';
import { appendSample } from '../store/history.js';
import type { DataSlice } from '../store/store.js';
import type { PgConnection } from './connection.js';
import { readQuery } from './read.js';
import type { RawRow } from './queries/row.js';
import { mapRows, QUERIES, sqlFor, type QueryId, type RowOf } from './registry.js';
import { QueryPlanner } from './variants.js';

/** What one run of a registry query gives. */
export interface QueryValue<Q extends QueryId> {
  rows: RowOf<Q>[];
}

interface HeaderValue {
  sample: HeaderSample;
  rates: HeaderRates;
}

export class RegistrySources {
  /** Picks each query's SQL: by server version, or by what a deciding query says (pg_stat_statements). */
  private readonly planner = new QueryPlanner();
  readonly sources: readonly PgSource[] = (Object.keys(QUERIES) as QueryId[]).map((id) => (id === 'header' ? this.header() : this.query(id)));

  /** Runs one registry query with these parameters now, for a read the user asked for (the scheduler's onMonitor gives the connection). */
  read<Q extends QueryId>(session: PgConnection, id: Q, params: readonly unknown[]): Promise<RowOf<Q>[]> {
    return readQuery(session, this.planner, id, params);
  }

  /**
   * The query as one statement for the refresh's single round trip: only a
   * query chosen by the server version alone, with no second step (the
   * statements list asks pg_stat_statements' status first and reads texts
   * after: it runs alone).
   */
  private static batchSql(id: QueryId, session: PgConnection): string | null {
    const definition = QUERIES[id] as { variantBy?: unknown; complete?: unknown };
    if (definition.variantBy || definition.complete) return null;
    // A line comment at the end would swallow the separator: statements are joined on lines of their own.
    return `${sqlFor(id, session.serverVersionNum).trimEnd()}\n`;
  }

  private query<Q extends QueryId>(id: Q): PgSource<QueryValue<Q>> {
    // The deciding query's rows of the run being landed (none run at once: the scheduler never overlaps a source with itself).
    let decided: [QueryId, unknown[]][] = [];
    const landDecided = (data: DataSlice, at: number) => {
      for (const [decider, rows] of decided) landRows(data, decider, rows, at);
    };
    return {
      id,
      title: QUERIES[id].title,
      needs: 'pg',
      run: async ({ session, counted }) => {
        decided = [];
        const rows = await readQuery(session, this.planner, id, [], { counted, decided: (decider, rows) => decided.push([decider, rows]) });
        return { rows };
      },
      batch: (session): BatchStep<QueryValue<Q>> | null => {
        const sql = RegistrySources.batchSql(id, session);
        if (sql === null) return null;
        return {
          sql,
          finish: (rows) => {
            decided = [];
            return { rows: mapRows(id, rows as RawRow[]) };
          },
        };
      },
      land: (data, value, context) => {
        landDecided(data, context.at);
        landRows(data, id, value.rows, context.at);
      },
      landFailure: (data, failure, context) => {
        landDecided(data, context.at);
        landFailedRows(data, id, failure);
      },
    };
  }

  /** The server summary: the header, its rates since the last sample, and a sample for the health screen's charts. */
  private header(): PgSource<HeaderValue | null> {
    let previous: { session: PgConnection; sample: HeaderSample } | null = null;
    const valueOf = (session: PgConnection, sample: HeaderSample | undefined): HeaderValue | null => {
      if (!sample) return null;
      // Rates are since the last sample on this connection: a new one may reach a restarted server, or another pod.
      const rates = headerRates(previous?.session === session ? previous.sample : null, sample);
      previous = { session, sample };
      return { sample, rates };
    };
    return {
      id: 'header',
      title: QUERIES.header.title,
      needs: 'pg',
      run: async ({ session, counted }) => {
        const [sample] = await readQuery(session, this.planner, 'header', [], { counted });
        return valueOf(session, sample);
      },
      batch: (session) => {
        const sql = RegistrySources.batchSql('header', session);
        return sql === null ? null : { sql, finish: (rows) => valueOf(session, mapRows('header', rows as RawRow[])[0]) };
      },
      // A failure says nothing here: the header keeps its last sample, and a lost connection says itself.
      land: (data, value, context) => {
        if (!value) return;
        const { sample, rates } = value;
        // The database's size is costly to read: measured only by the health query, in the same refresh.
        const health = context.sameRefresh('health') as QueryValue<'health'> | undefined;
        data.header = sample;
        data.rates = rates;
        data.history = appendSample(data.history, {
          at: sample.sampledAt * 1000,
          tps: rates.tps,
          connections: sample.connections,
          cacheHitRatio: rates.cacheHitRatio,
          databaseBytes: health?.rows[0]?.databaseBytes ?? null,
        });
      },
    };
  }
}
