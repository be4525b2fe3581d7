// What an error means for a source, so that the scheduler does the same for
// every one: the connection is gone (reconnect with backoff), the source is
// switched off for good and says why (a privilege this role lacks: 42501, as
// pg_activity does; next a Kubernetes 403), it rests a while (it took longer
// than the monitor's statement_timeout: 57014), or this run failed and the
// next one tries again.
import { oneLine, sqlState } from '../errors.js';

export type Failure =
  /** This run failed; the next one tries again. */
  | { kind: 'failed'; message: string }
  /** Switched off: it cannot work for this role; `disabled` says why and what would fix it. */
  | { kind: 'degraded'; message: string; disabled: string }
  /** Not tried again for restMs. */
  | { kind: 'resting'; message: string; restMs: number }
  /** The connection it ran on is gone: the scheduler reconnects, nothing is landed. */
  | { kind: 'lost' };

/** A failure as it lands in the store (a lost connection never does: the header says it). */
export type LandedFailure = Exclude<Failure, { kind: 'lost' }>;

/** How long a query that hit the statement timeout rests before it is tried again. */
export const TIMEOUT_REST_MS = 30_000;

/** SQLSTATE classes and node errors that mean the connection itself is gone. */
export function isConnectionLoss(error: unknown): boolean {
  const code = sqlState(error) ?? '';
  if (code.startsWith('08') || code === '57P01' || code === '57P02' || code === '57P03') return true;
  if (['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT'].includes(code)) return true;
  return /Connection terminated|not queryable|Client has encountered a connection error/i.test(String((error as Error)?.message));
}

/** A source on the monitor connection: PostgreSQL's SQLSTATE says which. */
export function pgFailure(title: string, error: unknown): Failure {
  if (isConnectionLoss(error)) return { kind: 'lost' };
  const reason = oneLine(error);
  // Says which source: a screen shows several, and says the failure where its rows would be.
  const message = `${title} failed: ${reason}`;
  switch (sqlState(error)) {
    case '42501':
      return { kind: 'degraded', message, disabled: `${title} is hidden: this role lacks the privilege (${reason}); grant pg_monitor to see it` };
    case '57014':
      return { kind: 'resting', message: `${title} took longer than the monitor's statement_timeout; trying again in ${TIMEOUT_REST_MS / 1000} s`, restMs: TIMEOUT_REST_MS };
    default:
      return { kind: 'failed', message };
  }
}

/** A source that needs nothing the scheduler holds (a directory, a connection of its own): it failed this time. */
export function plainFailure(title: string, error: unknown): LandedFailure {
  return { kind: 'failed', message: `${title} failed: ${oneLine(error)}` };
}
