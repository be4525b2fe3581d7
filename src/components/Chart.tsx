// A line chart of one series over the session (asciichart), with its title
// and latest value on top, sized to exactly `width` x `height` cells.
import { plot } from 'asciichart';
import { Box, Text } from 'ink';
import React from 'react';
import { terminalText } from '../render/terminal-text.js';

export interface ChartProps {
  title: string;
  /** Oldest first; one point per refresh. */
  values: readonly number[];
  format(value: number): string;
  width: number;
  height: number;
  color: boolean;
}

/** Axis labels are padded to this many characters. */
const LABEL_WIDTH = 8;
/** Label, a space and the axis. */
const AXIS_WIDTH = LABEL_WIDTH + 2;

/** How many points fit beside the axis in `width` columns. */
export function chartPoints(width: number): number {
  return Math.max(2, width - AXIS_WIDTH);
}

/** The chart's lines, without React: `height` rows of the plot (fewer while collecting). */
export function chartLines(values: readonly number[], format: (v: number) => string, width: number, height: number): string[] {
  const series = values.slice(-chartPoints(width));
  if (series.length < 2) return ['collecting: one point per refresh'];
  let min = Math.min(...series);
  let max = Math.max(...series);
  // A flat line still gets the chart's full height, drawn in the middle.
  if (max === min) {
    const pad = Math.abs(min) > 0 ? Math.abs(min) * 0.01 : 1;
    min -= pad;
    max += pad;
  }
  const text = plot([...series], {
    height: Math.max(1, height - 1),
    min,
    max,
    format: (v) => format(v).padStart(LABEL_WIDTH).slice(-LABEL_WIDTH),
  });
  return text.split('\n').map((line) => line.slice(0, width));
}

export function Chart({ title, values, format, width, height, color }: ChartProps): React.ReactElement {
  const latest = values.at(-1);
  const lines = chartLines(values, format, width, Math.max(1, height - 1));
  return (
    <Box flexDirection="column" width={width} height={height} overflow="hidden">
      <Text wrap="truncate">
        <Text bold color={color ? 'cyan' : undefined}>
          {terminalText(title)}
        </Text>
        {latest === undefined ? '' : `  ${format(latest).trim()}`}
      </Text>
      {lines.map((line, i) => (
        <Text key={i} wrap="truncate" dimColor={lines.length === 1}>
          {line}
        </Text>
      ))}
    </Box>
  );
}
