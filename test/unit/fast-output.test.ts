// The bundle draws frames with src/ink/fast-output.ts instead of Ink's own
// Output (src/bundle-patches.mjs). Both must give the same screen for the
// same writes: the same text in every cell, and Ink's own result whenever
// writes overlap or a box clips.
import { describe, expect, it } from 'vitest';
import InkOutput from '../../node_modules/ink/build/output.js';
import { styled } from '../../src/components/ansi.js';
import { fastOutputClass, lineWidth } from '../../src/ink/fast-output.js';

const FastOutput = fastOutputClass(InkOutput);
 
const plain = (text: string) => text.replace(/\u001b\[[0-9;]*m/g, '');

type Step = ['write', number, number, string, ((line: string, index: number) => string)[]?] | ['clip', { x1?: number; x2?: number; y1?: number; y2?: number }] | ['unclip'];

function both(width: number, height: number, steps: Step[]) {
  const ink = new InkOutput({ width, height });
  const fast = new FastOutput({ width, height });
  for (const output of [ink, fast]) {
    for (const step of steps) {
      if (step[0] === 'write') output.write(step[1], step[2], step[3], { transformers: step[4] ?? [] });
      else if (step[0] === 'clip') output.clip({ x1: undefined, x2: undefined, y1: undefined, y2: undefined, ...step[1] });
      else output.unclip();
    }
  }
  return { ink: ink.get(), fast: fast.get() };
}

describe('fast output', () => {
  it('draws a dashboard frame cell for cell as Ink does: lines, gaps between writes, styles, transforms, wide characters', () => {
    const rows = ['  4711 idle in tx   UPDATE accounts SET…', '└ 4712 active       Lock:xid←4711', 'データベース 日本 ok'];
    const { ink, fast } = both(60, 8, [
      ['write', 0, 0, `${styled('pgtop', { bold: true, color: 'cyan' })}  PostgreSQL 16.4`],
      ['write', 0, 1, ' 1 activity '],
      ['write', 12, 1, styled(' 2 locks ', { inverse: true })],
      ['write', 30, 1, 'right'],
      // As AnsiLines writes a table: a placeholder replaced line by line.
      ['write', 0, 2, Array(3).fill(' '.repeat(50)).join('\n'), [(_line, i) => styled(rows[i]!, { color: i === 1 ? 'red' : undefined })]],
      ['write', 0, 7, styled('1/3 · sort TIME ↓', { dim: true })],
    ]);
    expect(fast.height).toBe(ink.height);
    expect(plain(fast.output)).toBe(plain(ink.output));
    expect(plain(fast.output).split('\n')[3]).toBe('└ 4712 active       Lock:xid←4711');
  });

  it('gives Ink\'s own result, byte for byte, when writes overlap or a box clips', () => {
    const overlap = both(20, 2, [
      ['write', 0, 0, 'aaaaaaaaaa'],
      ['write', 5, 0, styled('BB', { color: 'red' })],
    ]);
    expect(overlap.fast).toEqual(overlap.ink);
    expect(plain(overlap.fast.output).split('\n')[0]).toBe('aaaaaBBaaa');

    const clipped = both(20, 3, [['clip', { x1: 2, x2: 6 }], ['write', 0, 1, 'abcdefghij'], ['unclip']]);
    expect(clipped.fast).toEqual(clipped.ink);
  });

  it('lets no control character through but its own colours, on the fast path and through Ink\'s fallback', () => {
    const hostile = 'q \u001b]0;pwned\u0007 \u001b[2J \u009b2J';
    const stray = (output: string) => /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/.test(output.replace(/\u001b\[[0-9;]*m/g, ''));
    const fast = new FastOutput({ width: 60, height: 2 });
    fast.write(0, 0, styled('pgtop', { bold: true }), { transformers: [] });
    fast.write(0, 1, styled(hostile, { color: 'red' }), { transformers: [] });
    const frame = fast.get().output;
    expect(stray(frame)).toBe(false);
    expect(frame).toContain('\u001b[1mpgtop\u001b[22m');
    expect(frame).toContain('q \\x1b]0;pwned\\x07 \\x1b[2J \\x9b2J');
    // Overlapping writes go through Ink's own Output: guarded all the same.
    const overlap = both(40, 1, [
      ['write', 0, 0, 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'],
      ['write', 2, 0, hostile],
    ]);
    expect(stray(overlap.ink.output)).toBe(true);
    expect(stray(overlap.fast.output)).toBe(false);
  });

  it('measures lines by what the terminal shows: no escape codes, wide characters twice', () => {
    expect(lineWidth(styled('abc…', { inverse: true }))).toBe(4);
    expect(lineWidth('日本')).toBe(4);
    expect(lineWidth('└ 42')).toBe(4);
  });
});
