// The monitor connection, as the scheduler holds it for the sources that
// need it: said connected in the store (server version, its pid among
// pgtop's own), noticed at once when it closes, and when lost, reopened on
// the backoff schedule while the header counts down to the next attempt.
import type { PgConnection } from '../db/connection.js';
import { oneLine } from '../errors.js';
import { setConnection, type PgtopStore } from '../store/store.js';
import { backoffDelay, DEFAULT_BACKOFF, type BackoffOptions } from './backoff.js';

export interface MonitorOptions {
  store: PgtopStore;
  /** Opens it (again); without it, a lost connection stays lost (--once). */
  connect?(): Promise<PgConnection>;
  /** The connection pgtop opened first (it may have asked for a password). */
  initialSession?: PgConnection;
  backoff?: BackoffOptions;
  random?: () => number;
  /** The connection closed by itself (server restart, terminated backend, a port-forward's tunnel gone). */
  ended(): void;
}

export class MonitorConnection {
  private session: PgConnection | null;
  private attempt = 0;
  private nextDelay: number | null = null;
  private pid: number | null = null;
  private closed = false;

  constructor(private readonly options: MonitorOptions) {
    this.session = options.initialSession ?? null;
    if (this.session) this.markConnected(this.session);
  }

  /** The connection now, or null while it is lost. */
  current(): PgConnection | null {
    return this.session;
  }

  /** The connection, reopened first when it was lost; null when that failed (the store says why and when it tries again). */
  async open(): Promise<PgConnection | null> {
    if (!this.session) await this.reconnect();
    return this.closed ? null : this.session;
  }

  /** It broke during a run: said now, the last rows kept, closed; open() tries again after retryDelay(). */
  lose(session: PgConnection, error: unknown): void {
    if (this.session === session) this.session = null;
    // The query's error is often just "not queryable"; the connection's own error says why.
    error = session.failure() ?? error;
    void session.close();
    if (this.closed) return;
    this.attempt = 0;
    setConnection(this.options.store, { state: 'reconnecting', lastError: oneLine(error), retryAt: Date.now() + this.peekDelay() });
  }

  /** How long to wait before the next attempt: the one the header counts down to. */
  retryDelay(): number {
    const delay = this.nextDelay ?? this.delayOf(this.attempt);
    this.nextDelay = null;
    return delay;
  }

  async close(): Promise<void> {
    this.closed = true;
    const session = this.session;
    this.session = null;
    await session?.close();
  }

  private async reconnect(): Promise<void> {
    try {
      if (!this.options.connect) throw new Error('no connection to the server');
      const session = await this.options.connect();
      if (this.closed) {
        await session.close();
        return;
      }
      this.session = session;
      this.attempt = 0;
      this.markConnected(session);
    } catch (error) {
      if (this.closed) return;
      this.attempt += 1;
      setConnection(this.options.store, { state: 'reconnecting', lastError: oneLine(error), retryAt: Date.now() + this.peekDelay() });
    }
  }

  private markConnected(session: PgConnection): void {
    // A connection that closes is noticed now, not at the next refresh: the
    // header says reconnecting at once, and the first retry comes within a second.
    session.client.once('end', () => {
      if (this.session === session && !this.closed) this.options.ended();
    });
    const store = this.options.store;
    const previousPid = this.pid;
    this.pid = session.pid;
    const others = store.getState().connection.ownPids.filter((pid) => pid !== session.pid && pid !== previousPid);
    setConnection(store, {
      state: 'connected',
      retryAt: null,
      lastError: null,
      serverVersion: session.serverVersion,
      serverVersionNum: session.serverVersionNum,
      ownPids: [session.pid, ...others],
      pooler: session.pooler,
    });
  }

  /** The delay the next reconnect waits, computed once so the header's countdown is the real one. */
  private peekDelay(): number {
    this.nextDelay = this.delayOf(this.attempt);
    return this.nextDelay;
  }

  private delayOf(attempt: number): number {
    return backoffDelay(attempt, this.options.backoff ?? DEFAULT_BACKOFF, this.options.random);
  }
}
