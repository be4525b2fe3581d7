// The bloat screen from fake state: dead tuples and their share, when
// autovacuum comes next, the autovacuum settings, XID age against
// wraparound with its warning, and maintenance running now.
import { afterEach, describe, expect, it } from 'vitest';
import { XID_WRAPAROUND } from '../../src/model/bloat.js';
import { bloatTable, connectedWithResults, horizonHolder, overview, progress, result } from '../support/maintenance-fixtures.js';
import { renderApp, type RenderedApp } from '../support/render-app.js';

let app: RenderedApp | undefined;
afterEach(() => app?.unmount());

const tables = [
  bloatTable({ table: 'orders', liveTuples: 4000, deadTuples: 6000, deadRatio: 0.6, rowEstimate: 10000, lastAutovacuumSeconds: 7200 }),
  bloatTable({ table: 'stock', liveTuples: 1000, deadTuples: 50, deadRatio: 50 / 1050, autovacuumOptions: { autovacuum_enabled: 'false' } }),
  bloatTable({ table: 'tiny', liveTuples: 10, deadTuples: 0, deadRatio: 0, rowEstimate: 10, lastVacuumSeconds: 30 }),
];

describe('bloat screen', () => {
  it('shows dead tuples by count with their share and the next autovacuum, above them the settings and XID age', async () => {
    app = renderApp({ screen: 'bloat', patch: connectedWithResults({ bloatTables: result(tables), bloatOverview: result([overview]), bloatProgress: result([]) }) });
    const frame = await app.waitFor('DEAD%');
    expect(frame).toMatch(/autovacuum on · naptime 60s · vacuum at 50 \+ 20% of rows · analyze at 50 \+ 10% of rows · workers 3/);
    expect(frame).toMatch(/XID age: shop 1\.2M \(1% of freeze_max_age, 0\.1% of wraparound\)/);
    // orders: 6000 dead of 10000 rows; autovacuum comes at 50 + 20% × 10000 = 2050: due.
    expect(frame).toMatch(/orders\s+4000\s+6000\s+60%\s+due\s+2h00m a/);
    expect(frame).toMatch(/stock\s+1000\s+50\s+5%\s+av off/);
    expect(frame).toMatch(/tiny\s+10\s+0\s+0%\s+\+52\s+30s/);
    expect(frame.indexOf('orders')).toBeLessThan(frame.indexOf('stock'));
    await app.press('j', 'enter');
    const detail = await app.waitFor('Bloat: details');
    expect(detail).toMatch(/own autovacuum settings\s+autovacuum_enabled=false/);
    expect(detail).toMatch(/next autovacuum\s+never: autovacuum is off for it/);
  });

  it('shows a running vacuum with its phase and progress, and warns past 50 % of wraparound', async () => {
    const old = { ...overview, databases: [{ database: 'shop', current: true, allowConnections: true, xidAge: 0.6 * XID_WRAPAROUND, mxidAge: 1 }] };
    app = renderApp({
      screen: 'bloat',
      patch: connectedWithResults({ bloatTables: result(tables), bloatOverview: result([old]), bloatProgress: result([progress(), progress({ pid: 7, command: 'VACUUM FULL', relation: 'stock', automatic: false, phase: 'seq scanning heap' })]) }),
    });
    const frame = await app.waitFor('DEAD%');
    expect(frame).toMatch(/VACUUM \(autovacuum\) orders: scanning heap 45% \(90\/200 blocks\) · 12s · pid 4242/);
    expect(frame).toMatch(/VACUUM FULL stock: seq scanning heap 45%/);
    expect(frame).toMatch(/XID age: shop 1\.3G .*60\.0% of wraparound\) · WARN: past 50% of wraparound/);
  });

  it('names what holds the vacuum horizon above the table; a table vacuumed since it began says "held", its details say why, K aims at the holder', async () => {
    const held = [
      // Vacuumed 10 s ago, while the session has held its snapshot for 2m05s: its 700 dead tuples are not yet removable.
      bloatTable({ table: 'bloated', liveTuples: 300, deadTuples: 700, deadRatio: 0.7, rowEstimate: 300, lastVacuumSeconds: 10 }),
      // Not vacuumed since: due, as before.
      bloatTable({ table: 'orders', liveTuples: 4000, deadTuples: 6000, deadRatio: 0.6, rowEstimate: 10000, lastAutovacuumSeconds: 7200 }),
    ];
    app = renderApp({ screen: 'bloat', patch: connectedWithResults({ bloatTables: result(held), bloatOverview: result([overview]), bloatProgress: result([]), horizon: result([horizonHolder()]) }) });
    await app.resize(160, 30);
    let frame = await app.waitFor(/vacuum horizon: pid 4711 \(alice, shop, reporting, idle in transaction\) holds the oldest xmin, 29\.9k xids, 2m05s old · K ends pid 4711/);
    expect(frame).toMatch(/bloated\s+300\s+700\s+70%\s+held\s+10s/);
    expect(frame).toMatch(/orders\s+4000\s+6000\s+60%\s+due/);
    // Sorted by dead tuples: orders first, then bloated.
    await app.press('g', 'j', 'enter');
    frame = await app.waitFor('Bloat: details');
    expect(frame).toMatch(/vacuum horizon\s+700 dead tuples are not yet removable: the oldest xmin is held by pid 4711/);
    await app.press('escape', 'K');
    frame = await app.waitFor('will run');
    expect(frame).toContain('Terminate backend pid 4711');
  });

  it('says nothing holds the horizon when nothing does, and names a prepared transaction with what ends it', async () => {
    app = renderApp({ screen: 'bloat', patch: connectedWithResults({ bloatTables: result(tables), bloatOverview: result([overview]), horizon: result([]) }) });
    await app.resize(160, 30);
    await app.waitFor('vacuum horizon: nothing holds an old xmin');
    app.unmount();
    const prepared = horizonHolder({ kind: 'prepared', pid: null, name: 'order-77', application: null, state: null, seconds: 400 });
    app = renderApp({ screen: 'bloat', patch: connectedWithResults({ bloatTables: result(tables), bloatOverview: result([overview]), horizon: result([prepared]) }) });
    await app.resize(200, 30);
    await app.waitFor(/vacuum horizon: prepared transaction 'order-77' \(owner alice, shop\) holds the oldest xmin, 29\.9k xids, 6m40s old · X on the locks screen rolls it back/);
    await app.press('K');
    await app.waitFor('nothing selected to act on');
  });

  it('v and F aim at the selected table; F wants its name typed', async () => {
    app = renderApp({ screen: 'bloat', patch: connectedWithResults({ bloatTables: result(tables), bloatOverview: result([overview]) }) });
    await app.waitFor('DEAD%');
    await app.press('v');
    await app.waitFor('will run: VACUUM (ANALYZE) public.orders;');
    await app.press('n', 'F');
    await app.waitFor('type orders and Enter to run it');
    await app.press('s', 't', 'o', 'c', 'k', 'enter');
    await app.waitFor('typed "stock" is not "orders": nothing was run');
  });
});
