// The one refresher, without React: it runs the sources needed now — which
// ones is decided outside (the header's, the visible screen's, the always
// ones: screens/index.ts says) — each when it is due, and writes what they
// produce to the store. It knows no screen.
//
// - Due: every refresh interval (ui.intervalMs), or a source's own minimum
//   interval when that is longer; at once when the needed set changes, on
//   resume, on a new interval, or when asked (refreshNow).
// - No overlap: sources that need the monitor connection run one after the
//   other on it, as one refresh (one store update, its round trips counted);
//   every other source runs on its own beside them. A run still in flight is
//   never started again: the next is armed when it finishes (k9s, Shopify).
// - One round trip: the due sources that are one plain statement each (a
//   registry query with no second step) are sent together as one
//   multi-statement query; when it fails, they run again one by one, so the
//   failure is said by the source that failed.
// - A source no longer needed stops: it is not run again until it is.
// - Failures (failures.ts): a lost connection is said in the header and
//   reopened with backoff (monitor.ts), the last rows kept; a source the
//   role may not run is switched off and says why; one that timed out rests.
import type { PgConnection } from '../db/connection.js';
import { PgtopError } from '../errors.js';
import { firstKubeNeed } from '../model/kube-access.js';
import type { DataSlice, PgtopState, PgtopStore } from '../store/store.js';
import type { BackoffOptions } from './backoff.js';
import { pgFailure, plainFailure, type Failure, type LandedFailure } from './failures.js';
import { MonitorConnection } from './monitor.js';
import type { BatchStep, LandContext, LocalSource, PgSource, Source } from './source.js';

export interface SchedulerOptions {
  store: PgtopStore;
  /** Every source it may run. */
  sources: readonly Source[];
  /** The ids of the sources needed now, in the order they should run; ids of no source here are left out. */
  needed(state: PgtopState): readonly string[];
  /** Opens the monitor connection, for the sources that need it (the first may be handed in already open). */
  connect?(): Promise<PgConnection>;
  initialSession?: PgConnection;
  /** Reconnect schedule; tests shorten it. */
  backoff?: BackoffOptions;
  random?: () => number;
}

/** Sources that run together: all those on the monitor connection, or one that needs nothing. */
interface Lane {
  pg: boolean;
  sources: Source[];
  inFlight: Promise<void> | null;
  /** Asked to run again while it ran: it does, at once, when it finishes. */
  again: boolean;
  timer: NodeJS.Timeout | null;
}

interface SourceState {
  /** When its last run finished (the end of its refresh), whatever came of it. */
  lastRanAt: number | null;
  restingUntil: number;
  /** Why it is switched off, once it is. */
  disabled: string | null;
  resumed: boolean;
}

/** After a run: when the lane runs next (null: not until asked), and whether everything it needs runs then, due or not. */
type Next = { delayMs: number; force: boolean } | null;

type Outcome = { source: Source; value: unknown } | { source: Source; failure: LandedFailure };

export class Scheduler {
  private readonly store: PgtopStore;
  private readonly lanes: Lane[] = [];
  private readonly laneOf = new Map<string, Lane>();
  private readonly states = new Map<string, SourceState>();
  private neededIds: string[] = [];
  private neededKey = '';
  private started = false;
  private closed = false;
  private unsubscribe: (() => void) | null = null;

  private readonly monitor: MonitorConnection;

  private firstDone: () => void = () => undefined;
  /** Settles when the first refresh has finished (rows in the store, or the reason there are none). */
  readonly firstRefresh = new Promise<void>((resolve) => (this.firstDone = resolve));

  constructor(private readonly options: SchedulerOptions) {
    this.store = options.store;
    let pgLane: Lane | null = null;
    for (const source of options.sources) {
      if (this.states.has(source.id)) throw new Error(`two sources have the id ${source.id}`);
      this.states.set(source.id, { lastRanAt: null, restingUntil: 0, disabled: null, resumed: true });
      let lane: Lane;
      if (source.needs === 'pg') {
        pgLane ??= this.addLane(true);
        lane = pgLane;
      } else {
        lane = this.addLane(false);
      }
      lane.sources.push(source);
      this.laneOf.set(source.id, lane);
    }
    this.monitor = new MonitorConnection({
      ...options,
      ended: () => {
        const lane = this.lanes.find((l) => l.pg);
        if (lane && this.started && !this.closed) void this.kick(lane, true);
      },
    });
  }

