// The screens, numbered as the number keys reach them; the current one stands out.
// Nine screens do not fit 80 columns by name: then the others shrink to their
// first letters (` 3 sta `), the current one keeps its whole name.
// Drawn as one styled line (AnsiLines, as the header): the current tab is in
// reverse video with pgtop's own escape codes, so it stands out also where
// Ink's colours are off (NO_COLOR, --no-color, CI=true exported), which would
// otherwise leave no tab marked at all.
import React from 'react';
import { AnsiLines } from './AnsiLines.js';
import { styledLine } from './ansi.js';

export interface TabBarProps {
  tabs: readonly { id: string; title: string }[];
  current: string;
  color: boolean;
  /** Terminal width; when the names do not fit, the other tabs are abbreviated. */
  width: number;
}

/** Each tab's label: whole names when they fit in `width`, else short ones for all but the current. */
export function tabLabels(tabs: readonly { id: string }[], current: string, width = Infinity): string[] {
  const full = tabs.map((tab, i) => ` ${i + 1} ${tab.id} `);
  if (full.join('').length <= width) return full;
  return tabs.map((tab, i) => (tab.id === current ? full[i]! : ` ${i + 1} ${tab.id.slice(0, 3)} `));
}

export function TabBar({ tabs, current, color, width }: TabBarProps): React.ReactElement {
  const labels = tabLabels(tabs, current, width);
  const line = styledLine(
    tabs.map((tab, i) => {
      const active = tab.id === current;
      return [labels[i]!, active ? { inverse: true, bold: true, ...(color ? { color: 'cyan' } : {}) } : undefined] as const;
    }),
    width,
  );
  return <AnsiLines lines={[line]} width={width} />;
}
