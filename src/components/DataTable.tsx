// A dense table that renders only the rows that fit, keeping the selected
// row in view. Our own rather than ink-table: ink-table lays out every row
// (10 000 backends would be 10 000 Boxes per frame) and cannot window. The
// rows are formatted into styled lines here and drawn as one Ink node
// (AnsiLines says why).
import { Box } from 'ink';
import React, { useMemo } from 'react';
import { truncate } from '../format/format.js';
import { wrapWords } from '../render/overlay-lines.js';
import { headerLine, layoutColumns, type CellTone, type Column, type RenderContext } from '../render/table.js';
import { CellCache, rowLines } from '../render/table-lines.js';
import { AnsiLines } from './AnsiLines.js';
import { styled } from './ansi.js';
import { toneAnsi } from './tone.js';

export interface DataTableProps<Row> {
  columns: readonly Column<Row>[];
  rows: readonly Row[];
  rowKey(row: Row): string;
  selectedIndex: number;
  width: number;
  /** Body rows that fit (the header line is extra). */
  height: number;
  ctx: RenderContext;
  color: boolean;
  emptyText: string;
  /** How the empty text looks: dim when it says there is nothing, 'alert' when it says why the rows did not load. */
  emptyTone?: CellTone;
}

/** The first visible row: keep the selection in the middle third when scrolling. */
export function windowStart(selected: number, total: number, height: number): number {
  if (total <= height || selected < 0) return 0;
  const start = selected - Math.floor(height / 2);
  return Math.max(0, Math.min(start, total - height));
}

export function DataTable<Row>(props: DataTableProps<Row>): React.ReactElement {
  const { columns, rows, selectedIndex, width, height, ctx, color, emptyText, emptyTone = 'dim' } = props;
  const layout = useMemo(() => layoutColumns(columns, width), [columns, width]);
  // The cells of the last frame, padded and coloured: an unchanged cell is not formatted again.
  const cache = useMemo(() => new CellCache((text, tone) => toneAnsi(text, tone, color)), [color]);
  const start = windowStart(selectedIndex, rows.length, height);
  const visible = rows.slice(start, start + height);
  // Columns that cannot shrink may not fit a very narrow terminal: then each line is cut (and not coloured).
  const fits = layout.reduce((sum, c) => sum + c.width, 0) + layout.length - 1 <= width;
  const lines = [styled(truncate(headerLine(layout), width), { bold: true })];
  if (visible.length === 0) lines.push(...wrapWords(emptyText, width).map((line) => toneAnsi(line, emptyTone, color)));
  const selected = selectedIndex - start;
  rowLines(layout, visible, ctx, cache, selected, fits).forEach((line, i) => {
    // The selected row is plain text in inverse video; the others colour each cell by its tone.
    if (i === selected) lines.push(styled(truncate(line, width), { inverse: true }));
    else lines.push(fits ? line : truncate(line, width));
  });
  return (
    <Box flexDirection="column" width={width}>
      <AnsiLines lines={lines} width={width} />
    </Box>
  );
}
