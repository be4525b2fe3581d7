// The logs screen's body: a line saying whose log this is and whether it
// follows, what the source notes (no previous container…), then the lines
// that fit, newest at the bottom — only the visible ones are drawn, each
// through terminalText (styledLine) with ERROR/FATAL/PANIC in the alert tone
// and WARNING in the warning one. What could not be read is said where the
// lines would be.
import { Box } from 'ink';
import React from 'react';
import { useAppEnvironment, useScreen } from '../../hooks/context.js';
import { usePgtop } from '../../hooks/usePgtop.js';
import { AnsiLines } from '../../src/components/AnsiLines.js';
import { styledLine, type AnsiStyle } from '../../src/components/ansi.js';
import { toneStyle } from '../../src/components/tone.js';
import type { CellTone } from '../../src/render/table.js';
import { screenFailures } from '../definition.js';
import { bottomIndex, following, lineTime, lineTone, logRows, LOGS, shownLog, showingPrevious, unreadable } from './view.js';

function ansiOf(tone: CellTone, color: boolean): AnsiStyle | undefined {
  const style = toneStyle(tone, color);
  return style.color || style.dimColor ? { color: style.color, dim: style.dimColor } : undefined;
}

export function LogsScreen({ width, height }: { width: number; height: number }): React.ReactElement {
  const { color } = useAppEnvironment();
  const state = usePgtop((s) => s);
  const definition = useScreen(LOGS);
  const rows = logRows(state);
  const log = shownLog(state);
  const previous = showingPrevious(state);
  const k8s = state.connection.target.startsWith('k8s');
  const filter = state.ui.filter[LOGS] ?? '';
  const failures = screenFailures(state, definition);

  const which = previous ? "previous container's log, before its last restart (P: current)" : k8s ? 'current container (P: previous)' : 'newest log file';
  // What the user needs first comes first: a narrow terminal cuts the end.
  const title = [follow(state, rows.length), filter ? `filter "${filter}" (${rows.length} lines)` : '', which, log?.origin ?? (k8s ? 'the server container' : 'the server log')]
    .filter(Boolean)
    .join(' · ');
  const head: string[] = [styledLine([[title, { bold: true }]], width)];
  if (previous && !k8s) head.push(styledLine([["the previous container's log is Kubernetes': only with -k (P goes back)", ansiOf('warn', color)]], width));
  if (log?.note && rows.length > 0) head.push(styledLine([[log.note, ansiOf('warn', color)]], width));
  const why = unreadable(state);
  if (why) head.push(styledLine([[why, ansiOf('alert', color)]], width));
  for (const f of failures) head.push(styledLine([[f.text, ansiOf('alert', color)]], width));

  const room = Math.max(1, height - head.length);
  let body: string[];
  if (rows.length === 0) {
    const empty = failures.length || why ? '' : filter ? `no line matches "${filter}"` : (log?.note ?? (previous && !k8s ? '' : 'no log lines yet: loading…'));
    body = empty ? [styledLine([[empty, { dim: true }]], width)] : [];
  } else {
    const last = bottomIndex(state, rows);
    const first = Math.max(0, last - room + 1);
    body = rows.slice(first, last + 1).map((line) => {
      const time = lineTime(line);
      return styledLine(
        [
          ...(time ? ([[`${time} `, ansiOf('dim', color)]] as const) : []),
          [line.text, ansiOf(lineTone(line), color)],
        ],
        width,
      );
    });
  }
  return (
    <Box flexDirection="column" width={width} height={height}>
      <AnsiLines lines={head} width={width} />
      <AnsiLines lines={body} width={width} />
    </Box>
  );
}

/** "following" or where the window holds, and how to follow again. */
function follow(state: Parameters<typeof following>[0], count: number): string {
  if (count === 0) return '';
  return following(state) ? 'following' : 'scrolled up: G follows again';
}
