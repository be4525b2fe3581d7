// The sizes screen: three lists, one at a time — tables (heap, TOAST,
// indexes, total; the default), indexes (scans, tuples read and fetched,
// size; unused and duplicate flagged) and databases — switched with t, i, d.
// v/a/F/R act on the selected table or index. Pure: rendered by SizesScreen
// and by --once (which prints the tables).
import { actionRequest, type ActionRequest } from '../../src/actions/action.js';
import { analyzeDatabase, analyzeTable, reindex, vacuumAnalyze, vacuumDatabase, vacuumFull, type DatabaseTarget, type MaintenanceTarget } from '../../src/actions/maintenance.js';
import { withDuplicates, type DatabaseSize, type IndexUsage, type TableSize } from '../../src/model/sizes.js';
import { compactNumber, duration, HIDDEN, percent } from '../../src/format/format.js';
import { bytes } from '../../src/format/size.js';
import type { SourceId } from '../../src/model/rows.js';
import type { CommandId } from '../../src/keys/commands.js';
import type { ScreenCommandResult, ScreenView } from '../../src/render/screen-view.js';
import { memoizeLast, sortRows, type Column } from '../../src/render/table.js';
import type { PgtopState, SortState } from '../../src/store/store.js';

export type SizesSection = 'tables' | 'indexes' | 'databases';

export type SizesRow =
  | { kind: 'table'; table: TableSize }
  | { kind: 'index'; index: IndexUsage }
  | { kind: 'database'; database: DatabaseSize; share: number | null };

export function sizesSection(state: PgtopState): SizesSection {
  const mode = state.ui.screenMode?.sizes;
  return mode === 'indexes' || mode === 'databases' ? mode : 'tables';
}

/** "orders", or "sales.orders" outside public: the name as a person looks for it. */
export function displayName(schema: string, name: string): string {
  return schema === 'public' ? name : `${schema}.${name}`;
}

// ---- tables ----

