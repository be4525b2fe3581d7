// The bloat screen's body: autovacuum settings, XID age and the maintenance
// running now above the per-table dead tuples.
import { Text } from 'ink';
import React from 'react';
import { useAppEnvironment } from '../../hooks/context.js';
import { usePgtop } from '../../hooks/usePgtop.js';
import { toneStyle } from '../../src/components/tone.js';
import { terminalText } from '../../src/render/terminal-text.js';
import { TableScreen } from '../TableScreen.js';
import { bloatPanel, bloatView } from './view.js';

export function BloatScreen({ width, height }: { width: number; height: number }): React.ReactElement {
  const { color } = useAppEnvironment();
  const results = usePgtop((s) => s.data.results);
  const header = usePgtop((s) => s.data.header);
  // Running maintenance gets at most three lines, and never more than a third of the body.
  const panel = bloatPanel({ results, header }, Math.max(1, Math.floor(height / 3) - 2));
  const above = panel.map((line, i) => (
    <Text key={`panel-${i}`} wrap="truncate" {...toneStyle(line.tone, color)}>
      {/* Names the tables and databases being vacuumed: server text. */}
      {terminalText(line.text)}
    </Text>
  ));
  return <TableScreen screen="bloat" view={bloatView} width={width} height={height} above={above} result={results.bloatTables} />;
}
