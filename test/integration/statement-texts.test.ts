// Six statements of 30 MB each in pg_stat_statements, on a cluster of its own
// (pg_stat_statements is server-wide: 180 MB of texts would slow every other
// test's statements), with the extension in a schema whose name needs quoting
// and connections searching only pg_catalog and pg_temp. The list reads the
// stats without texts and the first 400 characters of each statement once: a
// refresh moves kilobytes, not 180 MB, and `--once` prints a small screen.
// Enter reads the whole text of the one statement, and the details show it.
import { Socket } from 'node:net';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openConnection, type PgConnection } from '../../src/db/connection.js';
import { resolveConnection } from '../../src/db/connection-options.js';
import { startLocalCluster, type LocalCluster } from '../../src/localcluster/cluster.js';
import { DashboardScheduler } from '../../src/cli/dashboard-scheduler.js';
import { runPgtop } from '../support/binary.js';
import { waitFor } from '../support/pg.js';
import { renderApp, type RenderedApp } from '../support/render-app.js';

const BIG = 30 * 1024 * 1024;
const SCHEMA = 'stats "x"; y';
const PREFIX = 400;

let cluster: LocalCluster;
/** Each big statement's text as the server keeps it (its constants become $n), by number of columns. */
const lengths = new Map<number, number>();

/** A statement of `columns` columns and a 30 MB comment of 100-character lines ending in tail-<columns>. */
function bigStatement(columns: number): string {
  const line = `${'x'.repeat(99)}\n`;
  return `SELECT ${Array.from({ length: columns }, (_, i) => i + 1).join(', ')} /*\n${line.repeat(Math.ceil(BIG / line.length))}tail-${columns} */`;
}

beforeAll(async () => {
  cluster = await startLocalCluster();
  const admin = new pg.Client({ host: cluster.host, port: cluster.port, user: cluster.user, password: cluster.password, database: 'postgres' });
  await admin.connect();
  await admin.query('CREATE DATABASE shop');
  await admin.end();
  const shop = new pg.Client({ host: cluster.host, port: cluster.port, user: cluster.user, password: cluster.password, database: 'shop' });
  await shop.connect();
  try {
    const schema = shop.escapeIdentifier(SCHEMA);
    await shop.query(`CREATE SCHEMA ${schema}; CREATE EXTENSION pg_stat_statements SCHEMA ${schema}`);
    await shop.query(`SELECT ${schema}.pg_stat_statements_reset()`);
    // Six distinct statements (a different number of columns each), 30 MB of text each.
    for (let columns = 1; columns <= 6; columns++) await shop.query(bigStatement(columns));
    // An ordinary statement (a FROM, so it is not the queryid of SELECT 1 /* … */, whose alias would not count).
    await shop.query('SELECT 42 AS small_marker FROM pg_class LIMIT 0');
    const kept = await shop.query<{ columns: number; length: number }>(
      `SELECT length(query) - length(replace(query, ',', '')) + 1 AS columns, length(query) AS length FROM ${schema}.pg_stat_statements(true) WHERE query LIKE '%tail-%'`,
    );
    for (const row of kept.rows) lengths.set(row.columns, row.length);
  } finally {
    await shop.end();
  }
  expect([...lengths.keys()].sort()).toEqual([1, 2, 3, 4, 5, 6]);
}, 180_000);

afterAll(async () => {
  await cluster?.stop();
});

function connection() {
  return resolveConnection({ host: cluster.host, port: String(cluster.port), username: cluster.user, dbname: 'shop' }, { PGPASSWORD: cluster.password });
}

/** Bytes the server has sent on this connection so far. */
function bytesRead(session: PgConnection): number {
  return (session.client as unknown as { connection: { stream: Socket } }).connection.stream.bytesRead;
}

/** The monitor connection, given time enough: this test counts bytes, and a loaded test machine may read 180 MB of texts slower than the 3 s a monitor allows. */
async function patientMonitor(): Promise<PgConnection> {
  const session = await openConnection(connection(), { purpose: 'monitor' });
  await session.client.query("SET statement_timeout = '120s'");
  return session;
}

