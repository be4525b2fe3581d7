// The guided session on screen: LearnScreen draws what layout.ts lays out
// from the session's state (src/learn/controller.ts). Keys reach the
// controller through the keymap (n, b, ←, →, Enter, o, X).
import { Box, Text } from 'ink';
import React from 'react';
import { useStore } from 'zustand';
import { useAppEnvironment } from '../../hooks/context.js';
import { DataTable } from '../../src/components/DataTable.js';
import { toneStyle } from '../../src/components/tone.js';
import { terminalText } from '../../src/render/terminal-text.js';
import type { LearnController } from '../../src/learn/controller.js';
import { learnLayout, resultColumns } from './layout.js';

export function LearnScreen({ width, height }: { width: number; height: number }): React.ReactElement {
  const { learn } = useAppEnvironment();
  if (!learn) {
    return <Text>The guided session needs a server: run pgtop learn (or pgtop learn --demo).</Text>;
  }
  return <Session learn={learn} width={width} height={height} />;
}

function Session({ learn, width, height }: { learn: LearnController; width: number; height: number }): React.ReactElement {
  const { color } = useAppEnvironment();
  const state = useStore(learn.state);
  if (state.error) return <Text color={color ? 'red' : undefined}>{terminalText(state.error)}</Text>;
  if (!state.ready) return <Text dimColor>starting the guided session…</Text>;
  const layoutHeight = state.saves ? height : height - 1;
  const blocks = learnLayout({ state, ctx: learn.fillContext(), width, height: layoutHeight });
  return (
    <Box flexDirection="column" width={width} height={height} overflow="hidden">
      {blocks.map((block, b) =>
        block.kind === 'lines' ? (
          block.lines.map((line, i) => (
            // The layout made its lines terminal text already (to measure them); this keeps it so whatever changes there.
            <Text key={`${b}-${i}`} wrap="truncate" bold={line.bold} {...toneStyle(line.tone ?? 'normal', color)}>
              {terminalText(line.text) || ' '}
            </Text>
          ))
        ) : (
          <DataTable
            key={b}
            columns={resultColumns(block.table)}
            // The row's index rides along after its cells: rows may repeat, keys may not.
            rows={block.table.rows.map((row, i) => [...row, String(i)])}
            rowKey={(row) => row[row.length - 1]!}
            selectedIndex={-1}
            width={width}
            height={block.height}
            ctx={{ ownPids: new Set() }}
            color={color}
            emptyText="(no rows)"
          />
        ),
      )}
      {state.saves ? null : <Text dimColor>{'demo: progress is not saved (the demo server is new each time)'}</Text>}
    </Box>
  );
}