const tableColumns: readonly Column<SizesRow & { kind: 'table' }>[] = [
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

function tableDetail(t: TableSize): [string, string][] {
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

const indexColumns: readonly Column<SizesRow & { kind: 'index' }>[] = [
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

function indexDetail(i: IndexUsage): [string, string][] {
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

const databaseColumns: readonly Column<SizesRow & { kind: 'database' }>[] = [
  { id: 'database', title: 'DATABASE', width: 'flex', minWidth: 16, text: (r) => `${r.database.current ? '*' : ''}${r.database.database}`, sortValue: (r) => r.database.database },
  { id: 'dbsize', title: 'SIZE', width: 9, align: 'right', text: (r) => (r.database.bytes === null ? HIDDEN : bytes(r.database.bytes)), sortValue: (r) => r.database.bytes },
  { id: 'conns', title: 'CONNS', width: 6, align: 'right', priority: 1, text: (r) => String(r.database.connections ?? ''), sortValue: (r) => r.database.connections },
];

function databaseDetail(d: DatabaseSize, share: number | null): [string, string][] {
  return [
    ['database', `${d.database}${d.current ? ' (connected)' : ''}`],
    ['size', d.bytes === null ? `${HIDDEN}: needs CONNECT on it or pg_read_all_stats` : `${bytes(d.bytes)} (${percent(share)} of all databases)`],
    ['connections', String(d.connections ?? '–')],
    ['accepts connections', d.allowConnections ? 'yes' : 'no (datallowconn is false)'],
    ['statistics reset', d.statsResetSeconds !== null ? `${duration(d.statsResetSeconds)} ago` : 'never'],
  ];
}

// ---- the three together ----

interface Section {
  id: SizesSection;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  columns: readonly Column<any>[];
  sortColumns: readonly string[];
  defaultSort: SortState;
}

export const SECTIONS: Record<SizesSection, Section> = {
  tables: { id: 'tables', columns: tableColumns, sortColumns: ['total', 'heap', 'toast', 'indexes', 'rows', 'count', 'table'], defaultSort: { column: 'total', descending: true } },
  indexes: { id: 'indexes', columns: indexColumns, sortColumns: ['size', 'scans', 'read', 'fetched', 'flags', 'index', 'on'], defaultSort: { column: 'size', descending: true } },
  databases: { id: 'databases', columns: databaseColumns, sortColumns: ['dbsize', 'database', 'conns'], defaultSort: { column: 'dbsize', descending: true } },
};

/** The sort of the section on screen: the stored one when it is one of this section's columns. */
function sectionSort(state: PgtopState, section: Section): SortState {
  const stored = state.ui.sort.sizes;
  return stored && section.sortColumns.includes(stored.column) ? stored : section.defaultSort;
}

export function matchesFilter(row: SizesRow, filter: string): boolean {
  if (!filter) return true;
  const needle = filter.toLowerCase();
  const fields =
    row.kind === 'table'
      ? [row.table.schema, row.table.table, row.table.qualified]
      : row.kind === 'index'
        ? [row.index.schema, row.index.index, row.index.table, row.index.qualifiedIndex, ...indexFlags(row.index), row.index.duplicates.length ? 'duplicate' : '']
        : [row.database.database];
  return fields.some((f) => f.toLowerCase().includes(needle));
}

const NO_TABLES: TableSize[] = [];
const NO_INDEXES: IndexUsage[] = [];
const NO_DATABASES: DatabaseSize[] = [];

const sectionRows = memoizeLast((section: Section, source: readonly unknown[], filter: string, sort: SortState): SizesRow[] => {
  const allBytes = section.id === 'databases' ? (source as DatabaseSize[]).reduce((n, d) => n + (d.bytes ?? 0), 0) : 0;
  const rows: SizesRow[] = source.map((item) =>
    section.id === 'tables'
      ? { kind: 'table', table: item as TableSize }
      : section.id === 'indexes'
        ? { kind: 'index', index: item as IndexUsage }
        : { kind: 'database', database: item as DatabaseSize, share: allBytes > 0 && (item as DatabaseSize).bytes !== null ? (item as DatabaseSize).bytes! / allBytes : null },
  );
  const column = section.columns.find((c) => c.id === sort.column) as Column<SizesRow> | undefined;
  return sortRows(filter ? rows.filter((r) => matchesFilter(r, filter)) : rows, column, sort.descending);
});

/** The indexes of the last refresh with their duplicates found (once per refresh). */
const indexesWithDuplicates = memoizeLast((rows: readonly IndexUsage[]) => withDuplicates(rows));

export function sizesIndexes(state: PgtopState): IndexUsage[] {
  return indexesWithDuplicates(state.data.results.sizeIndexes?.rows ?? NO_INDEXES);
}

function sourceRows(state: PgtopState, section: SizesSection): readonly unknown[] {
  const results = state.data.results;
  if (section === 'tables') return results.sizeTables?.rows ?? NO_TABLES;
  if (section === 'indexes') return sizesIndexes(state);
  return results.sizeDatabases?.rows ?? NO_DATABASES;
}

/** The sources the sizes screen needs: only the list on screen (10 000 tables need not cost three lists). */
export function sizesSources(state: PgtopState): readonly SourceId[] {
  const section = sizesSection(state);
  return section === 'tables' ? ['sizeTables'] : section === 'indexes' ? ['sizeIndexes'] : ['sizeDatabases'];
}

function maintenanceTarget(row: SizesRow | undefined, state: PgtopState): MaintenanceTarget | null {
  const serverVersionNum = state.connection.serverVersionNum ?? 0;
  if (row?.kind === 'table') return { table: row.table, serverVersionNum };
  if (row?.kind === 'index') {
    const i = row.index;
    return { table: { schema: i.schema, table: i.table, qualified: i.qualifiedTable }, index: { name: i.index, qualified: i.qualifiedIndex }, serverVersionNum };
  }
  return null;
}

/**
 * A maintenance key: on a table or index row, the spec on it; on the databases
 * list, v and a have a database-wide counterpart (VACUUM (ANALYZE); ANALYZE;).
 */
function maintenance(spec: Parameters<typeof actionRequest<MaintenanceTarget>>[0], onDatabase?: Parameters<typeof actionRequest<DatabaseTarget>>[0]) {
  return (row: SizesRow | undefined, state: PgtopState): ActionRequest | null => {
    if (row?.kind === 'database') {
      if (!onDatabase) return null;
      const connectedTo = state.data.header?.database ?? '';
      return actionRequest(onDatabase, { database: row.database.database, current: row.database.current, connectedTo });
    }
    const target = maintenanceTarget(row, state);
    return target ? actionRequest(spec, target) : null;
  };
}

function switchTo(section: SizesSection) {
  return (state: PgtopState): ScreenCommandResult => ({
    ui: {
      screenMode: { ...state.ui.screenMode, sizes: section },
      // A fresh list: its own first row and its own default order.
      cursor: { ...state.ui.cursor, sizes: undefined },
      sort: { ...state.ui.sort, sizes: undefined },
    },
  });
}

/** `s` and `S` cycle through the columns of the list on screen only. */
function sortCommand(command: 'sortNext' | 'sortReverse') {
  return (state: PgtopState): ScreenCommandResult => {
    const section = SECTIONS[sizesSection(state)];
    const current = sectionSort(state, section);
    const next =
      command === 'sortReverse'
        ? { ...current, descending: !current.descending }
        : { column: section.sortColumns[(section.sortColumns.indexOf(current.column) + 1) % section.sortColumns.length]!, descending: current.descending };
    const title = section.columns.find((c) => c.id === next.column)?.title ?? next.column;
    return { ui: { sort: { ...state.ui.sort, sizes: next } }, status: `sorted by ${title} ${next.descending ? '↓' : '↑'}` };
  };
}

export function sizesSectionView(section: SizesSection): Pick<ScreenView<SizesRow>, 'columns' | 'sortColumns' | 'defaultSort'> {
  const s = SECTIONS[section];
  return { columns: s.columns as readonly Column<SizesRow>[], sortColumns: s.sortColumns, defaultSort: s.defaultSort };
}

/** One list as a view of its own, whatever is on screen: --once prints all three. */
export function sizesListView(section: SizesSection): ScreenView<SizesRow> {
  const s = SECTIONS[section];
  return {
    ...sizesView,
    ...sizesSectionView(section),
    rows: (state) => sectionRows(s, sourceRows(state, section), state.ui.filter.sizes ?? '', sectionSort(state, s)),
    emptyText: () => (section === 'tables' ? 'no tables in this database' : section === 'indexes' ? 'no indexes in this database' : 'no databases'),
  };
}

export const sizesView: ScreenView<SizesRow> = {
  rows(state) {
    const section = SECTIONS[sizesSection(state)];
    return sectionRows(section, sourceRows(state, section.id), state.ui.filter.sizes ?? '', sectionSort(state, section));
  },
  rowKey: (r) => (r.kind === 'table' ? `t:${r.table.oid}` : r.kind === 'index' ? `i:${r.index.oid}` : `d:${r.database.database}`),
  // --once prints the tables; SizesScreen uses the columns of the list on screen.
  columns: tableColumns,
  sortColumns: SECTIONS.tables.sortColumns,
  defaultSort: SECTIONS.tables.defaultSort,
  commands: {
    showTables: switchTo('tables'),
    showIndexes: switchTo('indexes'),
    showDatabases: switchTo('databases'),
    sortNext: sortCommand('sortNext'),
    sortReverse: sortCommand('sortReverse'),
  } satisfies Partial<Record<CommandId, unknown>>,
  actions: {
    vacuumTable: maintenance(vacuumAnalyze, vacuumDatabase),
    analyzeTable: maintenance(analyzeTable, analyzeDatabase),
    vacuumFull: maintenance(vacuumFull),
    reindex: maintenance(reindex),
  },
  detail(row) {
    if (row.kind === 'table') return tableDetail(row.table);
    if (row.kind === 'index') return indexDetail(row.index);
    return databaseDetail(row.database, row.share);
  },
  json: (row) => (row.kind === 'table' ? row.table : row.kind === 'index' ? row.index : row.database),
  notice(state) {
    const section = sizesSection(state);
    if (section === 'databases') return 'v, a: VACUUM (ANALYZE) or ANALYZE the connected database (*) · F, R: on a table or index (t, i)';
    if (section === 'indexes') {
      const rows = sizesIndexes(state);
      const unused = rows.filter((i) => i.unused);
      const duplicate = rows.filter((i) => i.duplicates.length > 0);
      const invalid = rows.filter((i) => !i.valid);
      const since = ' (scans count from the last statistics reset)';
      const parts = [
        unused.length ? `${unused.length} unused (${bytes(unused.reduce((n, i) => n + i.bytes, 0))})` : '',
        duplicate.length ? `${duplicate.length} duplicate` : '',
        invalid.length ? `${invalid.length} INVALID` : '',
      ].filter(Boolean);
      return parts.length ? `${parts.join(', ')}${since}: /unused, /dup or /invalid shows them` : null;
    }
    const unknown = (state.data.results.sizeTables?.rows ?? []).filter((t) => t.neverAnalyzed).length;
    return unknown ? `? = ${unknown} table(s) never vacuumed or analyzed: sizes not known yet (a analyzes)` : null;
  },
  emptyText(state) {
    const filter = state.ui.filter.sizes;
    if (filter) return `nothing matches "${filter}"`;
    const section = sizesSection(state);
    return section === 'tables' ? 'no tables in this database' : section === 'indexes' ? 'no indexes in this database' : 'no databases';
  },
};

/** The result that says loading or failed for the list on screen. */
export function sizesResult(state: PgtopState) {
  const section = sizesSection(state);
  const results = state.data.results;
  return section === 'tables' ? results.sizeTables : section === 'indexes' ? results.sizeIndexes : results.sizeDatabases;
}

