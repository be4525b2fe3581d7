// Lines that pgtop has already laid out and styled (ANSI), drawn as one Ink
// node. Why not one <Text> per line: Ink measures every text whose content
// changed with Yoga, and caches each measured string in a module-level Map
// that is never emptied (ink/build/measure-text.js). A table whose durations
// tick every second adds ~50 new strings a second to it, for as long as
// pgtop runs (~100 MB an hour). Here Ink lays out a placeholder of spaces
// that changes only with the size, and <Transform> swaps in the real lines
// as it writes the frame. That is also far cheaper per refresh: nothing to
// measure, no nested <Text> per cell, no width computed twice.
import { Transform } from 'ink';
import React, { useCallback, useMemo } from 'react';

export interface AnsiLinesProps {
  /** Each at most `width` columns wide (the caller pads and truncates); may hold SGR codes. */
  lines: readonly string[];
  width: number;
}

export function AnsiLines({ lines, width }: AnsiLinesProps): React.ReactElement | null {
  const count = lines.length;
  const placeholder = useMemo(() => Array.from({ length: count }, () => ' '.repeat(Math.max(1, width))).join('\n'), [count, width]);
  const transform = useCallback((_placeholder: string, index: number) => lines[index] ?? '', [lines]);
  if (count === 0) return null;
  return <Transform transform={transform}>{placeholder}</Transform>;
}
