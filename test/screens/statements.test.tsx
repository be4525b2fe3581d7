// The statements screen from fake state: the top statements and their sort,
// the whole statement on Enter (read then, when the list holds only its
// start), and what it says (and offers) when pg_stat_statements cannot be read.
import { afterEach, describe, expect, it } from 'vitest';
import type { StatementText } from '../../src/model/statements.js';
import { setData } from '../../src/store/store.js';
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

describe('a statement longer than the list holds', () => {
  // 40 000 lines of SQL, of which the list holds the first 400 characters.
  const whole = `SELECT id FROM orders WHERE id IN (\n${Array.from({ length: 40_000 }, (_, i) => `  ${i + 1},`).join('\n')}\n  0)`;
  const start = whole.slice(0, 400);
  const long = statement({ key: 'big', queryId: '-42', userId: '10', dbId: '5', toplevel: false, query: start, queryLength: whole.length, totalMs: 9000 });
  const short = statement({ key: 'small', query: 'SELECT 1', totalMs: 1 });

  /** A read that waits for the test to answer it, and counts how often it was asked. */
  function pendingRead() {
    const asked: unknown[][] = [];
    let answer: (rows: StatementText[]) => void = () => undefined;
    let fail: (error: Error) => void = () => undefined;
    const read = (_id: 'statementTexts', params: readonly unknown[]) => {
      asked.push([...params]);
      return new Promise<StatementText[]>((resolve, reject) => {
        answer = resolve;
        fail = reject;
      });
    };
    return { read, asked, answer: (rows: StatementText[]) => answer(rows), fail: (error: Error) => fail(error) };
  }

  it('shows its start in the list; Enter reads the whole text of that one statement once, says so meanwhile, then shows it all, scrollable', async () => {
    const pending = pendingRead();
    app = renderApp({ screen: 'statements', readStatementTexts: pending.read, patch: connectedWithResults({ statementsExtension: result([extensionReady]), statements: result([long, short]) }) });
    // Wide enough for the 400 characters: they end with … (there is more).
    await app.resize(600, 24);
    await app.waitFor(`${start.replace(/\s+/g, ' ').trim()}…`);
    await app.resize(100, 24);
    await app.press('enter');
    let frame = await app.waitFor('reading the whole text');
    // Its size in groups of three digits, kept on one line (no-break spaces).
    expect(frame).toContain(`text              first 400 of ${whole.length.toLocaleString('en-US').replaceAll(',', '\u00a0')} characters; reading the whole text…`);
    // The one statement, by user, database, queryid and toplevel; all of it (no character limit).
    expect(pending.asked).toEqual([[JSON.stringify([{ userid: '10', dbid: '5', queryid: '-42', toplevel: false }]), null]]);

    // A refresh meanwhile reads nothing more.
    setData(app.store, { results: { ...app.store.getState().data.results, statements: result([long, short]) } });
    pending.answer([{ key: long.key, text: whole, length: whole.length }]);
    frame = await app.waitFor((f) => !f.includes('reading the whole text') && f.includes('  1,'));
    expect(frame).toMatch(/lines 1–\d+ of 400\d\d/);
    await app.press('end');
    frame = await app.waitFor('  0)');
    expect(frame).toContain('  40000,');
    await app.press('escape', 'enter');
    await app.waitFor('Statements: details');
    expect(pending.asked).toHaveLength(1);
  });

  it('says in one line why the whole text could not be read, and keeps the start; a statement the list holds whole reads nothing', async () => {
    const pending = pendingRead();
    app = renderApp({ screen: 'statements', readStatementTexts: pending.read, patch: connectedWithResults({ statementsExtension: result([extensionReady]), statements: result([long, short]) }) });
    await app.waitFor('QUERY');
    await app.press('enter');
    await app.waitFor('reading the whole text');
    pending.fail(new Error('canceling statement due to statement timeout'));
    const frame = await app.waitFor('could not be read');
    expect(frame.replace(/\s+/g, ' ')).toContain('the whole text could not be read: canceling statement due to statement timeout');
    expect(frame).toContain('SELECT id FROM orders WHERE id IN (');
    await app.press('escape', 'down', 'enter');
    await app.waitFor(/statement\s+SELECT 1/);
    expect(pending.asked).toHaveLength(1);
  });

  it('marks a statement whose text the list could not read, and says why', async () => {
    const unread = statement({ key: 'u', query: '', queryLength: null, textError: 'canceling statement due to statement timeout' });
    app = renderApp({ screen: 'statements', patch: connectedWithResults({ statementsExtension: result([extensionReady]), statements: result([unread]) }) });
    const frame = await app.waitFor('texts not read: canceling statement due to statement timeout; tried again later');
    expect(frame).toMatch(/100ms\s+10ms\s+10\s+10\s+99\.0%\s+shop\s+app\s+‹text not read›/);
  });
});
