// What a source is: anything that produces data for the store — a registry
// query (src/db/sources.ts), the backup directory's listing, the checks of a
// tutorial's step, and next the Kubernetes API. A source says how to run
// once, what it needs, how often at most, where its result lands in the
// store and, when it must, what its errors mean; the scheduler
// (scheduler.ts) decides when it runs, and never runs one twice at a time.
import type { PgConnection } from '../db/connection.js';
import type { KubeOperation } from '../model/kube-access.js';
import type { SourceId } from '../model/rows.js';
import type { DataSlice, SourceResult } from '../store/store.js';
import type { Failure, LandedFailure } from './failures.js';

export interface RunContext {
  /** True on the first run since the source became needed, ever or again: a watch starts over, a tutorial prepares its step. */
  resumed: boolean;
  /** Counts one round trip to the server (the refresh's speed budget, store.data.lastRefresh). */
  counted(): void;
}

export interface PgRunContext extends RunContext {
  /** The monitor connection: short timeouts, marked as pgtop's own. */
  session: PgConnection;
}

export interface LandContext {
  /** When the run finished (epoch ms). */
  at: number;
  /**
   * What another source produced in the same refresh, if it ran in it: the
   * header's history sample takes the database size from another query's
   * rows only when they were read with it.
   */
  sameRefresh(id: string): unknown;
}

interface SourceBase<T> {
  /** Its id, as screen definitions name it (src/model/rows.ts lists them). */
  id: string;
  /** What it is, in words: its failures say it ("index usage failed: …"). */
  title: string;
  /** It runs at the refresh interval, or this often at most when that is longer (a tutorial's checks: 3 s). */
  minIntervalMs?: number;
  /**
   * The Kubernetes API operations it makes (src/model/kube-access.ts
   * KUBE_NEEDS): when the permission review says one is denied, the
   * scheduler does not run it and lands why instead ("needs get pods/log in
   * development"), before anything has failed.
   */
  kubeNeeds?: readonly KubeOperation[];
  /**
   * It holds something open between runs (a log follow, a watch): called
   * when it is no longer needed (the user left its screen) and when the
   * scheduler stops, so it lets go.
   */
  release?(): void;
  /** What an error means; by default PostgreSQL's SQLSTATE for a source on the monitor connection, else "failed" (failures.ts). */
  failure?(error: unknown): Failure;
  /**
   * Puts a result into the data slice the refresh writes (one store update
   * per refresh). Absent: the source keeps its result itself (a tutorial's
   * checks live in its own store).
   */
  land?(data: DataSlice, value: T, context: LandContext): void;
  /** Says a failure where the result would be (the last good rows stay). Absent: nothing to say there. */
  landFailure?(data: DataSlice, failure: LandedFailure, context: LandContext): void;
}

/**
 * A source's run as one statement with no parameters, which the scheduler
 * may send with the other due sources' in one round trip (a multi-statement
 * simple query): its SQL, and what its rows give.
 */
export interface BatchStep<T> {
  sql: string;
  finish(rows: readonly Record<string, unknown>[]): T;
}

/** A source that reads on the monitor connection: such sources run one after the other on it, and wait while it reconnects. */
export interface PgSource<T = unknown> extends SourceBase<T> {
  needs: 'pg';
  run(context: PgRunContext): Promise<T>;
  /**
   * Its run as one statement on this connection now, or null when it needs
   * more (a deciding query first, a second step after, parameters): then it
   * runs alone with run(). Absent: always run().
   */
  batch?(session: PgConnection): BatchStep<T> | null;
}

/** A source that needs nothing the scheduler holds (files, its own connection): it runs beside the others. */
export interface LocalSource<T = unknown> extends SourceBase<T> {
  needs: 'nothing';
  run(context: RunContext): Promise<T>;
}

export type Source<T = unknown> = PgSource<T> | LocalSource<T>;

/** Lands rows as a source's result in store.data.results[id]: loaded, now. */
export function landRows(data: DataSlice, id: SourceId, rows: readonly unknown[], at: number): void {
  (data.results as Record<string, SourceResult<unknown>>)[id] = { rows: [...rows], updatedAt: at, error: null, disabled: null };
}

/** Lands a failure as a source's result in store.data.results[id]: the last good rows kept, the failure said, switched off when it is. */
export function landFailedRows(data: DataSlice, id: SourceId, failure: LandedFailure): void {
  const results = data.results as Record<string, SourceResult<unknown> | undefined>;
  const previous = results[id];
  results[id] = {
    rows: previous?.rows ?? [],
    updatedAt: previous?.updatedAt ?? 0,
    error: failure.message,
    disabled: failure.kind === 'degraded' ? failure.disabled : null,
  };
}
