// The sizes screen's body: a bar naming the three lists (t, i, d) with the
// one on screen highlighted, and that list as a table with its own columns.
import { Text } from 'ink';
import React from 'react';
import { useAppEnvironment } from '../../hooks/context.js';
import { usePgtop } from '../../hooks/usePgtop.js';
import { TableScreen } from '../TableScreen.js';
import { sizesResult, sizesSection, sizesSectionView, sizesView, type SizesSection } from './view.js';

const TABS: readonly [SizesSection, string][] = [
  ['tables', 't tables'],
  ['indexes', 'i indexes'],
  ['databases', 'd databases'],
];

export function SizesScreen({ width, height }: { width: number; height: number }): React.ReactElement {
  const { color } = useAppEnvironment();
  const section = usePgtop(sizesSection);
  const result = usePgtop(sizesResult);
  const view = React.useMemo(() => ({ ...sizesView, ...sizesSectionView(section) }), [section]);
  const bar = (
    <Text key="sections" wrap="truncate">
      {TABS.map(([id, label]) => (
        <Text key={id} inverse={id === section} bold={id === section} color={color && id === section ? 'cyan' : undefined}>
          {` ${label} `}
        </Text>
      ))}
      <Text dimColor>{'  sizes from pg_class: as of the last VACUUM/ANALYZE'}</Text>
    </Text>
  );
  return <TableScreen screen="sizes" view={view} width={width} height={height} above={[bar]} result={result} />;
}
