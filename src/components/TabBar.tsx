// The screens, numbered as the number keys reach them; the current one stands out.
import { Text } from 'ink';
import React from 'react';

export interface TabBarProps {
  tabs: readonly { id: string; title: string }[];
  current: string;
  color: boolean;
}

export function TabBar({ tabs, current, color }: TabBarProps): React.ReactElement {
  return (
    <Text wrap="truncate">
      {tabs.map((tab, i) => {
        const active = tab.id === current;
        return (
          <Text key={tab.id} inverse={active} bold={active} color={color && active ? 'cyan' : undefined}>
            {` ${i + 1} ${tab.id} `}
          </Text>
        );
      })}
    </Text>
  );
}