  /** Runs what is needed now, and from then on whatever is due. */
  start(): void {
    if (this.started || this.closed) return;
    this.started = true;
    this.unsubscribe = this.store.subscribe((state, previous) => {
      const changed = this.noteNeeded(state);
      if (changed || (previous.ui.paused && !state.ui.paused) || state.ui.intervalMs !== previous.ui.intervalMs) this.refreshNow();
    });
    void Promise.allSettled(this.lanes.map((lane) => this.kick(lane, true))).then(() => this.firstDone());
  }

  /** Runs now (or right after the run in flight) every needed source, or the one named when it is needed. */
  refreshNow(id?: string): void {
    if (!this.started || this.closed) return;
    this.noteNeeded(this.store.getState());
    const lanes = id === undefined ? this.lanes : [this.laneOf.get(id)].filter((lane): lane is Lane => lane !== undefined);
    for (const lane of lanes) if (this.neededIn(lane).length > 0) void this.kick(lane, true);
  }

  /** One run of everything needed now; resolves when it is in the store. For --once and tests. */
  async refresh(): Promise<void> {
    this.noteNeeded(this.store.getState());
    await Promise.all(this.lanes.filter((lane) => this.neededIn(lane).length > 0).map((lane) => this.kick(lane, true)));
    this.firstDone();
  }

  /** Whether it has a source of this id (a need for an id it does not have is left out). */
  has(id: string): boolean {
    return this.states.has(id);
  }

  /**
   * Runs a read the user asked for (a statement's whole text, on Enter) on
   * the monitor connection and its short statement timeout. It queues behind
   * a refresh in flight.
   */
  async onMonitor<T>(read: (session: PgConnection) => Promise<T>): Promise<T> {
    const session = this.monitor.current();
    if (!session || !session.isAlive()) throw new PgtopError('not connected to the server now: it is reconnecting');
    if (!session.pooled) return read(session);
    // Behind a pooler: in a transaction with the guards (inside the refresh's when one is running).
    await session.pooled.begin();
    try {
      return await read(session);
    } catch (error) {
      if (session.isAlive()) await session.pooled.recover().catch(() => undefined);
      throw error;
    } finally {
      if (session.isAlive()) await session.pooled.end().catch(() => undefined);
    }
  }

  async stop(): Promise<void> {
    this.closed = true;
    for (const lane of this.lanes) this.clearTimer(lane);
    for (const lane of this.lanes) for (const source of lane.sources) source.release?.();
    this.unsubscribe?.();
    this.unsubscribe = null;
    this.firstDone();
    await this.monitor.close();
  }

  private sourceOf(id: string): Source | undefined {
    return this.laneOf.get(id)?.sources.find((s) => s.id === id);
  }

  private addLane(pg: boolean): Lane {
    const lane: Lane = { pg, sources: [], inFlight: null, again: false, timer: null };
    this.lanes.push(lane);
    return lane;
  }

  private stateOf(source: Source): SourceState {
    return this.states.get(source.id)!;
  }

  /** Takes in what is needed now; a source that was not needed since its last run runs as resumed. True when the set changed. */
  private noteNeeded(state: PgtopState): boolean {
    const ids = [...new Set(this.options.needed(state))].filter((id) => this.states.has(id));
    const key = ids.join('\n');
    if (key === this.neededKey) return false;
    const before = new Set(this.neededIds);
    for (const id of ids) if (!before.has(id)) this.states.get(id)!.resumed = true;
    // What is no longer needed lets go of what it holds open (a log follow).
    const now = new Set(ids);
    for (const id of before) if (!now.has(id)) this.sourceOf(id)?.release?.();
    this.neededIds = ids;
    this.neededKey = key;
    return true;
  }

  /** The lane's sources needed now, in the order asked. */
  private neededIn(lane: Lane): Source[] {
    return this.neededIds.map((id) => this.laneOf.get(id) === lane && lane.sources.find((s) => s.id === id)).filter((s): s is Source => !!s);
  }

  /** How often a source runs: at the refresh interval, or its own minimum when that is longer. */
  private periodOf(source: Source, state: PgtopState): number {
    return Math.max(state.ui.intervalMs, source.minIntervalMs ?? 0);
  }

