// The refresh loop, without React. Every interval it runs the header query
// and the queries of the visible screen — nothing else — on the monitor
// connection, and writes the rows to the store. Polls never overlap (the next
// is scheduled when the last has finished). When the connection is lost it
// says so and reconnects with backoff, keeping the last rows on screen. A
// query the role may not run (42501) is switched off and says why; one that
// times out (57014) rests for a while before it is tried again. Besides the
// refresh, read() runs one query the user asked for (a statement's whole
// text, on Enter) on the same connection.
import type { PgConnection } from '../db/connection.js';
import { headerRates, type HeaderSample } from '../model/header.js';
import { QUERIES, type QueryId, type RowOf } from '../db/registry.js';
import { readQuery } from '../db/read.js';
import { QueryPlanner } from '../db/variants.js';
import { oneLine, PgtopError, sqlState } from '../errors.js';
import { appendSample } from '../store/history.js';
import { backoffDelay, type BackoffOptions } from '../scheduler/backoff.js';
import { setConnection, setData, type PgtopState, type PgtopStore, type Results, type SourceResult, type ScreenId } from '../store/store.js';

export interface PollerOptions {
  store: PgtopStore;
  /** Opens the monitor connection (the first one may be handed in already open). */
  connect(): Promise<PgConnection>;
  /** The queries a screen needs besides the header (some depend on the screen's mode). */
  queriesFor(screen: ScreenId, state: PgtopState): readonly QueryId[];
  initialSession?: PgConnection;
  /** Backoff schedule; tests shorten it. */
  backoff?: BackoffOptions;
  random?: () => number;
}

const TIMEOUT_REST_MS = 30_000;

/** SQLSTATE classes and node errors that mean the connection itself is gone. */
function isConnectionLoss(error: unknown, session: PgConnection | null): boolean {
  if (session && !session.isAlive()) return true;
  const code = sqlState(error) ?? '';
  if (code.startsWith('08') || code === '57P01' || code === '57P02' || code === '57P03') return true;
  if (['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT'].includes(code)) return true;
  return /Connection terminated|not queryable|Client has encountered a connection error/i.test(String((error as Error)?.message));
}

export class Poller {
  private session: PgConnection | null;
  private timer: NodeJS.Timeout | null = null;
  private running = false;
  /** start() schedules polls; without it, only explicit tick() calls poll (--once, tests). */
  private started = false;
  private closed = false;
  private rerunRequested = false;
  private attempt = 0;
  private previousHeader: HeaderSample | null = null;
  private readonly restingUntil = new Map<QueryId, number>();
  private readonly disabled = new Map<QueryId, string>();
  private unsubscribe: (() => void) | null = null;
  private monitorPid: number | null = null;
  /** Picks each query's SQL: by server version, or by what a deciding query says (pg_stat_statements). */
  private readonly planner = new QueryPlanner();
  private firstDone: () => void = () => undefined;
  /** Settles when the first refresh has finished (rows in the store, or the reason there are none). */
  readonly firstRefresh = new Promise<void>((resolve) => (this.firstDone = resolve));

  constructor(private readonly options: PollerOptions) {
    this.session = options.initialSession ?? null;
    if (this.session) this.markConnected(this.session);
  }

  start(): void {
    if (this.started || this.closed) return;
    this.started = true;
    // A screen change, a resume or a new interval polls at once.
    this.unsubscribe = this.options.store.subscribe((state, previous) => {
      const ui = state.ui;
      const was = previous.ui;
      const modeChanged = ui.screenMode?.[ui.screen] !== was.screenMode?.[ui.screen];
      if (ui.screen !== was.screen || modeChanged || (was.paused && !ui.paused) || ui.intervalMs !== was.intervalMs) this.refreshNow();
    });
    void this.tick();
  }

  /** Poll now, or as soon as the poll in flight has finished. */
  refreshNow(): void {
    if (!this.started || this.closed) return;
    if (this.running) {
      this.rerunRequested = true;
      return;
    }
    this.clearTimer();
    void this.tick();
  }

  async stop(): Promise<void> {
    this.closed = true;
    this.clearTimer();
    this.unsubscribe?.();
    this.unsubscribe = null;
    const session = this.session;
    this.session = null;
    await session?.close();
  }

  /** One refresh; resolves when done. Exposed for tests and --once. */
  async tick(): Promise<void> {
    if (this.running) return;
    this.running = true;
    let delay = this.options.store.getState().ui.intervalMs;
    try {
      const { ui } = this.options.store.getState();
      if (!ui.paused) {
        if (!this.session) await this.reconnect();
        if (this.session) await this.pollOnce(this.session, ui.screen);
        if (!this.session) delay = this.retryDelay();
      }
    } finally {
      this.running = false;
      this.firstDone();
      if (this.started && !this.closed) {
        if (this.rerunRequested) {
          this.rerunRequested = false;
          delay = 0;
        }
        this.schedule(delay);
      }
    }
  }

