// The sizes screen's three lists, each its columns and its details:
// tables (heap, TOAST, indexes, total), indexes (usage, unused and
// duplicate flagged) and databases. view.ts puts them together.
import type { DatabaseSize, IndexUsage, TableSize } from '../../src/model/sizes.js';
import { compactNumber, duration, HIDDEN, percent } from '../../src/format/format.js';
import { bytes } from '../../src/format/size.js';
import type { Column } from '../../src/render/table.js';

export type SizesRow =
  | { kind: 'table'; table: TableSize }
  | { kind: 'index'; index: IndexUsage }
  | { kind: 'database'; database: DatabaseSize; share: number | null };

/** "orders", or "sales.orders" outside public: the name as a person looks for it. */
export function displayName(schema: string, name: string): string {
  return schema === 'public' ? name : `${schema}.${name}`;
}

// ---- tables ----

export const tableColumns: readonly Column<SizesRow & { kind: 'table' }>[] = [
  { id: 'table', title: 'TABLE', width: 'flex', minWidth: 20, text: (r) => displayName(r.table.schema, r.table.table), sortValue: (r) => displayName(r.table.schema, r.table.table) },
  { id: 'rows', title: 'ROWS~', width: 7, align: 'right', priority: 3, text: (r) => (r.table.rowEstimate === null ? '?' : compactNumber(r.table.rowEstimate)), sortValue: (r) => r.table.rowEstimate },
  { id: 'heap', title: 'TABLE', width: 8, align: 'right', text: (r) => sizeText(r.table, r.table.tableBytes), sortValue: (r) => r.table.tableBytes },
  { id: 'toast', title: 'TOAST', width: 8, align: 'right', priority: 2, text: (r) => sizeText(r.table, r.table.toastBytes), sortValue: (r) => r.table.toastBytes },
  { id: 'indexes', title: 'INDEXES', width: 8, align: 'right', priority: 1, text: (r) => sizeText(r.table, r.table.indexBytes), sortValue: (r) => r.table.indexBytes },
  { id: 'total', title: 'TOTAL', width: 8, align: 'right', text: (r) => sizeText(r.table, r.table.totalBytes), sortValue: (r) => r.table.totalBytes },
  { id: 'count', title: 'IDX', width: 3, align: 'right', priority: 4, text: (r) => String(r.table.indexCount), sortValue: (r) => r.table.indexCount },
];

function sizeText(t: TableSize, value: number): string {
  return t.neverAnalyzed ? '?' : bytes(value);
}

export function tableDetail(t: TableSize): [string, string][] {
  return [
    ['table', `${t.qualified}${t.kind === 'm' ? ' (materialized view)' : ''}`],
    ['rows (estimate)', t.rowEstimate === null ? 'not known until the first VACUUM or ANALYZE' : String(Math.round(t.rowEstimate))],
    ['table (heap)', bytes(t.tableBytes)],
    ['TOAST', bytes(t.toastBytes)],
    [`indexes (${t.indexCount})`, bytes(t.indexBytes)],
    ['total', bytes(t.totalBytes)],
    [
      'how measured',
      t.neverAnalyzed
        ? 'never vacuumed or analyzed: press a (ANALYZE) to measure it'
        : 'pg_class.relpages × block size, as of the last VACUUM, ANALYZE or CREATE INDEX (a to refresh)',
    ],
  ];
}

// ---- indexes ----

export function indexFlags(i: IndexUsage): string[] {
  const flags: string[] = [];
  if (!i.valid) flags.push('INVALID');
  if (i.unused) flags.push('unused');
  if (i.duplicates.length > 0) flags.push(`dup of ${i.duplicates.join(',')}`);
  if (i.primary) flags.push('pk');
  else if (i.unique) flags.push('unique');
  return flags;
}