  /** Runs the lane now, unless it runs already: then once more right after. */
  private kick(lane: Lane, force: boolean): Promise<void> {
    if (lane.inFlight) {
      lane.again = true;
      return lane.inFlight;
    }
    this.clearTimer(lane);
    const run = (async () => {
      let next: Next = null;
      try {
        next = await this.runLane(lane, force);
      } finally {
        lane.inFlight = null;
        if (this.started && !this.closed) {
          if (lane.again) next = { delayMs: 0, force: true };
          lane.again = false;
          if (next) this.arm(lane, next);
        }
      }
    })();
    lane.inFlight = run;
    return run;
  }

  private async runLane(lane: Lane, force: boolean): Promise<Next> {
    const state = this.store.getState();
    this.noteNeeded(state);
    const needed = this.neededIn(lane);
    // Not needed: it stops until it is. Paused: resuming runs it.
    if (needed.length === 0 || state.ui.paused) return null;
    const now = Date.now();
    const due = this.refuseDenied(
      needed.filter((source) => {
        const s = this.stateOf(source);
        if (s.disabled !== null || s.restingUntil > now) return false;
        // A little early is on time: a timer may fire a millisecond before Date.now() says.
        return force || s.lastRanAt === null || s.lastRanAt + this.periodOf(source, state) <= now + 20;
      }),
      state,
    );
    const period = Math.min(...needed.map((source) => this.periodOf(source, state)));
    if (lane.pg) return this.runOnMonitor(due as PgSource[], period);
    for (const source of due as LocalSource[]) await this.runAlone(source);
    return { delayMs: period, force: false };
  }

  /** The sources on the monitor connection, one after the other, as one refresh. */
  private async runOnMonitor(due: PgSource[], period: number): Promise<Next> {
    if (due.length === 0) return { delayMs: period, force: false };
    const started = Date.now();
    const session = await this.monitor.open();
    if (this.closed) return null;
    if (!session) return { delayMs: this.monitor.retryDelay(), force: true };
    let queries = 0;
    const counted = () => {
      queries += 1;
    };
    const outcomes: Outcome[] = [];
    // Behind a pooler the refresh is one transaction that starts with the
    // guards (PgConnection.pooled); a failed source rolls it back and opens
    // another. Its sources run one by one in it, never batched (docs/pooler.md).
    const pooled = session.pooled;
    const batched = pooled ? { outcomes: [] } : await this.runBatch(session, due, counted);
    if (batched === 'lost') return { delayMs: this.monitor.retryDelay(), force: true };
    outcomes.push(...batched.outcomes);
    const unbatched = due.filter((source) => !batched.outcomes.some((o) => o.source === source));
    for (const [index, source] of unbatched.entries()) {
      const state = this.stateOf(source);
      const resumed = state.resumed;
      state.resumed = false;
      try {
        if (pooled && index === 0) {
          counted();
          await pooled.begin();
        }
        outcomes.push({ source, value: await source.run({ session, resumed, counted }) });
      } catch (error) {
        const failure: Failure = session.isAlive() ? this.failureOf(source, error) : { kind: 'lost' };
        if (failure.kind === 'lost') {
          // Not landed: the last rows stay on screen while it reconnects.
          state.resumed = resumed;
          this.monitor.lose(session, error);
          return { delayMs: this.monitor.retryDelay(), force: true };
        }
        outcomes.push({ source, failure: this.note(source, failure) });
        if (pooled) await this.recoverPooled(session, pooled, counted);
      }
    }
    if (pooled) {
      counted();
      await pooled.end().catch((error: unknown) => this.monitor.lose(session, error));
    }
    this.commit(outcomes, { lastRefresh: { queries, ms: Date.now() - started } });
    return { delayMs: period, force: false };
  }

