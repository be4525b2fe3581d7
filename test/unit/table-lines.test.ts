import { describe, expect, it } from 'vitest';
import { activityColumns, type ActivityRow } from '../../screens/activity/view.js';
import { layoutColumns, rowLine } from '../../src/render/table.js';
import { CellCache, rowLines } from '../../src/render/table-lines.js';

const ctx = { ownPids: new Set<number>([100]) };
const layout = layoutColumns(activityColumns, 200);

/** Sessions one refresh later each time: same users, clients, queries; durations grow by a second. */
function sessions(refresh: number): ActivityRow[] {
  return Array.from({ length: 40 }, (_, i) => ({
    pid: 100 + i,
    user: `app_${i % 3}`,
    database: 'shop',
    application: 'svc',
    client: `10.0.0.${i}:5000`,
    backendType: 'client backend',
    state: i % 2 ? 'active' : 'idle',
    waitEventType: null,
    waitEvent: null,
    xactSeconds: i % 2 ? 100 + i + refresh : null,
    querySeconds: 100 + i + refresh,
    stateSeconds: 100 + i + refresh,
    backendSeconds: 1000,
    backendXid: null,
    backendXmin: null,
    xminAge: null,
    leaderPid: null,
    blockedBy: [],
    query: `SELECT ${i}`,
    hidden: false,
  }));
}

describe('the table rows as lines', () => {
  it('shows what the text table shows', () => {
    const rows = sessions(0);
    const lines = rowLines(layout, rows, ctx, new CellCache((text) => text), -1, false);
    expect(lines).toEqual(rows.map((row) => rowLine(layout, row, ctx)));
  });

  it('formats again only the cells whose text changed since the last frame', () => {
    const cache = new CellCache((text, tone) => `<${tone}>${text}`);
    rowLines(layout, sessions(0), ctx, cache, 3, true);
    const first = cache.formatted;
    // Cells repeat within a frame too (users, database, state): fewer than one per cell.
    expect(first).toBeLessThan(40 * layout.length);
    expect(first).toBeGreaterThan(40 * 2);
    const again = rowLines(layout, sessions(0), ctx, cache, 3, true);
    expect(cache.formatted).toBe(first);
    // A second later only TIME (every row) and XACT (the 20 active rows) have new text: at most
    // those 60 cells are formatted again, of the 40 rows' 600.
    const later = rowLines(layout, sessions(1), ctx, cache, 3, true);
    expect(layout.length).toBe(15);
    expect(cache.formatted - first).toBeLessThanOrEqual(40 + 20);
    expect(later).not.toEqual(again);
    expect(later[3]).not.toContain('<');
    expect(later[5]).toMatch(/<good>active\s*/);
    expect(later[0]!.replace(/<[a-z]+>/g, '')).toBe(rowLine(layout, sessions(1)[0]!, ctx));
  });
});
