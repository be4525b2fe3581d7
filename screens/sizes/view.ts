// The sizes screen: three lists, one at a time — tables (heap, TOAST,
// indexes, total; the default), indexes (scans, tuples read and fetched,
// size; unused and duplicate flagged) and databases — switched with t, i, d.
// v/a/F/R act on the selected table or index. Pure: rendered by SizesScreen
// and by --once (which prints the tables).
import { actionRequest, type ActionRequest } from '../../src/actions/action.js';
import { analyzeDatabase, analyzeTable, reindex, vacuumAnalyze, vacuumDatabase, vacuumFull, type DatabaseTarget, type MaintenanceTarget } from '../../src/actions/maintenance.js';
import { withDuplicates, type DatabaseSize, type IndexUsage, type TableSize } from '../../src/model/sizes.js';
import { bytes } from '../../src/format/size.js';
import { standbyCountersNotice } from '../../src/model/replication.js';
import type { SourceId } from '../../src/model/rows.js';
import type { CommandId } from '../../src/keys/commands.js';
import type { ScreenCommandResult, ScreenView } from '../../src/render/screen-view.js';
import { memoizeLast, sortRows, type Column } from '../../src/render/table.js';
import type { PgtopState, SortState } from '../../src/store/store.js';
import { databaseColumns, databaseDetail, displayName, indexColumns, indexDetail, indexFlags, tableColumns, tableDetail, type SizesRow } from './lists.js';

export { displayName, indexFlags, type SizesRow };

export type SizesSection = 'tables' | 'indexes' | 'databases';

export function sizesSection(state: PgtopState): SizesSection {
  const mode = state.ui.screenMode?.sizes;
  return mode === 'indexes' || mode === 'databases' ? mode : 'tables';
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
    const standby = standbyCountersNotice(state.data.header?.inRecovery, 'sizes');
    if (standby) return standby;
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

