// The backups screen's body: the table of backup files. Its rows come from
// the directory listing (store.data.backups), not a query result, so this
// tells the table when the listing has arrived and when it failed.
import React from 'react';
import { usePgtop } from '../../hooks/usePgtop.js';
import type { SourceResult } from '../../src/store/store.js';
import { TableScreen } from '../TableScreen.js';
import { backupsView } from './view.js';

export function BackupsScreen({ width, height }: { width: number; height: number }): React.ReactElement {
  const listing = usePgtop((s) => s.data.backups);
  const result: SourceResult<unknown> | undefined = listing
    ? { rows: listing.entries, updatedAt: listing.updatedAt, error: listing.error, disabled: null }
    : undefined;
  return <TableScreen screen="backups" view={backupsView} width={width} height={height} result={result} />;
}
