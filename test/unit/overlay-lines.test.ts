import { describe, expect, it } from 'vitest';
import { clampScroll, detailLines, scrollStep, wrapWords } from '../../src/render/overlay-lines.js';

describe('overlay lines', () => {
  it('wrap between words, keep a query line indented, and cut only a word longer than the line', () => {
    expect(wrapWords('SELECT a, b\n  FROM big\n    WHERE x = 1 AND y = 2', 16)).toEqual(['SELECT a, b', '  FROM big', '    WHERE x = 1', '    AND y = 2']);
    expect(wrapWords('averyveryverylongword next', 10)).toEqual(['averyvery…', 'next']);
  });

  it('put each value beside its label, wrapped under the value, and the last field under its label at full width', () => {
    const lines = detailLines(
      [
        ['role', 'app'],
        ['tables', 'SELECT on 4/4 tables in a; SELECT on 4/4 tables in b'],
        ['query', 'SELECT 1'],
      ],
      30,
    ).map((l) => l.text);
    expect(lines).toEqual(['role    app', 'tables  SELECT on 4/4 tables', '        in a; SELECT on 4/4', '        tables in b', 'query', 'SELECT 1']);
  });

  it('scroll within what there is: never before the first line nor past the last page', () => {
    expect(clampScroll(-3, 40, 10)).toBe(0);
    expect(clampScroll(100, 40, 10)).toBe(30);
    expect(clampScroll(Infinity, 40, 10)).toBe(30);
    expect(clampScroll(5, 8, 10)).toBe(0);
    expect(scrollStep('pagedown', 10)).toBe(9);
    expect(scrollStep('x', 10)).toBeNull();
  });
});