  /**
   * The due sources that are one plain statement each, in one round trip
   * (two or more of them; one alone runs as it always does). A failure that
   * leaves the connection alive lands nothing here: the caller runs them
   * one by one, and the one that fails says so.
   */
  private async runBatch(session: PgConnection, due: PgSource[], counted: () => void): Promise<{ outcomes: Outcome[] } | 'lost'> {
    const steps: [PgSource, BatchStep<unknown>][] = [];
    for (const source of due) {
      const step = source.batch?.(session);
      if (step) steps.push([source, step]);
    }
    if (steps.length < 2) return { outcomes: [] };
    let results: { rows: Record<string, unknown>[] }[];
    try {
      counted();
      const answer = (await session.client.query(steps.map(([, step]) => step.sql).join(';\n'))) as unknown;
      results = Array.isArray(answer) ? (answer as { rows: Record<string, unknown>[] }[]) : [answer as { rows: Record<string, unknown>[] }];
      if (results.length !== steps.length) throw new Error(`${steps.length} queries sent, ${results.length} results back`);
    } catch (error) {
      if (session.isAlive()) return { outcomes: [] };
      this.monitor.lose(session, error);
      return 'lost';
    }
    const outcomes: Outcome[] = [];
    for (const [index, [source, step]] of steps.entries()) {
      this.stateOf(source).resumed = false;
      try {
        outcomes.push({ source, value: step.finish(results[index]!.rows) });
      } catch (error) {
        // Its rows did not map: nothing of the connection is lost.
        const failure = this.failureOf(source, error);
        outcomes.push({ source, failure: this.note(source, failure.kind === 'lost' ? plainFailure(source.title, error) : failure) });
      }
    }
    return { outcomes };
  }

  /** A source failed inside the refresh's transaction: the others need a fresh one. */
  private async recoverPooled(session: PgConnection, pooled: NonNullable<PgConnection['pooled']>, counted: () => void): Promise<void> {
    if (!session.isAlive()) return;
    counted();
    await pooled.recover().catch(() => undefined);
  }

  private async runAlone(source: LocalSource): Promise<void> {
    const state = this.stateOf(source);
    const resumed = state.resumed;
    state.resumed = false;
    let outcome: Outcome;
    try {
      outcome = { source, value: await source.run({ resumed, counted: () => undefined }) };
    } catch (error) {
      const failure = this.failureOf(source, error);
      // Nothing of a connection of ours is lost here: it just failed this time.
      outcome = { source, failure: this.note(source, failure.kind === 'lost' ? plainFailure(source.title, error) : failure) };
    }
    this.commit([outcome]);
  }

  /**
   * Sources whose Kubernetes permission the review denied do not run: each
   * is switched off and says which permission, as a 403 would have (once).
   */
  private refuseDenied(due: Source[], state: PgtopState): Source[] {
    const refused: Outcome[] = [];
    const allowed = due.filter((source) => {
      const need = firstKubeNeed(state.connection.kubeAccess, source.kubeNeeds);
      if (!need) return true;
      const text = `${source.title}: ${need}`;
      refused.push({ source, failure: this.note(source, { kind: 'degraded', message: text, disabled: text }) });
      return false;
    });
    if (refused.length) this.commit(refused);
    return allowed;
  }

  private failureOf(source: Source, error: unknown): Failure {
    if (source.failure) return source.failure(error);
    return source.needs === 'pg' ? pgFailure(source.title, error) : plainFailure(source.title, error);
  }

  /** Switches a source off, or rests it, as its failure says. */
  private note(source: Source, failure: LandedFailure): LandedFailure {
    const state = this.stateOf(source);
    if (failure.kind === 'degraded') state.disabled = failure.disabled;
    if (failure.kind === 'resting') state.restingUntil = Date.now() + failure.restMs;
    return failure;
  }

  /** What the runs produced, into the store in one update. */
  private commit(outcomes: Outcome[], extra?: Partial<DataSlice>): void {
    if (this.closed) return;
    const at = Date.now();
    for (const outcome of outcomes) this.stateOf(outcome.source).lastRanAt = at;
    const landing = outcomes.filter((o) => ('value' in o ? o.source.land : o.source.landFailure));
    if (landing.length === 0 && !extra) return;
    const values = new Map(outcomes.flatMap((o) => ('value' in o ? [[o.source.id, o.value] as const] : [])));
    const context: LandContext = { at, sameRefresh: (id) => values.get(id) };
    this.store.setState((s) => {
      const data: DataSlice = { ...s.data, results: { ...s.data.results }, ...extra };
      for (const o of landing) {
        if ('value' in o) o.source.land?.(data, o.value, context);
        else o.source.landFailure?.(data, o.failure, context);
      }
      return { data };
    });
  }

  private arm(lane: Lane, next: { delayMs: number; force: boolean }): void {
    this.clearTimer(lane);
    lane.timer = setTimeout(() => {
      lane.timer = null;
      void this.kick(lane, next.force);
    }, next.delayMs);
  }

  private clearTimer(lane: Lane): void {
    if (lane.timer) clearTimeout(lane.timer);
    lane.timer = null;
  }
}
