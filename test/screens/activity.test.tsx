import { afterEach, describe, expect, it } from 'vitest';
import { backend, connectedWith } from '../support/fixtures.js';
import { renderApp, type RenderedApp } from '../support/render-app.js';

let app: RenderedApp | undefined;
afterEach(() => app?.unmount());

const backends = [
  backend({ pid: 101, user: 'alice', application: 'billing', query: 'SELECT * FROM invoices WHERE paid = false', querySeconds: 12, xactSeconds: 12 }),
  backend({ pid: 102, user: 'bob', database: 'crm', application: 'reports', state: 'idle in transaction', query: 'UPDATE accounts SET x = 1', xactSeconds: 95, querySeconds: 90 }),
  backend({ pid: 103, user: 'carol', state: 'idle', query: 'COMMIT', querySeconds: 400, xactSeconds: null }),
  backend({ pid: 900, user: 'postgres', application: 'pgtop', query: 'SELECT … pg_stat_activity', querySeconds: 0.01, xactSeconds: 0.01 }),
];

describe('activity screen', () => {
  it('shows the header and every backend with the SPEC columns, pgtop\'s own session marked', async () => {
    app = renderApp({ patch: connectedWith(backends, [], [900]) });
    await app.resize(160, 30);
    const frame = await app.waitFor('CLIENT');
    expect(frame).toContain('PostgreSQL 15.18');
    expect(frame).toContain('db shop');
    expect(frame).toContain('direct 127.0.0.1:5432 connected');
    expect(frame).toMatch(/conn 12\/100/);
    expect(frame).toContain('TPS 42.5');
    expect(frame).toContain('cache hit 99.1%');
    expect(frame).toContain('every 2s');
    expect(frame).toMatch(/PID\s+USER\s+DB\s+APP\s+CLIENT\s+STATE\s+WAIT\s+XACT\s+XMIN AGE\s+TIME\s+QUERY/);
    expect(frame).toContain('10.0.0.7:51234');
    expect(frame).toContain('*900');
    expect(frame).toContain('idle in tx');
    expect(frame).toContain('SELECT * FROM invoices');
  });

  it('sorts the busiest first: the longest transaction idle in it, then the longest query', async () => {
    app = renderApp({ patch: connectedWith(backends) });
    const frame = await app.waitFor('alice');
    const order = ['102', '101', '900', '103'].map((pid) => frame.indexOf(` ${pid} `));
    expect(order).toEqual([...order].sort((a, b) => a - b));
  });

  it('filters with / on user, app, state and query text; Esc clears', async () => {
    app = renderApp({ patch: connectedWith(backends) });
    await app.waitFor('alice');
    await app.press('/', 'r', 'e', 'p', 'o');
    let frame = await app.waitFor((f) => !f.includes('alice'));
    expect(frame).toContain('bob');
    expect(frame).toContain('/repo');
    await app.press('enter');
    frame = await app.waitFor('filter "repo"');
    expect(frame).not.toContain('carol');
    await app.press('escape');
    frame = await app.waitFor('carol');
    expect(frame).toContain('alice');
    await app.press('/', 'i', 'n', 'v', 'o', 'i', 'c', 'e', 's', 'enter');
    frame = await app.waitFor((f) => !f.includes('bob'));
    expect(frame).toContain('alice');
  });

  it('s cycles the sort column and S reverses it, saying so', async () => {
    app = renderApp({ patch: connectedWith(backends) });
    await app.waitFor('alice');
    await app.press('s');
    let frame = await app.waitFor('sorted by XACT ↓');
    await app.press('s');
    frame = await app.waitFor('sorted by XMIN AGE ↓');
    await app.press('s');
    frame = await app.waitFor('sorted by PID ↓');
    expect(frame.indexOf(' 900 ')).toBeLessThan(frame.indexOf(' 101 '));
    await app.press('S');
    frame = await app.waitFor('sorted by PID ↑');
    expect(frame.indexOf(' 101 ')).toBeLessThan(frame.indexOf(' 900 '));
  });

  it('shows how old each xmin is and marks the oldest, pgtop\'s own left out; s sorts by it', async () => {
    const holding = [
      backend({ pid: 201, user: 'alice', state: 'idle in transaction', xminAge: 29_861, backendXmin: '1000', xactSeconds: 400 }),
      backend({ pid: 202, user: 'bob', xminAge: 3, backendXmin: '30858' }),
      backend({ pid: 203, user: 'carol', xminAge: null }),
      // pgtop's own monitor holds a snapshot while it reads: never the one to blame.
      backend({ pid: 900, user: 'postgres', xminAge: 40_000 }),
    ];
    app = renderApp({ patch: connectedWith(holding, [], [900]) });
    await app.resize(160, 30);
    let frame = await app.waitFor('XMIN AGE');
    expect(frame).toMatch(/201 .*idle in tx .*29\.9k◀/);
    expect(frame).toMatch(/202 .* 3 /);
    expect(frame).not.toMatch(/40\.0k◀/);
    await app.press('s', 's');
    frame = await app.waitFor('sorted by XMIN AGE ↓');
    const order = ['900', '201', '202'].map((pid) => frame.indexOf(`${pid} `));
    expect(order).toEqual([...order].sort((a, b) => a - b));
    await app.press('g', 'j', 'enter');
    frame = await app.waitFor('29861 xids old');
    expect(frame).toContain('the oldest of any session, it holds back what VACUUM may remove; K ends it');
  });

  it('Enter shows the whole query and the backend details; Esc goes back', async () => {
    const long = 'SELECT ' + Array.from({ length: 40 }, (_, i) => `column_${i}`).join(', ') + ' FROM wide_table';
    app = renderApp({ patch: connectedWith([backend({ pid: 555, query: long, blockedBy: [77], waitEventType: 'Lock', waitEvent: 'transactionid' })]) });
    await app.waitFor('555');
    await app.press('enter');
    const frame = await app.waitFor('details');
    expect(frame).toContain('column_39 FROM wide_table');
    expect(frame).toMatch(/blocked by\s+77/);
    expect(frame).toMatch(/client\s+10\.0\.0\.7:51234/);
    await app.press('escape');
    await app.waitFor('QUERY');
  });

  it('moves the selection with j/k and the arrows, and the action targets the selected row', async () => {
    app = renderApp({ patch: connectedWith(backends) });
    await app.waitFor('alice');
    await app.press('j', 'down', 'k', 'c');
    await app.waitFor('Cancel the running query of pid 101');
    expect(app.calls.requested).toEqual([{ actionId: 'cancelQuery', target: expect.objectContaining({ pid: 101 }) }]);
  });

  it('marks what a pg_monitor-less role may not see as hidden, not as an error', async () => {
    app = renderApp({ patch: connectedWith([backend({ pid: 321, user: 'other', query: '', hidden: true, client: null, state: null })]) });
    const frame = await app.waitFor('321');
    expect(frame).toContain('‹hidden›');
    expect(frame).toContain('needs pg_read_all_stats');
  });

  it('says when there are many rows how far down the list the selection is, and renders only what fits', async () => {
    const many = Array.from({ length: 5000 }, (_, i) => backend({ pid: 10_000 + i, querySeconds: i, query: `SELECT ${i}` }));
    app = renderApp({ patch: connectedWith(many) });
    let frame = await app.waitFor('1/5000');
    expect(frame.split('\n').length).toBeLessThanOrEqual(24);
    await app.press('G');
    frame = await app.waitFor('5000/5000');
    expect(frame).toContain('10000');
    await app.press('pageup');
    frame = await app.waitFor((f) => !f.includes('5000/5000'));
    expect(frame).not.toContain(' 10000 ');
  });
});
