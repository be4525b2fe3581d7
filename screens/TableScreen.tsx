// A screen that is a table: the rows of its view, windowed to the space
// there is, with the selection, filter and sort shown under it.
import { Box } from 'ink';
import React from 'react';
import { AnsiLines } from '../src/components/AnsiLines.js';
import { styledLine } from '../src/components/ansi.js';
import { DataTable } from '../src/components/DataTable.js';
import type { ScreenView } from '../src/render/screen-view.js';
import { renderContext } from '../src/render/screen-view.js';
import type { ScreenId } from '../src/screen-ids.js';
import type { QueryResult } from '../src/store/store.js';
import { selectedRowIndex } from '../src/store/cursor.js';
import { useAppEnvironment } from '../hooks/context.js';
import { usePgtop } from '../hooks/usePgtop.js';

export interface TableScreenProps<Row> {
  screen: ScreenId;
  view: ScreenView<Row>;
  width: number;
  height: number;
  /** Lines shown above the table (a summary, a section bar); each counts one row of height. */
  above?: React.ReactNode[];
  /** The query whose state says loading / failed, when it is not the one named like the screen. */
  result?: QueryResult<unknown>;
}

export function TableScreen<Row>({ screen, view, width, height, above = [], result: given }: TableScreenProps<Row>): React.ReactElement {
  const { color } = useAppEnvironment();
  const state = usePgtop((s) => s);
  const rows = view.rows(state);
  const index = selectedRowIndex(state, screen, rows, view.rowKey);
  const result = given ?? state.data.results[screen as keyof typeof state.data.results];
  const filter = state.ui.filter[screen] ?? '';
  const sort = state.ui.sort[screen] ?? view.defaultSort;
  const sortTitle = sort ? view.columns.find((c) => c.id === sort.column)?.title : undefined;
  const tableHeight = Math.max(1, height - 2 - above.length);
  const first = rows.length === 0 ? 0 : Math.min(index + 1, rows.length);
  const footer = [
    `${first}/${rows.length}`,
    filter ? `filter "${filter}"` : '',
    view.sortColumns && sortTitle ? `sort ${sortTitle} ${sort?.descending ? '↓' : '↑'}` : '',
  ]
    .filter(Boolean)
    .join(' · ');
  const problem = result?.disabled ?? result?.error ?? view.notice?.(state) ?? null;
  const emptyText = !result ? 'loading…' : (view.emptyText?.(state) ?? 'nothing to show');
  return (
    <Box flexDirection="column" width={width} height={height}>
      {above}
      <DataTable
        columns={view.columns}
        rows={rows}
        rowKey={view.rowKey}
        selectedIndex={index}
        width={width}
        height={tableHeight - (problem ? 1 : 0)}
        ctx={renderContext(state)}
        color={color}
        emptyText={emptyText}
      />
      <Box flexGrow={1} />
      {/* Styled lines (see AnsiLines): the row count changes with the refresh. */}
      <AnsiLines
        lines={[
          ...(problem ? [styledLine([[problem, color ? { color: 'yellow' } : undefined]], width)] : []),
          styledLine([[footer, { dim: true }]], width),
        ]}
        width={width}
      />
    </Box>
  );
}
