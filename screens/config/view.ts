// The config screen: the settings the administration session checks (first),
// the memory and buffer settings, and every setting changed from its built-in
// default, with values in readable units, where each comes from, and the
// ones waiting for a restart marked. Pure: rendered by TableScreen and --once.
import { readableValue, type Setting } from '../../src/model/config.js';
import type { ScreenView } from '../../src/render/screen-view.js';
import { memoizeLast, sortRows, type Column } from '../../src/render/table.js';
import type { SortState } from '../../src/store/store.js';

/** The key settings first, then the changed ones, then the rest, by name within each. */
function defaultOrder(s: Setting): string {
  return `${s.key ? 0 : s.pendingRestart ? 1 : s.changed ? 2 : 3}${s.name}`;
}

export function settingValue(s: Setting): string {
  return readableValue(s.setting, s.unit);
}

function noteText(s: Setting): string {
  if (s.pendingRestart) return 'RESTART PENDING (changed in the file, applies after a restart)';
  return s.description;
}

const SOURCES: Record<string, string> = { 'configuration file': 'config file', 'environment variable': 'environment', 'command line': 'command line' };

export const configColumns: readonly Column<Setting>[] = [
  {
    id: 'name',
    title: 'SETTING',
    width: 32,
    text: (s) => `${s.key ? '•' : ' '}${s.name}`,
    // By name within groups: the key settings, pending restart, changed, the rest.
    sortValue: defaultOrder,
    tone: (s) => (s.pendingRestart ? 'alert' : 'normal'),
  },
  { id: 'value', title: 'VALUE', width: 11, align: 'right', text: settingValue, tone: (s) => (s.changed ? 'good' : 'normal') },
  { id: 'default', title: 'DEFAULT', width: 11, align: 'right', priority: 2, text: (s) => (s.defaultValue === null ? '' : readableValue(s.defaultValue, s.unit)), tone: () => 'dim' },
  { id: 'source', title: 'SOURCE', width: 12, priority: 1, text: (s) => SOURCES[s.source] ?? s.source, sortValue: (s) => s.source, tone: (s) => (s.changed ? 'normal' : 'dim') },
  { id: 'category', title: 'CATEGORY', width: 18, priority: 4, text: (s) => s.category, sortValue: (s) => s.category },
  { id: 'note', title: 'WHAT', width: 'flex', minWidth: 20, text: noteText, tone: (s) => (s.pendingRestart ? 'alert' : 'dim') },
];

export function matchesFilter(s: Setting, filter: string): boolean {
  if (!filter) return true;
  const needle = filter.toLowerCase();
  return [s.name, s.category, s.source, s.description, s.pendingRestart ? 'restart pending' : '', s.changed ? 'changed' : ''].some((f) =>
    f.toLowerCase().includes(needle),
  );
}

const CONTEXTS: Record<string, string> = {
  postmaster: 'a server restart',
  sighup: 'a reload (SELECT pg_reload_conf())',
  'superuser-backend': 'a reload, for new sessions',
  backend: 'new sessions',
  superuser: 'a superuser, per session or in the file',
  user: 'any user, per session or in the file',
  internal: 'nothing: it is fixed when the server is built or initialized',
};

function settingDetail(s: Setting): [string, string][] {
  const raw = `${s.setting}${s.unit ? ` × ${s.unit}` : ''}`;
  return [
    ['setting', s.name],
    ['value', `${settingValue(s)}${settingValue(s) !== s.setting ? ` (${raw})` : ''}`],
    ['built-in default', s.defaultValue === null ? '–' : readableValue(s.defaultValue, s.unit)],
    ['source', `${s.source}${s.sourceFile ? ` (${s.sourceFile}${s.sourceLine ? `:${s.sourceLine}` : ''})` : ''}`],
    ['changing it takes', CONTEXTS[s.context] ?? s.context],
    ['pending restart', s.pendingRestart ? 'YES: the file says otherwise; restart the server to apply it' : 'no'],
    ['allowed', s.choices ? s.choices : s.minValue !== null ? `${s.minValue} … ${s.maxValue} ${s.unit ?? ''}`.trim() : s.type],
    ['category', s.category],
    ['description', s.description],
  ];
}

const DEFAULT_SORT: SortState = { column: 'name', descending: false };
const NO_ROWS: Setting[] = [];

const visibleSettings = memoizeLast((all: readonly Setting[], filter: string, sort: SortState) => {
  const column = configColumns.find((c) => c.id === sort.column);
  return sortRows(filter ? all.filter((s) => matchesFilter(s, filter)) : all, column, sort.descending);
});

export const configView: ScreenView<Setting> = {
  rows: (state) => visibleSettings(state.data.results.config?.rows ?? NO_ROWS, state.ui.filter.config ?? '', state.ui.sort.config ?? DEFAULT_SORT),
  rowKey: (s) => s.name,
  columns: configColumns,
  sortColumns: ['name', 'source', 'category'],
  defaultSort: DEFAULT_SORT,
  detail: settingDetail,
  json: (s) => ({ ...s, readable: settingValue(s) }),
  notice(state) {
    const pending = (state.data.results.config?.rows ?? []).filter((s) => s.pendingRestart);
    if (pending.length) return `restart pending for ${pending.map((s) => s.name).join(', ')}: the server runs with the old values until restarted`;
    return '• the settings the administration session checks; then every setting changed from its default';
  },
  emptyText: (state) => (state.ui.filter.config ? `no setting matches "${state.ui.filter.config}"` : 'no settings'),
};
