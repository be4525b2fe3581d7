import { describe, expect, it } from 'vitest';
import { layoutColumns, sortRows, textTable, type Column } from '../../src/render/table.js';

interface R { a: string; n: number | null }
const columns: Column<R>[] = [
  { id: 'a', title: 'A', width: 6, text: (r) => r.a, sortValue: (r) => r.a },
  { id: 'n', title: 'N', width: 5, align: 'right', priority: 2, text: (r) => String(r.n ?? ''), sortValue: (r) => r.n },
  { id: 'opt', title: 'OPT', width: 10, priority: 5, text: () => 'optional' },
  { id: 'q', title: 'Q', width: 'flex', minWidth: 8, text: (r) => `query ${r.a}` },
];
const ctx = { ownPids: new Set<number>() };

describe('table layout', () => {
  it('gives the flex column what is left', () => {
    const layout = layoutColumns(columns, 60);
    expect(layout.map((l) => l.width)).toEqual([6, 5, 10, 60 - 6 - 5 - 10 - 3]);
  });

  it('drops the least important columns first when narrow', () => {
    expect(layoutColumns(columns, 28).map((l) => l.column.id)).toEqual(['a', 'n', 'q']);
    expect(layoutColumns(columns, 16).map((l) => l.column.id)).toEqual(['a', 'q']);
  });

  it('prints text tables with a header', () => {
    const lines = textTable(columns, [{ a: 'x', n: 1 }], ctx);
    expect(lines[0]).toMatch(/^A\s+N OPT\s+Q$/);
    expect(lines[1]).toBe('x          1 optional   query x');
  });

  it('sorts with nulls last in both directions, stable on ties', () => {
    const rows: R[] = [{ a: 'b', n: null }, { a: 'a', n: 2 }, { a: 'c', n: 2 }, { a: 'd', n: 9 }];
    const n = columns[1];
    expect(sortRows(rows, n, true).map((r) => r.a)).toEqual(['d', 'a', 'c', 'b']);
    expect(sortRows(rows, n, false).map((r) => r.a)).toEqual(['a', 'c', 'd', 'b']);
    // Text sorts too (another path: numbers go through a Float64Array).
    expect(sortRows(rows, columns[0], true).map((r) => r.a)).toEqual(['d', 'c', 'b', 'a']);
  });
});
