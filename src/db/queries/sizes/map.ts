// Rows of the sizes screen into src/model/sizes.ts: databases, tables
// (heap, TOAST, indexes), and indexes with their usage. Sizes of tables and
// indexes come from pg_class (relpages), so they are as of the last VACUUM,
// ANALYZE or CREATE INDEX.

import { bool, num, str, type RawRow } from '../row.js';
import type { DatabaseSize, IndexUsage, TableSize } from '../../../model/sizes.js';

export function mapDatabaseSize(row: RawRow): DatabaseSize {
  return {
    database: str(row, 'database') ?? '',
    current: bool(row, 'current') ?? false,
    allowConnections: bool(row, 'allow_connections') ?? true,
    bytes: num(row, 'bytes'),
    connections: num(row, 'connections'),
    statsResetSeconds: num(row, 'stats_reset_seconds'),
  };
}

export function mapTableSize(row: RawRow): TableSize {
  const tableBytes = num(row, 'table_bytes') ?? 0;
  const toastBytes = num(row, 'toast_bytes') ?? 0;
  const indexBytes = num(row, 'index_bytes') ?? 0;
  const rowEstimate = num(row, 'row_estimate');
  return {
    oid: num(row, 'oid') ?? 0,
    schema: str(row, 'schema_name') ?? '',
    table: str(row, 'table_name') ?? '',
    qualified: str(row, 'qualified_name') ?? '',
    kind: str(row, 'kind') ?? 'r',
    rowEstimate: rowEstimate !== null && rowEstimate < 0 ? null : rowEstimate,
    neverAnalyzed: bool(row, 'never_analyzed'),
    tableBytes,
    toastBytes,
    indexBytes,
    totalBytes: tableBytes + toastBytes + indexBytes,
    indexCount: num(row, 'index_count') ?? 0,
  };
}

export function mapIndexUsage(row: RawRow): IndexUsage {
  const scans = num(row, 'scans') ?? 0;
  const unique = bool(row, 'is_unique') ?? false;
  const backsConstraint = bool(row, 'backs_constraint') ?? false;
  return {
    oid: num(row, 'oid') ?? 0,
    tableOid: num(row, 'table_oid') ?? 0,
    signature: str(row, 'signature') ?? '',
    schema: str(row, 'schema_name') ?? '',
    table: str(row, 'table_name') ?? '',
    index: str(row, 'index_name') ?? '',
    qualifiedTable: str(row, 'qualified_table') ?? '',
    qualifiedIndex: str(row, 'qualified_index') ?? '',
    method: str(row, 'method') ?? '',
    unique,
    primary: bool(row, 'is_primary') ?? false,
    valid: bool(row, 'is_valid') ?? true,
    backsConstraint,
    scans,
    tuplesRead: num(row, 'tuples_read') ?? 0,
    tuplesFetched: num(row, 'tuples_fetched') ?? 0,
    lastScanSeconds: num(row, 'last_scan_seconds'),
    bytes: num(row, 'bytes') ?? 0,
    duplicates: [],
    unused: scans === 0 && !unique && !backsConstraint,
  };
}