describe('statements whose texts are 30 MB each', () => {
  let app: RenderedApp | undefined;
  let scheduler: DashboardScheduler | undefined;

  afterAll(async () => {
    app?.unmount();
    await scheduler?.stop();
  });

  it('lists them from a few kilobytes a refresh, with their first 400 characters; Enter shows the whole text of one', async () => {
    const session = await patientMonitor();
    // Enter reads on the scheduler's connection, as the dashboard wires it.
    let reads = 0;
    app = renderApp({ screen: 'statements', readStatementTexts: (id, params) => (reads++, p.read(id, params)) });
    const store = app.store;
    const p: DashboardScheduler = new DashboardScheduler({ store, connect: () => patientMonitor(), initialSession: session });
    scheduler = p;

    let before = bytesRead(session);
    await p.refresh();
    const first = bytesRead(session) - before;
    const result = store.getState().data.results.statements!;
    expect(result.error).toBeNull();
    const big = result.rows.filter((s) => s.query.includes('tail-') || (s.queryLength ?? 0) > BIG);
    expect(big).toHaveLength(6);
    for (const s of big) {
      expect(s.query).toHaveLength(PREFIX);
      expect(s.queryLength).toBe(lengths.get(s.query.split('/*')[0]!.split(',').length));
      expect(s.textError).toBeNull();
    }
    expect(result.rows.find((s) => s.query.includes('small_marker'))).toMatchObject({ query: 'SELECT $1 AS small_marker FROM pg_class LIMIT $2', queryLength: 48 });
    // The stats of every statement and 400 characters of each: kilobytes (the whole texts were 180 MB).
    expect(first).toBeLessThan(256 * 1024);
    expect(first / result.rows.length).toBeLessThan(2 * 1024);
    // The statements query (the status query first) and one read of the texts.
    expect(store.getState().data.lastRefresh!.queries).toBe(4);

    // The second refresh reads the texts of pgtop's own first queries, new in the list; then the list is
    // steady: the header and the statements, no text read.
    await p.refresh();
    before = bytesRead(session);
    await p.refresh();
    expect(store.getState().data.lastRefresh!.queries).toBe(2);
    expect(bytesRead(session) - before).toBeLessThan(64 * 1024);
    expect(store.getState().data.results.statements!.rows.filter((s) => (s.queryLength ?? 0) > BIG)).toHaveLength(6);

    // Enter on the statement of six columns: its whole text, read once, shown from its start to its tail.
    await app.press('/', ...'$6 /*', 'enter');
    await app.waitFor('1/1');
    await app.press('enter');
    const read = await waitFor(
      async () => {
        const text = store.getState().data.detailText;
        return text?.state === 'loaded' ? text.text : text?.state === 'failed' ? Promise.reject(new Error(text.error)) : undefined;
      },
      { what: 'the whole text of the statement', timeoutMs: 120_000 },
    );
    expect(read).toHaveLength(lengths.get(6)!);
    expect(read.startsWith('SELECT $1, $2, $3, $4, $5, $6 /*\nxxxx')).toBe(true);
    expect(read.endsWith('tail-6 */')).toBe(true);
    let frame = await app.waitFor('statement', 60_000);
    // A line of the statement is a line of the details: some 300 000 of them.
    expect(frame).toMatch(/lines 1–\d+ of \d{6} /);
    expect(frame).toContain('SELECT $1, $2, $3, $4, $5, $6 /*');
    await app.press('end');
    frame = await app.waitFor('tail-6 */', 60_000);
    expect(frame).toMatch(/lines \d+–(\d+) of \1 /);
    // Closed and opened again: the text is there, not read again.
    await app.press('escape', 'enter');
    frame = await app.waitFor('Statements: details');
    expect(frame).toContain(`text              ${lengths.get(6)!.toLocaleString('en-US').replaceAll(',', '\u00a0')} characters`);
    expect(reads).toBe(1);
  }, 300_000);

  it('--once prints the screen in kilobytes, each statement by its first 400 characters; --json adds each whole length', async () => {
    const server = ['-h', cluster.host, '-p', String(cluster.port), '-U', cluster.user, '-d', 'shop'];
    const json = await runPgtop(['--once', '--json', '--screen', 'statements', ...server], { PGPASSWORD: cluster.password }, 120_000);
    expect(json.stderr).toBe('');
    expect(json.code).toBe(0);
    expect(json.stdout.length).toBeLessThan(256 * 1024);
    const rows = (JSON.parse(json.stdout) as { rows: { query: string; queryLength: number | null; textError: string | null }[] }).rows;
    expect(rows.length).toBeGreaterThanOrEqual(7);
    expect(rows.every((r) => r.query.length <= PREFIX)).toBe(true);
    // Reading the texts once makes the server copy all 180 MB: within the monitor's 3 s, the six are their
    // first 400 characters and whole length; past it (a loaded machine), every row says why it has no text.
    const big = rows.filter((r) => (r.queryLength ?? 0) > BIG);
    if (big.length > 0) {
      expect(big).toHaveLength(6);
      expect(big.every((r) => r.query.length === PREFIX && r.query.startsWith('SELECT $1'))).toBe(true);
    } else {
      expect(rows.every((r) => r.query === '' && r.textError === 'canceling statement due to statement timeout')).toBe(true);
    }

    const text = await runPgtop(['--once', '--screen', 'statements', ...server], { PGPASSWORD: cluster.password }, 120_000);
    expect(text.stderr).toBe('');
    expect(text.code).toBe(0);
    expect(text.stdout.length).toBeLessThan(32 * 1024);
    expect(text.stdout).toMatch(/TOTAL\s+MEAN\s+CALLS/);
    // Each run reads the texts anew, in time or not: the screen shows them, or says why not.
    if (!text.stdout.includes('‹text not read›')) expect(text.stdout).toContain('SELECT $1 AS small_marker FROM pg_class LIMIT $2');
    else expect(text.stdout).toContain('texts not read: canceling statement due to statement timeout; tried again later');
  }, 300_000);
});
