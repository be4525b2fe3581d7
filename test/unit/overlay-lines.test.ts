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

  it('wrap a statement of megabytes into lines that hold every word in order, and lay the same details out once', () => {
    const words = Array.from({ length: 300_000 }, (_, i) => `$${i + 1},`);
    const text = `SELECT * FROM t WHERE id IN (${words.join(' ')} 0)`;
    const lines = wrapWords(text, 80);
    expect(lines.every((line) => line.length <= 80)).toBe(true);
    expect(lines.join(' ')).toBe(text);
    // Each line is as full as it can be: the next word would not fit on it.
    expect(lines.slice(0, -1).every((line, i) => line.length + 1 + lines[i + 1]!.split(' ')[0]!.length > 80)).toBe(true);
    // Each refresh and each scroll key asks for the same layout: it is not made again.
    const fields: [string, string][] = [['calls', '3'], ['statement', text]];
    expect(detailLines([['calls', '3'], ['statement', text]], 80)).toBe(detailLines(fields, 80));
    expect(detailLines(fields, 60)).not.toBe(detailLines(fields, 80));
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
