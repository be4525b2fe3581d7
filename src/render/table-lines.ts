// The visible rows of a table as styled lines, remembering each cell from
// one frame to the next. From one refresh to the next most cells on screen
// show the same text (a session keeps its user, database, client, query;
// only its durations tick): such a cell is padded, escaped and coloured
// once, not at every refresh. The cache keeps the cells of the last frame
// and of this one only, so it holds no more than two screens of cells.
import { pad } from '../format/format.js';
import { terminalText } from './terminal-text.js';
import type { CellTone, LaidOutColumn, RenderContext } from './table.js';

interface Cell {
  /** Escaped and padded to the column's width. */
  plain: string;
  /** `plain` with its tone's colour codes. */
  styled: string;
}

const TONES: Record<CellTone, number> = { normal: 0, dim: 1, warn: 2, alert: 3, good: 4 };
const TONE_COUNT = 5;

/** Padded, styled cells by column, tone and text, for the frame being drawn and the one before. */
export class CellCache {
  private previous: Map<string, Cell>[] = [];
  private current: Map<string, Cell>[] = [];
  private layout: readonly LaidOutColumn<unknown>[] | null = null;
  /** Cells formatted (not found in the cache) since the cache was made: what a test or the bench counts. */
  formatted = 0;

  constructor(private readonly styleOf: (text: string, tone: CellTone) => string) {}

  cell<Row>(index: number, laidOut: LaidOutColumn<Row>, text: string, tone: CellTone): Cell {
    // One map per column and tone: the same duration is yellow in one row and dim in another.
    const slot = index * TONE_COUNT + TONES[tone];
    const current = (this.current[slot] ??= new Map());
    const known = current.get(text) ?? this.previous[slot]?.get(text);
    if (known) {
      current.set(text, known);
      return known;
    }
    this.formatted += 1;
    const plain = pad(terminalText(text), laidOut.width, laidOut.column.align);
    const made = { plain, styled: this.styleOf(plain, tone) };
    current.set(text, made);
    return made;
  }

  /** The columns of the frame to draw: other columns or widths make other cells. */
  useLayout<Row>(layout: readonly LaidOutColumn<Row>[]): void {
    if (layout === this.layout) return;
    this.layout = layout;
    this.previous = [];
    this.current = [];
  }

  /** The frame is drawn: what it did not show is forgotten at the next. */
  endFrame(): void {
    this.previous = this.current;
    this.current = [];
  }
}

/**
 * One line per visible row: the selected row as plain text (the caller
 * shows it in inverse video), the others with each cell coloured by its
 * tone, or plain when `styled` is false (the columns do not fit).
 */
export function rowLines<Row>(
  layout: readonly LaidOutColumn<Row>[],
  visible: readonly Row[],
  ctx: RenderContext,
  cache: CellCache,
  selected: number,
  styled: boolean,
): string[] {
  cache.useLayout(layout);
  const lines = new Array<string>(visible.length);
  for (let r = 0; r < visible.length; r += 1) {
    const row = visible[r]!;
    const plain = r === selected || !styled;
    let line = '';
    for (let c = 0; c < layout.length; c += 1) {
      const laidOut = layout[c]!;
      const { column } = laidOut;
      const cell = cache.cell(c, laidOut, column.text(row, ctx), column.tone?.(row, ctx) ?? 'normal');
      line += c === 0 ? (plain ? cell.plain : cell.styled) : ' ' + (plain ? cell.plain : cell.styled);
    }
    lines[r] = line;
  }
  cache.endFrame();
  return lines;
}
