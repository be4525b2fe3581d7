// Rows of the sizes screen: databases, tables (heap, TOAST, indexes), and
// indexes with their usage. Sizes of tables and indexes come from pg_class
// (relpages), so they are as of the last VACUUM, ANALYZE or CREATE INDEX.
import { bool, num, str, type RawRow } from '../row.js';

export interface DatabaseSize {
  database: string;
  /** The database pgtop is connected to. */
  current: boolean;
  allowConnections: boolean;
  /** null when this role may not see it (needs CONNECT or pg_read_all_stats). */
  bytes: number | null;
  connections: number | null;
  /** Seconds since this database's statistics were reset (index scans count from there). */
  statsResetSeconds: number | null;
}

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

/** What maintenance actions aim at: a table by its names, quoted by the server (format('%I.%I')). */
export interface TableRef {
  schema: string;
  table: string;
  /** schema.table as PostgreSQL quotes it: safe to put in a statement as is. */
  qualified: string;
}

export interface TableSize extends TableRef {
  oid: number;
  /** 'r' table, 'm' materialized view. */
  kind: string;
  rowEstimate: number | null;
  /** Never vacuumed or analyzed (PostgreSQL 14+ knows; 13 says null): its sizes are not known yet. */
  neverAnalyzed: boolean | null;
  tableBytes: number;
  toastBytes: number;
  indexBytes: number;
  totalBytes: number;
  indexCount: number;
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

export interface IndexUsage {
  oid: number;
  tableOid: number;
  /** Columns, operator classes, collations, expressions and predicate: equal signatures on one table are duplicates. */
  signature: string;
  schema: string;
  table: string;
  index: string;
  /** The table, quoted by the server: what VACUUM and ANALYZE of this index's table run on. */
  qualifiedTable: string;
  qualifiedIndex: string;
  method: string;
  unique: boolean;
  primary: boolean;
  /** Still being built, or a failed CREATE/REINDEX CONCURRENTLY left it behind. */
  valid: boolean;
  /** Backs a constraint (primary key, unique, exclusion) or a foreign key's referenced key. */
  backsConstraint: boolean;
  scans: number;
  tuplesRead: number;
  tuplesFetched: number;
  /** Seconds since its last scan (PostgreSQL 16+), null when never or unknown. */
  lastScanSeconds: number | null;
  bytes: number;
  /** Other indexes of the same table with the same definition (filled by withDuplicates). */
  duplicates: string[];
  /** No scan since the statistics reset, not unique, backs no constraint: a candidate to drop. */
  unused: boolean;
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

/** The indexes with `duplicates` filled: the other indexes of the same table with the same signature. */
export function withDuplicates(indexes: readonly IndexUsage[]): IndexUsage[] {
  const groups = new Map<string, IndexUsage[]>();
  for (const index of indexes) {
    const key = `${index.tableOid} ${index.signature}`;
    const group = groups.get(key);
    if (group) group.push(index);
    else groups.set(key, [index]);
  }
  return indexes.map((index) => {
    const group = groups.get(`${index.tableOid} ${index.signature}`)!;
    if (group.length < 2) return index;
    return { ...index, duplicates: group.filter((other) => other !== index).map((other) => other.index).sort() };
  });
}
