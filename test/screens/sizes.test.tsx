// The sizes screen from fake state: tables, indexes (unused, duplicate and
// invalid flagged) and databases, switched with t/i/d, sorted within each
// list; the maintenance keys' confirmations; 10 000 tables cost one screenful.
import { afterEach, describe, expect, it } from 'vitest';
import { connectedWithResults, databaseSize, indexUsage, result, tableSize } from '../support/maintenance-fixtures.js';
import { renderApp, type RenderedApp } from '../support/render-app.js';

let app: RenderedApp | undefined;
afterEach(() => app?.unmount());

const tables = [
  tableSize({ table: 'orders', tableBytes: 800 * 1024 * 1024, toastBytes: 8192, indexBytes: 200 * 1024 * 1024, indexCount: 3 }),
  tableSize({ table: 'events', schema: 'audit', qualified: 'audit.events', tableBytes: 3 * 1024 ** 3, indexBytes: 0, indexCount: 0 }),
  tableSize({ table: 'fresh', neverAnalyzed: true, rowEstimate: null, tableBytes: 0, indexBytes: 0 }),
];
const indexes = [
  indexUsage({ oid: 1, index: 'orders_pkey', primary: true, unique: true, backsConstraint: true, scans: 90000, bytes: 50 * 1024 * 1024 }),
  indexUsage({ oid: 2, index: 'orders_note', scans: 0, unused: true, bytes: 120 * 1024 * 1024 }),
  indexUsage({ oid: 3, index: 'orders_customer', scans: 10, signature: '3 1978 0', bytes: 15 * 1024 * 1024 }),
  indexUsage({ oid: 4, index: 'orders_customer_2', scans: 0, unused: true, signature: '3 1978 0', bytes: 15 * 1024 * 1024 }),
  indexUsage({ oid: 5, index: 'orders_ccnew', valid: false, scans: 0, bytes: 1024 * 1024 }),
];
const databases = [databaseSize({ database: 'shop', current: true, bytes: 4 * 1024 ** 3 }), databaseSize({ database: 'postgres', bytes: 7 * 1024 * 1024 })];
const patch = connectedWithResults({ sizeTables: result(tables), sizeIndexes: result(indexes), sizeDatabases: result(databases) });

describe('sizes screen', () => {
  it('lists tables by total size with heap, TOAST and index sizes, and says which sizes are not known yet', async () => {
    app = renderApp({ screen: 'sizes', patch });
    const frame = await app.waitFor('TOTAL');
    expect(frame).toMatch(/audit\.events\s+1000\s+3\.0 GB\s+0 B\s+0 B\s+3\.0 GB\s+0/);
    expect(frame).toMatch(/orders\s+1000\s+800 MB\s+8\.0 kB\s+200 MB\s+1000 MB\s+3/);
    expect(frame.indexOf('audit.events')).toBeLessThan(frame.indexOf('orders'));
    expect(frame).toMatch(/fresh\s+\?\s+\?/);
    expect(frame).toContain('? = 1 table(s) never vacuumed or analyzed');
  });

  it('i shows the indexes with unused, duplicate and invalid flagged; s sorts by scans; d shows databases', async () => {
    app = renderApp({ screen: 'sizes', patch });
    await app.waitFor('TOTAL');
    await app.press('i');
    let frame = await app.waitFor('FLAGS');
    expect(frame).toMatch(/orders_note\s+orders\s+0\s+100\s+120 MB\s+unused/);
    expect(frame).toMatch(/orders_customer_2\s+.*unused dup of orders_customer/);
    expect(frame).toMatch(/orders_ccnew\s+.*INVALID/);
    expect(frame).toMatch(/orders_pkey\s+.*pk/);
    expect(frame).toContain('2 unused (135 MB), 2 duplicate');
    await app.press('s');
    frame = await app.waitFor('sorted by SCANS ↓');
    expect(frame.indexOf('orders_pkey')).toBeLessThan(frame.indexOf('orders_customer '));
    await app.press('/', 'u', 'n', 'u', 's', 'e', 'd', 'enter');
    frame = await app.waitFor('filter "unused"');
    expect(frame).not.toContain('orders_pkey');
    expect(frame).toContain('orders_note');
    await app.press('escape', 'd');
    frame = await app.waitFor('DATABASE');
    expect(frame).toMatch(/\*shop\s+4\.0 GB/);
    expect(frame.indexOf('*shop')).toBeLessThan(frame.indexOf('postgres '));
    await app.press('enter');
    expect(await app.waitFor('Sizes: details')).toMatch(/size\s+4\.0 GB \(99\.8% of all databases\)/);
  });

  it('v, a, F and R confirm with the exact statement on the selected table or index', async () => {
    app = renderApp({ screen: 'sizes', patch });
    await app.waitFor('TOTAL');
    await app.press('j', 'v');
    await app.waitFor('will run: VACUUM (ANALYZE) public.orders;');
    await app.press('n', 'a');
    await app.waitFor('will run: ANALYZE public.orders;');
    await app.press('n', 'F');
    let frame = await app.waitFor('will run: VACUUM FULL public.orders;');
    expect(frame).toContain('type orders and Enter to run it');
    await app.press('escape', 'R');
    await app.waitFor('will run: REINDEX TABLE CONCURRENTLY public.orders;');
    await app.press('n', 'i');
    await app.waitFor('FLAGS');
    // Indexes by size: orders_note first. R rebuilds it; v vacuums its table.
    await app.press('R');
    await app.waitFor('will run: REINDEX INDEX CONCURRENTLY public.orders_note;');
    await app.press('n', 'v');
    await app.waitFor('will run: VACUUM (ANALYZE) public.orders;');
    // On the databases list, v and a work on the whole connected database; F does not.
    await app.press('n', 'd', 'v');
    frame = await app.waitFor('will run: VACUUM (ANALYZE);');
    expect(frame).toContain('VACUUM (ANALYZE) every table of database shop?');
    await app.press('n', 'a');
    await app.waitFor('will run: ANALYZE;');
    await app.press('n', 'j', 'v');
    await app.waitFor('refused: pgtop is connected to shop; VACUUM works there only: pgtop -d postgres maintains postgres');
    await app.press('F');
    frame = await app.waitFor('nothing selected to act on');
    expect(frame).toContain('F, R: on a table or index (t, i)');
  });

  it('refuses every maintenance key under --read-only', async () => {
    app = renderApp({ screen: 'sizes', readOnly: true, patch });
    await app.waitFor('TOTAL');
    await app.press('F');
    await app.waitFor('read-only mode: refused to run VACUUM FULL audit.events;');
    await app.press('R');
    await app.waitFor('read-only mode: refused to run REINDEX TABLE CONCURRENTLY audit.events;');
  });

  it('shows 10 000 tables one screenful at a time', async () => {
    const many = Array.from({ length: 10_000 }, (_, i) => tableSize({ table: `t${String(i).padStart(5, '0')}`, oid: i + 1, tableBytes: (i + 1) * 8192 }));
    app = renderApp({ screen: 'sizes', patch: connectedWithResults({ sizeTables: result(many) }) });
    let frame = await app.waitFor('1/10000');
    // Header, tabs, the section bar, the column titles, rows, footer, status, hints: 24 lines.
    expect(frame.split('\n').length).toBeLessThanOrEqual(24);
    expect(frame).toContain('t09999');
    const started = Date.now();
    await app.press('G');
    frame = await app.waitFor('10000/10000');
    expect(frame).toContain('t00000');
    expect(Date.now() - started).toBeLessThan(1500);
  });
});
