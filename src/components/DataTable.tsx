// A dense table that renders only the rows that fit, keeping the selected
// row in view. Our own rather than ink-table: ink-table lays out every row
// (10 000 backends would be 10 000 Boxes per frame) and cannot window.
import { Box, Text } from 'ink';
import React from 'react';
import { headerLine, layoutColumns, rowCells, type Column, type RenderContext } from '../render/table.js';
import { toneStyle } from './tone.js';

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
}

/** The first visible row: keep the selection in the middle third when scrolling. */
export function windowStart(selected: number, total: number, height: number): number {
  if (total <= height || selected < 0) return 0;
  const start = selected - Math.floor(height / 2);
  return Math.max(0, Math.min(start, total - height));
}

export function DataTable<Row>(props: DataTableProps<Row>): React.ReactElement {
  const { columns, rows, rowKey, selectedIndex, width, height, ctx, color, emptyText } = props;
  const layout = layoutColumns(columns, width);
  const start = windowStart(selectedIndex, rows.length, height);
  const visible = rows.slice(start, start + height);
  return (
    <Box flexDirection="column" width={width}>
      <Text bold wrap="truncate">
        {headerLine(layout)}
      </Text>
      {visible.length === 0 ? (
        <Text dimColor>{emptyText}</Text>
      ) : (
        visible.map((row, i) => {
          const selected = start + i === selectedIndex;
          const cells = rowCells(layout, row, ctx);
          return (
            <Text key={rowKey(row)} inverse={selected} wrap="truncate">
              {cells.map((cell, c) => (
                <Text key={c} {...(selected ? {} : toneStyle(cell.tone, color))}>
                  {c === 0 ? cell.text : ` ${cell.text}`}
                </Text>
              ))}
            </Text>
          );
        })
      )}
    </Box>
  );
}
