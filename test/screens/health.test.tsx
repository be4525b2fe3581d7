// The health screen from fake state: each check green/amber/red with its
// number, and the charts drawn from the history of refreshes.
import { afterEach, describe, expect, it } from 'vitest';
import { appendSample, type HistorySample } from '../../src/store/history.js';
import { connectedWithResults, healthSnapshot, horizonHolder, result } from '../support/maintenance-fixtures.js';
import { renderApp, type RenderedApp } from '../support/render-app.js';

let app: RenderedApp | undefined;
afterEach(() => app?.unmount());

function history(n: number): HistorySample[] {
  let h: HistorySample[] = [];
  for (let i = 0; i < n; i++) h = appendSample(h, { at: i * 2000, tps: 100 + 50 * Math.sin(i / 3), connections: 10 + (i % 5), cacheHitRatio: 0.99, databaseBytes: (100 + i) * 1024 * 1024 });
  return h;
}

describe('health screen', () => {
  it('shows every check with its verdict and number, and four charts over the session', async () => {
    app = renderApp({
      screen: 'health',
      patch: (s) => {
        connectedWithResults({ health: result([healthSnapshot({ longQueries: 2, longestQuerySeconds: 400, idleInTransaction: 1, longestIdleSeconds: 45, lockWaits: 0 })]) })(s);
        s.data.lastRefresh = { queries: 2, ms: 7 };
        s.data.history = history(60);
      },
    });
    // A dozen checks fill 24 rows: the charts come under them where the terminal has room.
    await app.resize(100, 40);
    const frame = await app.waitFor('CHECK');
    expect(frame).toMatch(/OK\s+connectivity\s+connected, last refresh 7 ms for 2 queries/);
    expect(frame).toMatch(/OK\s+connections\s+12 of max_connections 100 \(12%\)/);
    expect(frame).toMatch(/OK\s+cache hit ratio\s+99\.10%/);
    expect(frame).toMatch(/ALARM\s+long-running queries\s+2 active over 30s, longest 6m40s/);
    expect(frame).toMatch(/WARN\s+idle in transaction\s+1 session\(s\), longest 45s/);
    expect(frame).toMatch(/OK\s+lock waits\s+0 session\(s\) waiting/);
    expect(frame).toMatch(/OK\s+XID wraparound\s+postgres: age 1\.0M/);
    expect(frame).toMatch(/TPS\s+\S+\s+connections\s+\d+/);
    expect(frame).toMatch(/cache hit %\s+99\.0\s+database size\s+159 MB/);
    expect(frame).toMatch(/[┼┤][╭╮╰╯─]/);
  });

  it('names what holds the vacuum horizon, amber from 30 s, and K there ends the session holding it', async () => {
    app = renderApp({ screen: 'health', patch: connectedWithResults({ health: result([healthSnapshot()]), horizon: result([horizonHolder({ seconds: 45 })]) }) });
    await app.resize(160, 40);
    const frame = await app.waitFor('vacuum horizon');
    expect(frame).toMatch(/WARN\s+vacuum horizon\s+29\.9k xids, 45s old: pid 4711 \(alice, shop/);
    const lines = frame.split('\n');
    const at = lines.findIndex((l) => l.includes('vacuum horizon'));
    const first = lines.findIndex((l) => l.includes('connectivity'));
    for (let i = first; i < at; i++) await app.press('j');
    await app.press('K');
    await app.waitFor('Terminate backend pid 4711');
  });

  it('says the charts are collecting before the second refresh, and Enter explains a check', async () => {
    app = renderApp({ screen: 'health', patch: connectedWithResults({ health: result([healthSnapshot({ lockWaits: 3, longestLockWaitSeconds: 40 })]) }) });
    await app.resize(100, 40);
    const frame = await app.waitFor('CHECK');
    expect(frame).toMatch(/ALARM\s+lock waits\s+3 session\(s\) waiting \(up to 40s\)/);
    expect(frame).toContain('collecting: one point per refresh');
    await app.press('j', 'j', 'j', 'j', 'j', 'enter');
    expect(await app.waitFor('Health: details')).toMatch(/what it means\s+Amber while anyone waits for a lock/);
  });

  it('is red for connectivity while reconnecting', async () => {
    app = renderApp({
      screen: 'health',
      patch: (s) => {
        connectedWithResults({})(s);
        s.connection = { ...s.connection, state: 'reconnecting', lastError: 'connection refused', retryAt: Date.now() + 3000 };
      },
    });
    expect(await app.waitFor('CHECK')).toMatch(/ALARM\s+connectivity\s+reconnecting: connection refused/);
  });
});
