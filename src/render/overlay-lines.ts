// The text of the overlays that can be longer than the screen — Enter's
// details and an action's result — as the lines they are drawn in, so the
// renderer and the key dispatcher agree on how far Up/Down/PgUp/PgDn scroll.
// A role's privileges or a restore's table counts easily pass 24 rows, and
// cutting them off (as a truncated line does) hides what the user asked for.
import { displayWidth, isNarrowText, truncate } from '../format/format.js';
import type { PgtopState } from '../store/store.js';
import { renderContext, type ScreenView } from './screen-view.js';
import { terminalLines } from './terminal-text.js';

/**
 * The text in lines of at most `width` columns, broken between words (as Ink
 * wraps a <Text>). A line's indentation (a query's layout) is kept, also on
 * the lines it wraps into, unless it would take half the width. The text may
 * come from the server (a query, a name, an error): its lines go through
 * terminalLines first, so they are measured as they will show. Linear in the
 * text: a statement's whole text may be 30 MB (a line's width is summed word
 * by word, and a line is a slice of its paragraph, not a string built up).
 */
export function wrapWords(text: string, width: number): string[] {
  const lines: string[] = [];
  for (const paragraph of terminalLines(text)) {
    const spaces = /^ */.exec(paragraph)![0].length;
    const indent = spaces * 2 <= width ? ' '.repeat(spaces) : '';
    const room = width - indent.length;
    // Every character one column wide (most SQL): a word's width is its length.
    const narrow = isNarrowText(paragraph);
    // The line so far is paragraph[start, end) and `used` columns wide; empty until a word that is not.
    let start = spaces;
    let end = spaces;
    let used = 0;
    for (let at = spaces; at <= paragraph.length; ) {
      const space = paragraph.indexOf(' ', at);
      const wordEnd = space === -1 ? paragraph.length : space;
      const wordWidth = narrow ? wordEnd - at : displayWidth(paragraph.slice(at, wordEnd));
      if (end === start) {
        start = at;
        used = wordWidth;
      } else if (used + 1 + wordWidth <= room) {
        used += 1 + wordWidth;
      } else {
        lines.push(fitted(indent + paragraph.slice(start, end), used > room, width));
        start = at;
        used = wordWidth;
      }
      end = wordEnd;
      at = wordEnd + 1;
    }
    lines.push(fitted(indent + paragraph.slice(start, end), used > room, width));
  }
  return lines;
}

/** The line, cut to the width when it is one word wider than its room (every other line fits as it was made). */
function fitted(line: string, tooWide: boolean, width: number): string {
  return tooWide ? truncate(line, width) : line;
}

export interface DetailLine {
  text: string;
  /** Columns at the start drawn bold (a field's label). */
  boldWidth: number;
}

/** The last fields and width laid out, and their lines: each refresh and each scroll key lays out the same 30 MB statement again otherwise. */
let lastLayout: { fields: readonly (readonly [string, string])[]; width: number; lines: DetailLine[] } | null = null;

function sameFields(a: readonly (readonly [string, string])[], b: readonly (readonly [string, string])[]): boolean {
  return a.length === b.length && a.every(([label, value], i) => label === b[i]![0] && value === b[i]![1]);
}

/**
 * Label-value fields as lines: each value wrapped beside its label with a
 * hanging indent; the last field (the query, the statement, the audit) under
 * its label at the full width, as it is the long one.
 */
export function detailLines(fields: readonly (readonly [string, string])[], width: number): DetailLine[] {
  if (lastLayout && lastLayout.width === width && sameFields(lastLayout.fields, fields)) return lastLayout.lines;
  const labelWidth = Math.max(0, ...fields.map(([label]) => label.length)) + 2;
  const valueWidth = Math.max(10, width - labelWidth);
  const lines: DetailLine[] = [];
  fields.forEach(([label, value], i) => {
    if (i === fields.length - 1 && fields.length > 1) {
      if (label) lines.push({ text: label, boldWidth: label.length });
      for (const line of wrapWords(value, width)) lines.push({ text: line, boldWidth: 0 });
      return;
    }
    wrapWords(value, valueWidth).forEach((line, j) => {
      lines.push({ text: (j === 0 ? label : '').padEnd(labelWidth) + line, boldWidth: j === 0 ? label.length : 0 });
    });
  });
  lastLayout = { fields, width, lines };
  return lines;
}

/** The details of the row the overlay shows (it may have gone since Enter). */
export function detailFields(state: PgtopState, view: ScreenView<unknown>, key: string): [string, string][] {
  const row = view.rows(state).find((r) => view.rowKey(r) === key);
  return row !== undefined && view.detail ? view.detail(row, renderContext(state), state) : [['', 'this row is gone: the backend ended or no longer matches']];
}

/** A result box is at most this wide; its border and padding take 4 columns, its border and footer 3 rows, its title the rest. */
export const RESULT_MAX_WIDTH = 100;
const RESULT_FRAME_ROWS = 3;
/** The details view's title and footer. */
export const DETAIL_CHROME_ROWS = 2;

/** An action's result box in a body of this size: its title and lines wrapped, and how many lines show at once. */
export function resultLayout(title: string, lines: readonly string[], width: number, height: number): { title: string[]; lines: string[]; visible: number } {
  const inner = Math.max(10, Math.min(width, RESULT_MAX_WIDTH) - 4);
  const titleLines = wrapWords(title, inner);
  return {
    title: titleLines,
    lines: lines.flatMap((line) => wrapWords(line, inner)),
    visible: Math.max(1, height - RESULT_FRAME_ROWS - titleLines.length),
  };
}

/** The first line shown: the requested scroll, kept within what there is to see. */
export function clampScroll(scroll: number, total: number, visible: number): number {
  return Math.max(0, Math.min(scroll, total - Math.max(1, visible)));
}

/** The keys that move by lines and pages, and where they go (a page keeps one line of the last). */
const SCROLL_KEYS = new Map<string, (visible: number) => number>([
  ['up', () => -1],
  ['down', () => 1],
  ['pageup', (visible) => -Math.max(1, visible - 1)],
  ['pagedown', (visible) => Math.max(1, visible - 1)],
  ['home', () => -Infinity],
  ['end', () => Infinity],
]);
/** Letters that scroll the details too (as j/k/g/G move the selection); in a result box they close it, as any key does. */
const LETTER_KEYS = new Map([['k', 'up'], ['j', 'down'], [' ', 'pagedown'], ['g', 'home'], ['G', 'end']]);

/** How a scroll key moves the first line shown; null for other keys. */
export function scrollStep(key: string, visible: number, letters = true): number | null {
  const name = letters ? (LETTER_KEYS.get(key) ?? key) : key;
  return SCROLL_KEYS.get(name)?.(visible) ?? null;
}
