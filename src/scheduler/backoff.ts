// How long the scheduler waits before it reconnects, attempt after attempt:
// the first retry within a second, then doubling to a cap, with jitter.
export interface BackoffOptions {
  firstMs: number;
  maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { firstMs: 1_000, maxMs: 5_000 };

/**
 * Delay before reconnect attempt n (0-based): doubling up to the cap, with
 * "equal jitter" (half fixed, half random) so that many clients restarting
 * together do not stampede, and never later than the schedule promises.
 */
export function backoffDelay(attempt: number, options: BackoffOptions = DEFAULT_BACKOFF, random = Math.random): number {
  const base = Math.min(options.maxMs, options.firstMs * 2 ** attempt);
  return Math.round(base / 2 + (base / 2) * random());
}
