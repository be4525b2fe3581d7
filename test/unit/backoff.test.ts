import { describe, expect, it } from 'vitest';
import { backoffDelay } from '../../src/scheduler/backoff.js';

describe('reconnect backoff', () => {
  it('retries first within a second and never more than 5 s apart', () => {
    for (const r of [0, 0.5, 0.999]) {
      expect(backoffDelay(0, undefined, () => r)).toBeLessThanOrEqual(1000);
      expect(backoffDelay(0, undefined, () => r)).toBeGreaterThanOrEqual(500);
      expect(backoffDelay(10, undefined, () => r)).toBeLessThanOrEqual(5000);
    }
  });

  it('doubles up to the cap', () => {
    const half = () => 1; // no jitter: the top of each range
    expect([0, 1, 2, 3, 4].map((n) => backoffDelay(n, undefined, half))).toEqual([1000, 2000, 4000, 5000, 5000]);
  });
});
