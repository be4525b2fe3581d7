// Database, table and index sizes, and the index findings: duplicates.

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