  private async pollOnce(session: PgConnection, screen: ScreenId): Promise<void> {
    const started = Date.now();
    const state = this.options.store.getState();
    const wanted: QueryId[] = ['header', ...this.options.queriesFor(screen, state)];
    const results: Results = { ...state.data.results };
    const counter = { queries: 0 };
    let header: HeaderSample | null = null;
    for (const id of wanted) {
      if (this.disabled.has(id) || (this.restingUntil.get(id) ?? 0) > Date.now()) continue;
      try {
        const rows = await this.runQuery(session, id, results, counter);
        if (id === 'header') header = (rows[0] as HeaderSample | undefined) ?? null;
        else (results as Record<string, SourceResult<unknown>>)[id] = { rows, updatedAt: Date.now(), error: null, disabled: null };
      } catch (error) {
        if (isConnectionLoss(error, session)) {
          this.lose(session, error);
          return;
        }
        this.degrade(id, error, results);
      }
    }
    const store = this.options.store;
    const { queries } = counter;
    if (header) {
      const rates = headerRates(this.previousHeader, header);
      setData(store, {
        header,
        rates,
        results,
        lastRefresh: { queries, ms: Date.now() - started },
        history: appendSample(store.getState().data.history, {
          at: header.sampledAt * 1000,
          tps: rates.tps,
          connections: header.connections,
          cacheHitRatio: rates.cacheHitRatio,
          // Measured only while the health screen polls it this refresh.
          databaseBytes: wanted.includes('health') ? (results.health?.rows[0]?.databaseBytes ?? null) : null,
        }),
      });
      this.previousHeader = header;
    } else {
      setData(store, { results, lastRefresh: { queries, ms: Date.now() - started } });
    }
  }

  /**
   * Runs one query with the SQL the planner picks (src/db/read.ts). A deciding
   * query that ran (pg_stat_statements' status) lands in the results too.
   */
  private runQuery(session: PgConnection, id: QueryId, results: Results, counter: { queries: number }): Promise<unknown[]> {
    return readQuery(session, this.planner, id, [], {
      counted: () => {
        counter.queries += 1;
      },
      decided: (decider, rows) => {
        (results as Record<string, SourceResult<unknown>>)[decider] = { rows, updatedAt: Date.now(), error: null, disabled: null };
      },
    });
  }

  /**
   * Runs one registry query now, on the monitor connection and its short
   * statement timeout, for a read the user asked for (a statement's whole
   * text when its details open). It queues behind a refresh in flight.
   */
  async read<Q extends QueryId>(id: Q, params: readonly unknown[]): Promise<RowOf<Q>[]> {
    const session = this.session;
    if (!session || !session.isAlive()) throw new PgtopError('not connected to the server now: it is reconnecting');
    return readQuery(session, this.planner, id, params);
  }

  /** A query failed but the connection is fine: say why, and stop asking when it cannot work. */
  private degrade(id: QueryId, error: unknown, results: Results): void {
    const code = sqlState(error);
    const previous = (results as Record<string, SourceResult<unknown> | undefined>)[id];
    let disabled: string | null = null;
    const reason = oneLine(error);
    // Says which query: a screen shows several, and says the failure where its rows would be.
    let message = `${QUERIES[id].title} failed: ${reason}`;
    if (code === '42501') {
      disabled = `${QUERIES[id].title} is hidden: this role lacks the privilege (${reason}); grant pg_monitor to see it`;
      this.disabled.set(id, disabled);
    } else if (code === '57014') {
      message = `${QUERIES[id].title} took longer than the monitor's statement_timeout; trying again in ${TIMEOUT_REST_MS / 1000} s`;
      this.restingUntil.set(id, Date.now() + TIMEOUT_REST_MS);
    }
    if (id === 'header') return;
    (results as Record<string, SourceResult<unknown>>)[id] = {
      rows: previous?.rows ?? [],
      updatedAt: previous?.updatedAt ?? 0,
      error: message,
      disabled,
    };
  }

  private lose(session: PgConnection, error: unknown): void {
    if (this.session === session) this.session = null;
    // The query's error is often just "not queryable"; the connection's own error says why.
    error = session.failure() ?? error;
    void session.close();
    this.attempt = 0;
    setConnection(this.options.store, {
      state: 'reconnecting',
      lastError: oneLine(error),
      retryAt: Date.now() + this.peekDelay(),
    });
  }

  private async reconnect(): Promise<void> {
    try {
      const session = await this.options.connect();
      if (this.closed) {
        await session.close();
        return;
      }
      this.session = session;
      this.attempt = 0;
      this.previousHeader = null;
      this.markConnected(session);
    } catch (error) {
      this.attempt += 1;
      setConnection(this.options.store, {
        state: 'reconnecting',
        lastError: oneLine(error),
        retryAt: Date.now() + this.peekDelay(),
      });
    }
  }

  private markConnected(session: PgConnection): void {
    // A connection that closes (server restart, terminated backend, a pod's
    // tunnel gone) is noticed now, not at the next refresh: the header says
    // reconnecting at once, and the first retry comes within a second.
    session.client.once('end', () => {
      if (this.session === session) this.refreshNow();
    });
    const store = this.options.store;
    const previousPid = this.monitorPid;
    this.monitorPid = session.pid;
    const others = store.getState().connection.ownPids.filter((pid) => pid !== session.pid && pid !== previousPid);
    setConnection(store, {
      state: 'connected',
      retryAt: null,
      lastError: null,
      serverVersion: session.serverVersion,
      serverVersionNum: session.serverVersionNum,
      ownPids: [session.pid, ...others],
    });
  }

  private nextDelay: number | null = null;

  /** The delay the next reconnect waits, computed once so the header's countdown is the real one. */
  private peekDelay(): number {
    this.nextDelay = backoffDelay(this.attempt, this.options.backoff, this.options.random);
    return this.nextDelay;
  }

  private retryDelay(): number {
    const delay = this.nextDelay ?? backoffDelay(this.attempt, this.options.backoff, this.options.random);
    this.nextDelay = null;
    return delay;
  }

  private schedule(delayMs: number): void {
    this.clearTimer();
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.tick();
    }, delayMs);
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
