// The statements screen from fake state: the top statements and their sort,
// the whole statement on Enter, and what it says (and offers) when
// pg_stat_statements cannot be read.
import { afterEach, describe, expect, it } from 'vitest';
import { connectedWithResults, extensionReady, result, statement } from '../support/maintenance-fixtures.js';
import { renderApp, type RenderedApp } from '../support/render-app.js';

let app: RenderedApp | undefined;
afterEach(() => app?.unmount());

const rows = [
  statement({ key: 'a', query: 'SELECT * FROM orders WHERE id = $1', calls: 5000, rows: 5000, totalMs: 900, meanMs: 0.18, hitRatio: 0.999 }),
  statement({ key: 'b', query: 'UPDATE stock SET n = n - $1', calls: 40, rows: 40, totalMs: 4000, meanMs: 100, hitRatio: 0.85 }),
  statement({ key: 'c', query: 'SELECT report()\n  FROM big', calls: 2, rows: 90000, totalMs: 2500, meanMs: 1250, hitRatio: null }),
];

describe('statements screen', () => {
  it('lists statements by total time with mean, calls, rows and hit ratio; s sorts by mean, then calls', async () => {
    app = renderApp({ screen: 'statements', patch: connectedWithResults({ statementsExtension: result([extensionReady]), statements: result(rows) }) });
    let frame = await app.waitFor('QUERY');
    expect(frame).toMatch(/TOTAL\s+MEAN\s+CALLS\s+ROWS\s+HIT%/);
    const order = (f: string) => ['UPDATE stock', 'SELECT report', 'SELECT \\* FROM orders'].map((q) => f.search(new RegExp(q)));
    let [update, report, select] = order(frame);
    expect(update).toBeLessThan(report!);
    expect(report).toBeLessThan(select!);
    expect(frame).toMatch(/4\.00s\s+100ms\s+40\s+40\s+85\.0%/);
    await app.press('s');
    frame = await app.waitFor('sorted by MEAN ↓');
    [update, report, select] = order(frame);
    expect(report).toBeLessThan(update!);
    await app.press('s');
    frame = await app.waitFor('sorted by CALLS ↓');
    [update, report, select] = order(frame);
    expect(select).toBeLessThan(update!);
  });

  it('shows the whole statement on Enter', async () => {
    app = renderApp({ screen: 'statements', patch: connectedWithResults({ statementsExtension: result([extensionReady]), statements: result(rows) }) });
    await app.waitFor('QUERY');
    await app.press('down', 'enter');
    const frame = await app.waitFor('Statements: details');
    expect(frame).toContain('SELECT report()\n  FROM big');
    expect(frame).toMatch(/mean \/ min \/ max\s+1\.25s/);
  });

  it('explains how to preload it when it is not in shared_preload_libraries, and E refuses to create it yet', async () => {
    const status = { ...extensionReady, installedVersion: null, preloaded: false, preloadLibraries: 'auto_explain' };
    app = renderApp({ screen: 'statements', patch: connectedWithResults({ statementsExtension: result([status]), statements: result([]) }) });
    const frame = (await app.waitFor('not preloaded')).replace(/\s+/g, ' ');
    expect(frame).toContain("ALTER SYSTEM SET shared_preload_libraries = 'auto_explain, pg_stat_statements';");
    expect(frame).toContain('restart the server');
    await app.press('E');
    await app.waitFor('refused: pg_stat_statements is not in shared_preload_libraries');
  });

  it('offers CREATE EXTENSION when preloaded but not created, and ALTER EXTENSION … UPDATE when outdated', async () => {
    const missing = { ...extensionReady, installedVersion: null };
    app = renderApp({ screen: 'statements', patch: connectedWithResults({ statementsExtension: result([missing]), statements: result([]) }) });
    await app.waitFor('preloaded but not created in database shop: press E');
    await app.press('E');
    await app.waitFor('will run: CREATE EXTENSION IF NOT EXISTS pg_stat_statements SCHEMA public;');
    await app.press('n');
    app.unmount();

    const old = { ...extensionReady, installedVersion: '1.7' };
    app = renderApp({ screen: 'statements', patch: connectedWithResults({ statementsExtension: result([old]), statements: result(rows) }) });
    await app.waitFor('pg_stat_statements 1.7 is older than the 1.10 this server ships: E updates it');
    await app.press('E');
    await app.waitFor('will run: ALTER EXTENSION pg_stat_statements UPDATE;');
  });

  it('refuses E under --read-only', async () => {
    app = renderApp({ screen: 'statements', readOnly: true, patch: connectedWithResults({ statementsExtension: result([{ ...extensionReady, installedVersion: null }]), statements: result([]) }) });
    await app.waitFor('press E');
    await app.press('E');
    await app.waitFor('read-only mode: refused to run CREATE EXTENSION IF NOT EXISTS pg_stat_statements SCHEMA public;');
  });
});
