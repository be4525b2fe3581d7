// A screen that is a table: the rows of its view, windowed to the space
// there is, with the selection, filter and sort shown under it. What failed
// to load is said where the rows would be, never as an empty table; above
// the last good rows, marked stale, when there are some.
import { Box } from 'ink';
import React from 'react';
import { AnsiLines } from '../src/components/AnsiLines.js';
import { styledLine } from '../src/components/ansi.js';
import { DataTable } from '../src/components/DataTable.js';
import { duration } from '../src/format/format.js';
import type { ScreenView } from '../src/render/screen-view.js';
import { renderContext, viewColumns } from '../src/render/screen-view.js';
import type { ScreenId, SourceResult } from '../src/store/store.js';
import { selectedRowIndex } from '../src/store/cursor.js';
import { useAppEnvironment, useScreen } from '../hooks/context.js';
import { usePgtop } from '../hooks/usePgtop.js';
import { screenFailures, sourcesOf } from './definition.js';

export interface TableScreenProps<Row> {
  screen: ScreenId;
  view: ScreenView<Row>;
  width: number;
  height: number;
  /** Lines shown above the table (a summary, a section bar); each counts one row of height. */
  above?: React.ReactNode[];
  /** The result whose state says loading / failed, when it is not the screen's first source's. */
  result?: SourceResult<unknown>;
}

export function TableScreen<Row>({ screen, view, width, height, above = [], result: given }: TableScreenProps<Row>): React.ReactElement {
  const { color } = useAppEnvironment();
  const state = usePgtop((s) => s);
  const rows = view.rows(state);
  const index = selectedRowIndex(state, screen, rows, view.rowKey);
  const definition = useScreen(screen);
  const mainSource = sourcesOf(definition, state)[0];
  const result = given ?? (mainSource ? state.data.results[mainSource] : undefined);
  const filter = state.ui.filter[screen] ?? '';
  const sort = state.ui.sort[screen] ?? view.defaultSort;
  const columns = viewColumns(view, state);
  const sortTitle = sort ? columns.find((c) => c.id === sort.column)?.title : undefined;
  const first = rows.length === 0 ? 0 : Math.min(index + 1, rows.length);
  const footer = [
    `${first}/${rows.length}`,
    filter ? `filter "${filter}"` : '',
    view.sortColumns && sortTitle ? `sort ${sortTitle} ${sort?.descending ? '↓' : '↑'}` : '',
  ]
    .filter(Boolean)
    .join(' · ');
  const failures = screenFailures(state, definition);
  const notice = view.notice?.(state) ?? null;
  // The rows on screen are the last good ones when their own source failed since.
  const ownFailure = result?.disabled ?? result?.error ?? null;
  // First on the line, so that a narrow terminal cuts the error's end, not this.
  const stale = result?.updatedAt ? `stale rows (${duration((Date.now() - result.updatedAt) / 1000)} old): ` : '';
  const failureLines = rows.length === 0 ? [] : failures.map((f) => styledLine([[f.text === ownFailure ? stale + f.text : f.text, color ? { color: 'red' } : undefined]], width));
  const emptyText = failures.length ? failures.map((f) => f.text).join('\n') : !result ? notLoaded(state) : (view.emptyText?.(state) ?? 'nothing to show');
  const tableHeight = Math.max(1, height - 2 - above.length - failureLines.length);
  return (
    <Box flexDirection="column" width={width} height={height}>
      {above}
      {failureLines.length ? <AnsiLines lines={failureLines} width={width} /> : null}
      <DataTable
        columns={columns}
        rows={rows}
        rowKey={view.rowKey}
        selectedIndex={index}
        width={width}
        height={tableHeight - (notice ? 1 : 0)}
        ctx={renderContext(state)}
        color={color}
        emptyText={emptyText}
        emptyTone={failures.length ? 'alert' : 'dim'}
      />
      <Box flexGrow={1} />
      {/* Styled lines (see AnsiLines): the row count changes with the refresh. */}
      <AnsiLines
        lines={[
          ...(notice ? [styledLine([[notice, color ? { color: 'yellow' } : undefined]], width)] : []),
          styledLine([[footer, { dim: true }]], width),
        ]}
        width={width}
      />
    </Box>
  );
}

/** Instead of "loading…" for ever: the rows cannot come while the connection is down. */
function notLoaded(state: { connection: { state: string; lastError: string | null } }): string {
  const { connection } = state;
  if (connection.state !== 'reconnecting' && connection.state !== 'failed') return 'loading…';
  return `not loaded yet: the connection is ${connection.state === 'failed' ? 'lost' : 'down'}${connection.lastError ? ` (${connection.lastError})` : ''}`;
}
