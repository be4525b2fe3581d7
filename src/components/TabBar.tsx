// The screens, numbered as the number keys reach them; the current one stands out.
// Nine screens do not fit 80 columns by name: then the others shrink to their
// first letters (` 3 sta `), the current one keeps its whole name.
import { Text } from 'ink';
import React from 'react';

export interface TabBarProps {
  tabs: readonly { id: string; title: string }[];
  current: string;
  color: boolean;
  /** Terminal width; when the names do not fit, the other tabs are abbreviated. */
  width?: number;
}

/** Each tab's label: whole names when they fit in `width`, else short ones for all but the current. */
export function tabLabels(tabs: readonly { id: string }[], current: string, width = Infinity): string[] {
  const full = tabs.map((tab, i) => ` ${i + 1} ${tab.id} `);
  if (full.join('').length <= width) return full;
  return tabs.map((tab, i) => (tab.id === current ? full[i]! : ` ${i + 1} ${tab.id.slice(0, 3)} `));
}

export function TabBar({ tabs, current, color, width }: TabBarProps): React.ReactElement {
  const labels = tabLabels(tabs, current, width);
  return (
    <Text wrap="truncate">
      {tabs.map((tab, i) => {
        const active = tab.id === current;
        return (
          <Text key={tab.id} inverse={active} bold={active} color={color && active ? 'cyan' : undefined}>
            {labels[i]}
          </Text>
        );
      })}
    </Text>
  );
}