export const indexColumns: readonly Column<SizesRow & { kind: 'index' }>[] = [
  { id: 'index', title: 'INDEX', width: 26, text: (r) => displayName(r.index.schema, r.index.index), sortValue: (r) => displayName(r.index.schema, r.index.index) },
  { id: 'on', title: 'TABLE', width: 14, priority: 3, text: (r) => r.index.table, sortValue: (r) => r.index.table },
  { id: 'scans', title: 'SCANS', width: 7, align: 'right', text: (r) => compactNumber(r.index.scans), sortValue: (r) => r.index.scans, tone: (r) => (r.index.scans === 0 ? 'dim' : 'normal') },
  { id: 'read', title: 'READ', width: 7, align: 'right', priority: 4, text: (r) => compactNumber(r.index.tuplesRead), sortValue: (r) => r.index.tuplesRead },
  { id: 'fetched', title: 'FETCHED', width: 7, align: 'right', priority: 5, text: (r) => compactNumber(r.index.tuplesFetched), sortValue: (r) => r.index.tuplesFetched },
  { id: 'size', title: 'SIZE', width: 8, align: 'right', text: (r) => bytes(r.index.bytes), sortValue: (r) => r.index.bytes },
  {
    id: 'flags',
    title: 'FLAGS',
    width: 'flex',
    // Room for "unused dup of <name>": narrower terminals drop READ, FETCHED and TABLE first.
    minWidth: 28,
    text: (r) => indexFlags(r.index).join(' '),
    sortValue: (r) => indexFlags(r.index).join(' '),
    tone: (r) => (!r.index.valid ? 'alert' : r.index.unused || r.index.duplicates.length > 0 ? 'warn' : 'dim'),
  },
];

export function indexDetail(i: IndexUsage): [string, string][] {
  return [
    ['index', `${i.qualifiedIndex} (${i.method})`],
    ['on table', i.qualifiedTable],
    ['scans', `${i.scans} since the statistics were reset (d: databases, Enter: when)`],
    ['last scan', i.lastScanSeconds !== null ? `${duration(i.lastScanSeconds)} ago` : i.scans === 0 ? 'never' : 'not known before PostgreSQL 16'],
    ['tuples read / fetched', `${i.tuplesRead} / ${i.tuplesFetched}`],
    ['size', `${bytes(i.bytes)} (as of the last VACUUM, ANALYZE or REINDEX)`],
    ['kind', [i.primary ? 'primary key' : i.unique ? 'unique' : 'not unique', i.backsConstraint ? 'backs a constraint' : ''].filter(Boolean).join(', ')],
    [
      'verdict',
      [
        !i.valid ? 'INVALID: a failed CREATE/REINDEX CONCURRENTLY left it; it is maintained but never used: drop it, or R to rebuild' : '',
        i.unused ? 'unused: no scan, not unique, no constraint — a candidate to drop (check replicas, which keep their own counts)' : '',
        i.duplicates.length ? `duplicate of ${i.duplicates.join(', ')}: same columns, operator classes and predicate — one of them can go` : '',
      ]
        .filter(Boolean)
        .join(' · ') || 'in use',
    ],
  ];
}

// ---- databases ----

export const databaseColumns: readonly Column<SizesRow & { kind: 'database' }>[] = [
  { id: 'database', title: 'DATABASE', width: 'flex', minWidth: 16, text: (r) => `${r.database.current ? '*' : ''}${r.database.database}`, sortValue: (r) => r.database.database },
  { id: 'dbsize', title: 'SIZE', width: 9, align: 'right', text: (r) => (r.database.bytes === null ? HIDDEN : bytes(r.database.bytes)), sortValue: (r) => r.database.bytes },
  { id: 'conns', title: 'CONNS', width: 6, align: 'right', priority: 1, text: (r) => String(r.database.connections ?? ''), sortValue: (r) => r.database.connections },
];

export function databaseDetail(d: DatabaseSize, share: number | null): [string, string][] {
  return [
    ['database', `${d.database}${d.current ? ' (connected)' : ''}`],
    ['size', d.bytes === null ? `${HIDDEN}: needs CONNECT on it or pg_read_all_stats` : `${bytes(d.bytes)} (${percent(share)} of all databases)`],
    ['connections', String(d.connections ?? '–')],
    ['accepts connections', d.allowConnections ? 'yes' : 'no (datallowconn is false)'],
    ['statistics reset', d.statsResetSeconds !== null ? `${duration(d.statsResetSeconds)} ago` : 'never'],
  ];
}
