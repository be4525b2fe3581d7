// The roles screen's body: the roles table, or with `A` the audit's
// findings; both are plain tables of their own columns.
import React from 'react';
import { usePgtop } from '../../hooks/usePgtop.js';
import { TableScreen } from '../TableScreen.js';
import { auditTableView, rolesTableView } from './view.js';

export function RolesScreen({ width, height }: { width: number; height: number }): React.ReactElement {
  const audit = usePgtop((s) => s.ui.screenMode?.roles === 'audit');
  return audit ? (
    <TableScreen screen="roles" view={auditTableView} width={width} height={height} />
  ) : (
    <TableScreen screen="roles" view={rolesTableView} width={width} height={height} />
  );
}
