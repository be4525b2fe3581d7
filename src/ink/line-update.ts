// What to write to turn a line already on the terminal into the next one,
// for Ink's incremental rendering (put into its log-update by
// src/bundle-patches.mjs): only the run of cells that changed, as curses
// does, instead of the whole line. A refresh of the activity screen changes
// a few digits on most lines (durations tick); written whole, that was ~9 kB
// a refresh at 200x50, what a slow SSH link carries every second.
// Lines are compared cell by cell, a cell being one character and the SGR
// styles in force for it. Anything else (a wide or combining character, an
// escape sequence other than SGR) returns null: the caller writes the whole
// line, as Ink does.
import { isNarrowText } from '../format/format.js';

const ESC = '\u001b';
const RESET = `${ESC}[0m`;
const SGR = /\u001b\[([0-9;]*)m/y;

interface Cells {
  chars: string[];
  /** The style in force for each cell, as one SGR sequence from a reset ('' when none). */
  styles: string[];
}

/** What a run of SGR parameters leaves in force: attributes by slot (fg, bg, 1…9), so two ways of writing one style compare equal. */
function applySgr(state: Map<string, string>, params: string): void {
  const codes = params === '' ? [0] : params.split(';').map(Number);
  for (let i = 0; i < codes.length; i += 1) {
    const code = codes[i]!;
    if (code === 0) state.clear();
    else if (code === 38 || code === 48) {
      // 38;5;n or 38;2;r;g;b: an extended colour takes its parameters along.
      const length = codes[i + 1] === 5 ? 3 : codes[i + 1] === 2 ? 5 : 1;
      state.set(code === 38 ? 'fg' : 'bg', codes.slice(i, i + length).join(';'));
      i += length - 1;
    } else if ((code >= 30 && code <= 37) || (code >= 90 && code <= 97)) state.set('fg', String(code));
    else if (code === 39) state.delete('fg');
    else if ((code >= 40 && code <= 47) || (code >= 100 && code <= 107)) state.set('bg', String(code));
    else if (code === 49) state.delete('bg');
    else if (code === 22) {
      state.delete('1');
      state.delete('2');
    } else if (code >= 23 && code <= 29) state.delete(String(code - 20));
    else if (code >= 1 && code <= 9) state.set(String(code), String(code));
    else state.set(`other${code}`, String(code)); // unknown: kept, so the cell compares as styled
  }
}

function sgrOf(state: Map<string, string>): string {
  return state.size === 0 ? '' : `${ESC}[${[...state.values()].join(';')}m`;
}

function cellsOf(line: string): Cells | null {
  const chars: string[] = [];
  const styles: string[] = [];
  const state = new Map<string, string>();
  let style = '';
  let plain = '';
  for (let i = 0; i < line.length; ) {
    if (line.charCodeAt(i) === 0x1b) {
      SGR.lastIndex = i;
      const match = SGR.exec(line);
      if (!match) return null; // not a colour: leave the line to Ink
      applySgr(state, match[1]!);
      style = sgrOf(state);
      i += match[0].length;
      continue;
    }
    chars.push(line[i]!);
    styles.push(style);
    plain += line[i]!;
    i += 1;
  }
  // A cell must be one column: anything wider or combining goes through Ink's whole-line write.
  return isNarrowText(plain) ? { chars, styles } : null;
}

/** Unchanged cells between two changed runs shorter than this are written again rather than jumped over (a jump costs ~5 bytes and a style). */
const JOIN_GAP = 8;

/**
 * The escape sequences and text that make the terminal's current line (the
 * cursor at its start) show `next` where it showed `previous`, leaving the
 * cursor on that line; null when the whole line must be written.
 */
export function lineUpdate(previous: string | undefined, next: string): string | null {
  if (previous === undefined) return null;
  const before = cellsOf(previous);
  const after = cellsOf(next);
  if (!before || !after) return null;
  const same = (i: number) => before.chars[i] === after.chars[i] && before.styles[i] === after.styles[i];
  // The runs of changed cells, near ones joined.
  const runs: [number, number][] = [];
  for (let i = 0; i < after.chars.length; i += 1) {
    if (same(i)) continue;
    const run = runs[runs.length - 1];
    if (run && i - run[1] <= JOIN_GAP) run[1] = i;
    else runs.push([i, i]);
  }
  let out = '';
  for (const [first, last] of runs) {
    out += `${ESC}[${first + 1}G`;
    // Every write, Ink's and these, leaves the terminal with no style in force.
    let style = '';
    for (let i = first; i <= last; i += 1) {
      if (after.styles[i] !== style) {
        style = after.styles[i]!;
        out += RESET + style;
      }
      out += after.chars[i];
    }
    if (style) out += RESET;
  }
  // The line got shorter: clear what is left of the old one.
  if (after.chars.length < before.chars.length) out += `${ESC}[${after.chars.length + 1}G${ESC}[K`;
  // More than Ink's whole line (the line, a move to its start and an erase): the whole line.
  return out.length > next.length + 7 ? null : out;
}
