import { describe, expect, it } from 'vitest';
import stringWidth from 'string-width';
import { compactNumber, displayWidth, duration, isNarrowText, oneLineSql, pad, percent, truncate } from '../../src/format/format.js';

describe('format', () => {
  it('durations are compact and readable', () => {
    expect(duration(null)).toBe('');
    expect(duration(0.04)).toBe('0.0s');
    expect(duration(3.25)).toBe('3.3s');
    expect(duration(42.9)).toBe('42s');
    expect(duration(245)).toBe('4m05s');
    expect(duration(2 * 3600 + 13 * 60)).toBe('2h13m');
    expect(duration(3 * 86400 + 4 * 3600)).toBe('3d04h');
  });

  it('numbers and percentages', () => {
    expect(compactNumber(null)).toBe('–');
    expect(compactNumber(12.345)).toBe('12.3');
    expect(compactNumber(1234)).toBe('1234');
    expect(compactNumber(45_600)).toBe('45.6k');
    expect(compactNumber(7_200_000)).toBe('7.2M');
    expect(percent(0.9876)).toBe('98.8%');
    expect(percent(null)).toBe('–');
  });

  it('collapses SQL to one line', () => {
    expect(oneLineSql('SELECT *\n  FROM t\n\tWHERE x = 1 ')).toBe('SELECT * FROM t WHERE x = 1');
  });

  it('truncates and pads by display width, wide characters counting two', () => {
    expect(truncate('abcdef', 4)).toBe('abc…');
    expect(truncate('abc', 4)).toBe('abc');
    expect(pad('ab', 4)).toBe('ab  ');
    expect(pad('ab', 4, 'right')).toBe('  ab');
    const wide = pad('表名テーブル', 7);
    expect(displayWidth(wide)).toBe(7);
    expect(wide.startsWith('表名テ')).toBe(true);
  });

  it("measures pgtop's own marks (◀ on the horizon's holder, ‹hidden›) without the Unicode width tables, and as they are", () => {
    // One of them on screen sent every frame through string-width's grapheme segmenter, whose ICU data cost ~4 MB of RSS.
    for (const text of ['12k◀', '‹hidden›', '▶ next', '■□▲▼◆○●']) {
      expect(isNarrowText(text)).toBe(true);
      expect(displayWidth(text)).toBe(stringWidth(text));
    }
    // Two columns wide: still measured by the tables.
    for (const text of ['◽', '◾', '表']) {
      expect(isNarrowText(text)).toBe(false);
      expect(displayWidth(text)).toBe(2);
    }
  });
});
