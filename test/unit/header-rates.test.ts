import { describe, expect, it } from 'vitest';
import { headerRates, type HeaderSample } from '../../src/model/header.js';

const sample = (at: number, xacts: number, hit: number, read: number): HeaderSample => ({
  database: 'd', user: 'u', uptimeSeconds: 1, connections: 1, maxConnections: 100, xacts, blocksHit: hit, blocksRead: read, sampledAt: at, inRecovery: false,
});

describe('headerRates', () => {
  it('gives no TPS from a single sample, and the cumulative cache hit ratio', () => {
    expect(headerRates(null, sample(10, 500, 90, 10))).toEqual({ tps: null, cacheHitRatio: 0.9 });
  });

  it('computes TPS and the recent hit ratio between two samples', () => {
    const r = headerRates(sample(10, 500, 90, 10), sample(12, 700, 189, 11));
    expect(r.tps).toBe(100);
    expect(r.cacheHitRatio).toBeCloseTo(0.99);
  });

  it('gives no TPS when counters went backwards (stats reset or restart)', () => {
    expect(headerRates(sample(10, 500, 90, 10), sample(12, 20, 1, 1)).tps).toBeNull();
  });
});
