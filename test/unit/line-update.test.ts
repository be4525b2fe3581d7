// The changed-cells writer behind Ink's incremental rendering: a line on a
// (tiny, one-line) terminal, updated with what lineUpdate writes, shows
// exactly what writing the new line whole shows, in fewer bytes.
import { describe, expect, it } from 'vitest';
import { lineUpdate } from '../../src/ink/line-update.js';

/** The colours and attributes in force, as a terminal keeps them (only what these lines use). */
function styleAfter(style: Record<string, boolean | number>, params: string): Record<string, boolean | number> {
  const next = { ...style };
  for (const code of (params || '0').split(';').map(Number)) {
    if (code === 0) for (const key of Object.keys(next)) delete next[key];
    else if (code === 39) delete next.fg;
    else if (code >= 30 && code <= 37) next.fg = code;
    else if (code === 22) delete next.dim;
    else if (code === 2) next.dim = true;
  }
  return next;
}

/** One terminal line: each cell's character and the colours it was written in. */
function terminalLine(...writes: string[]): string[] {
  const cells: string[] = [];
  let column = 0;
  let style: Record<string, boolean | number> = {};
  for (const text of writes) {
    for (let i = 0; i < text.length; ) {
      const sequence = /^\u001b\[([0-9;]*)([GmK])/.exec(text.slice(i));
      if (sequence) {
        const [all, params, kind] = sequence;
        if (kind === 'G') column = Number(params || 1) - 1;
        else if (kind === 'K') cells.length = Math.min(cells.length, column);
        else style = styleAfter(style, params!);
        i += all.length;
        continue;
      }
      while (cells.length < column) cells.push(' |{}');
      cells[column] = `${text[i]}|${JSON.stringify(style)}`;
      column += 1;
      i += 1;
    }
  }
  return cells;
}

const red = (text: string) => `\u001b[31m${text}\u001b[39m`;
const dim = (text: string) => `\u001b[2m${text}\u001b[22m`;

describe('lineUpdate', () => {
  it('writes only the cells that changed, and the line shows what the whole new line would', () => {
    const cases: [string, string][] = [
      [`  4711 app    ${red('active')}  00:12 SELECT 1`, `  4711 app    ${red('active')}  00:13 SELECT 1`],
      [`  4711 app    ${red('active')}  00:12 SELECT 1`, `  4711 app    ${dim('idle  ')}  00:12 SELECT 1`],
      [`12 ${red('9')}s and a longer tail`, `12 ${red('10')}s`],
      ['short', 'a longer line than before'],
      [`${dim('x')}${red('y')} unchanged middle part ${red('1')}`, `${dim('x')}${dim('y')} unchanged middle part ${red('2')}`],
    ];
    for (const [before, after] of cases) {
      // null: cheaper written whole (Ink does that); otherwise the same line in the end.
      const update = lineUpdate(before, after) ?? `\u001b[1G${after}\u001b[K`;
      expect(terminalLine(before, '\u001b[1G', update)).toEqual(terminalLine(after));
    }
    // A duration that ticks: its two cells, not the line.
    const [before, after] = cases[0]!;
    expect(lineUpdate(before, after)).toBe('\u001b[27G3');
  });

  it('leaves a line it cannot measure cell by cell to Ink (wide characters, escapes other than colours), and a first line', () => {
    expect(lineUpdate('表 1', '表 2')).toBeNull();
    expect(lineUpdate('\u001b]8;;https://x\u0007a\u001b]8;;\u0007', 'b')).toBeNull();
    expect(lineUpdate(undefined, 'b')).toBeNull();
    // Nothing visible changed: nothing to write.
    expect(lineUpdate(`a${red('b')}`, `a\u001b[31mb\u001b[0m`)).toBe('');
  });
});
