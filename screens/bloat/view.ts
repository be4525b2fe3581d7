// The bloat screen: per table, live and dead tuples and the dead share, when
// it was last vacuumed and analyzed (by hand or by autovacuum) and how often,
// when autovacuum will come next; above the table the autovacuum settings,
// every database's XID age against wraparound, and the maintenance running
// now, and what holds the vacuum horizon (dead tuples deleted after its xmin
// cannot be removed: such a table says "held", not "due"). v/a/F/R act on
// the selected table, K on the session holding the horizon. Pure: rendered
// by BloatScreen and by --once.
import { actionRequest, type ActionRequest } from '../../src/actions/action.js';
import { analyzeTable, reindex, vacuumAnalyze, vacuumFull, type MaintenanceTarget } from '../../src/actions/maintenance.js';
import { terminateBackend } from '../../src/actions/backend.js';
import { holderAge, holderName, holderRemedy, horizonLevel, horizonText, oldestHolder, type HorizonHolder } from '../../src/model/horizon.js';
import { autovacuumDisabled, autovacuumTrigger, progressText, wraparoundLevel, XID_WRAPAROUND, type BloatTable, type Level, type VacuumOverview } from '../../src/model/bloat.js';
import { compactNumber, duration, percent } from '../../src/format/format.js';
import { ago } from '../../src/format/size.js';
import { standbyCountersNotice } from '../../src/model/replication.js';
import type { ScreenView } from '../../src/render/screen-view.js';
import { memoizeLast, sortRows, type CellTone, type Column } from '../../src/render/table.js';
import type { DataSlice, PgtopState, SortState } from '../../src/store/store.js';
import { displayName } from '../sizes/view.js';

/** A table row with what the autovacuum settings say about it. */
export interface BloatRow {
  table: BloatTable;
  /** Dead tuples at which autovacuum vacuums it; null when the settings are not known yet. */
  trigger: number | null;
  autovacuumOff: boolean;
  /**
   * What holds the horizon of this database's tables, when it keeps this
   * table's dead tuples: it held its xmin before the table was last vacuumed,
   * so what that VACUUM left (and every tuple deleted since) is dead but not
   * yet removable. Null when nothing is known to hold them.
   */
  heldBy: HorizonHolder | null;
}

/** The most recent of the manual and the automatic run, and whether it was autovacuum. */
function latest(manual: number | null, auto: number | null): { seconds: number | null; auto: boolean } {
  if (manual === null) return { seconds: auto, auto: auto !== null };
  if (auto === null || manual <= auto) return { seconds: manual, auto: false };
  return { seconds: auto, auto: true };
}

function whenText(manual: number | null, auto: number | null): string {
  const last = latest(manual, auto);
  return last.seconds === null ? 'never' : `${duration(last.seconds)}${last.auto ? ' a' : ''}`;
}

function deadTone(r: BloatRow): CellTone {
  const ratio = r.table.deadRatio ?? 0;
  if (r.trigger !== null && r.table.deadTuples > r.trigger) return 'alert';
  return ratio >= 0.2 ? 'alert' : ratio >= 0.1 ? 'warn' : 'normal';
}

/** What the NEXT column says: autovacuum is off, is due now, or comes after N more dead tuples. */
export function nextVacuumText(r: BloatRow): string {
  if (r.heldBy) return 'held';
  if (r.autovacuumOff) return 'av off';
  if (r.trigger === null) return '';
  const left = r.trigger - r.table.deadTuples;
  return left <= 0 ? 'due' : `+${compactNumber(Math.ceil(left))}`;
}

export const bloatColumns: readonly Column<BloatRow>[] = [
  { id: 'table', title: 'TABLE', width: 'flex', minWidth: 18, text: (r) => displayName(r.table.schema, r.table.table), sortValue: (r) => displayName(r.table.schema, r.table.table) },
  { id: 'live', title: 'LIVE', width: 7, align: 'right', priority: 2, text: (r) => compactNumber(r.table.liveTuples), sortValue: (r) => r.table.liveTuples },
  { id: 'dead', title: 'DEAD', width: 7, align: 'right', text: (r) => compactNumber(r.table.deadTuples), sortValue: (r) => r.table.deadTuples, tone: deadTone },
  { id: 'ratio', title: 'DEAD%', width: 6, align: 'right', text: (r) => percent(r.table.deadRatio, 0), sortValue: (r) => r.table.deadRatio, tone: deadTone },
  {
    id: 'next',
    title: 'NEXT AV',
    width: 7,
    align: 'right',
    priority: 3,
    text: nextVacuumText,
    sortValue: (r) => (r.trigger === null ? null : r.trigger - r.table.deadTuples),
    tone: (r) => (r.heldBy ? 'alert' : r.autovacuumOff ? 'warn' : nextVacuumText(r) === 'due' ? 'warn' : 'dim'),
  },
  {
    id: 'vacuumed',
    title: 'VACUUMED',
    width: 9,
    align: 'right',
    text: (r) => whenText(r.table.lastVacuumSeconds, r.table.lastAutovacuumSeconds),
    sortValue: (r) => latest(r.table.lastVacuumSeconds, r.table.lastAutovacuumSeconds).seconds,
  },
  {
    id: 'analyzed',
    title: 'ANALYZED',
    width: 9,
    align: 'right',
    priority: 1,
    text: (r) => whenText(r.table.lastAnalyzeSeconds, r.table.lastAutoanalyzeSeconds),
    sortValue: (r) => latest(r.table.lastAnalyzeSeconds, r.table.lastAutoanalyzeSeconds).seconds,
  },
  {
    id: 'counts',
    title: 'V/AV/A/AA',
    width: 11,
    align: 'right',
    priority: 5,
    text: (r) => [r.table.vacuumCount, r.table.autovacuumCount, r.table.analyzeCount, r.table.autoanalyzeCount].map((n) => compactNumber(n)).join('/'),
    sortValue: (r) => r.table.autovacuumCount,
  },
  { id: 'xid', title: 'XID AGE', width: 7, align: 'right', priority: 4, text: (r) => compactNumber(r.table.xidAge), sortValue: (r) => r.table.xidAge },
];

export function matchesFilter(r: BloatRow, filter: string): boolean {
  if (!filter) return true;
  const needle = filter.toLowerCase();
  return [r.table.schema, r.table.table, r.table.qualified, nextVacuumText(r)].some((f) => f.toLowerCase().includes(needle));
}

/** Whether a holder kept this table's dead tuples: it has held its xmin since before the table's last vacuum (by hand or autovacuum). */
export function holdsDeadTuples(table: BloatTable, holder: HorizonHolder | null): boolean {
  if (!holder || table.deadTuples <= 0 || holder.seconds === null) return false;
  const vacuumed = latest(table.lastVacuumSeconds, table.lastAutovacuumSeconds).seconds;
  return vacuumed !== null && vacuumed < holder.seconds;
}

/** The detail line about the horizon: who holds it, and what that means for this table's dead tuples. */
function horizonDetail(r: BloatRow, holder: HorizonHolder | null): string {
  if (r.heldBy) {
    return `${r.table.deadTuples} dead tuples are not yet removable: ${horizonText(r.heldBy)}, since before the last vacuum; ${holderRemedy(r.heldBy)}`;
  }
  if (!holder) return 'nothing holds an old xmin: VACUUM can remove every dead tuple';
  return `VACUUM leaves tuples deleted after the oldest xmin: ${holderName(holder)}, ${holderAge(holder)} old`;
}

function bloatDetail(r: BloatRow, _ctx: unknown, state: PgtopState): [string, string][] {
  const t = r.table;
  const options = Object.entries(t.autovacuumOptions);
  return [
    ['table', t.qualified],
    ['live / dead tuples', `${t.liveTuples} / ${t.deadTuples} (${percent(t.deadRatio)} dead)`],
    ['changed since analyze', String(t.modifiedSinceAnalyze)],
    ['inserted since vacuum', String(t.insertedSinceVacuum)],
    ['last vacuum', `${ago(t.lastVacuumSeconds)} by hand, ${ago(t.lastAutovacuumSeconds)} by autovacuum`],
    ['last analyze', `${ago(t.lastAnalyzeSeconds)} by hand, ${ago(t.lastAutoanalyzeSeconds)} by autovacuum`],
    ['counts', `vacuum ${t.vacuumCount}, autovacuum ${t.autovacuumCount}, analyze ${t.analyzeCount}, autoanalyze ${t.autoanalyzeCount}`],
    [
      'next autovacuum',
      r.autovacuumOff
        ? 'never: autovacuum is off for it'
        : r.trigger === null
          ? '–'
          : `at ${Math.ceil(r.trigger)} dead tuples (threshold + scale factor × rows): ${nextVacuumText(r) === 'due' ? 'due now' : `${Math.ceil(r.trigger - t.deadTuples)} more`}`,
    ],
    ['own autovacuum settings', options.length ? options.map(([k, v]) => `${k}=${v}`).join(', ') : 'none (the server settings apply)'],
    ['XID age', t.xidAge === null ? '–' : `${t.xidAge} (${percent(t.xidAge / XID_WRAPAROUND, 2)} of wraparound)`],
    ['vacuum horizon', horizonDetail(r, oldestHolder(state.data.results.horizon?.rows, 'here'))],
  ];
}

const DEFAULT_SORT: SortState = { column: 'dead', descending: true };
const NO_TABLES: BloatTable[] = [];

const visibleRows = memoizeLast((tables: readonly BloatTable[], overview: VacuumOverview | undefined, holders: readonly HorizonHolder[] | undefined, filter: string, sort: SortState) => {
  const settings = overview?.settings ?? {};
  const holder = oldestHolder(holders, 'here');
  const rows: BloatRow[] = tables.map((table) => ({
    table,
    trigger: overview ? autovacuumTrigger(table, settings) : null,
    autovacuumOff: overview ? autovacuumDisabled(table, settings) : false,
    heldBy: holdsDeadTuples(table, holder) ? holder : null,
  }));
  const column = bloatColumns.find((c) => c.id === sort.column);
  return sortRows(filter ? rows.filter((r) => matchesFilter(r, filter)) : rows, column, sort.descending);
});

function maintenance(spec: Parameters<typeof actionRequest<MaintenanceTarget>>[0]) {
  return (row: BloatRow | undefined, state: PgtopState): ActionRequest | null =>
    row ? actionRequest(spec, { table: row.table, serverVersionNum: state.connection.serverVersionNum ?? 0 }) : null;
}

export const bloatView: ScreenView<BloatRow> = {
  rows: (state) =>
    visibleRows(
      state.data.results.bloatTables?.rows ?? NO_TABLES,
      state.data.results.bloatOverview?.rows[0],
      state.data.results.horizon?.rows,
      state.ui.filter.bloat ?? '',
      state.ui.sort.bloat ?? DEFAULT_SORT,
    ),
  rowKey: (r) => String(r.table.oid),
  columns: bloatColumns,
  sortColumns: ['dead', 'ratio', 'live', 'next', 'vacuumed', 'analyzed', 'counts', 'xid', 'table'],
  defaultSort: DEFAULT_SORT,
  actions: {
    vacuumTable: maintenance(vacuumAnalyze),
    analyzeTable: maintenance(analyzeTable),
    vacuumFull: maintenance(vacuumFull),
    reindex: maintenance(reindex),
    // K: the session holding the horizon named above the table, whichever table is selected.
    terminateBackend: (_row, state) => horizonBackendRequest(state, 'here'),
  },
  detail: bloatDetail,
  json: (r) => ({ ...r.table, autovacuumTrigger: r.trigger, autovacuumOff: r.autovacuumOff, heldBy: r.heldBy }),
  notice: (state) => standbyCountersNotice(state.data.header?.inRecovery, 'bloat'),
  emptyText: (state) => (state.ui.filter.bloat ? `no table matches "${state.ui.filter.bloat}"` : 'no tables in this database'),
};

/** K on a screen that names the horizon: terminate the session holding it, when a session does. */
export function horizonBackendRequest(state: PgtopState, scope: 'here' | 'server'): ActionRequest | null {
  const holder = oldestHolder(state.data.results.horizon?.rows, scope);
  if (holder?.kind !== 'backend' || holder.pid === null) return null;
  return actionRequest(terminateBackend, { pid: holder.pid, user: holder.user, database: holder.database, state: holder.state, query: '' });
}

export interface PanelLine {
  text: string;
  tone: CellTone;
}

const LEVEL_TONE: Record<Level, CellTone> = { ok: 'normal', warn: 'warn', alarm: 'alert' };

/** The lines above the table: autovacuum settings, XID age, maintenance running now. */
export function bloatPanel(data: Pick<DataSlice, 'results' | 'header'>, maxProgressLines = 3): PanelLine[] {
  const overview = data.results.bloatOverview?.rows[0];
  const lines: PanelLine[] = [];
  if (overview) {
    const s = overview.settings;
    lines.push({
      text:
        `autovacuum ${s.autovacuum ?? '?'} · naptime ${s.autovacuum_naptime ?? '?'} · vacuum at ${s.autovacuum_vacuum_threshold ?? '?'} + ${scale(s.autovacuum_vacuum_scale_factor)}` +
        ` · analyze at ${s.autovacuum_analyze_threshold ?? '?'} + ${scale(s.autovacuum_analyze_scale_factor)} · workers ${s.autovacuum_max_workers ?? '?'}`,
      tone: s.autovacuum === 'off' || s.track_counts === 'off' ? 'alert' : 'dim',
    });
    lines.push(xidLine(overview));
  }
  const horizon = data.results.horizon;
  if (horizon && !horizon.error && !horizon.disabled) lines.push(horizonLine(oldestHolder(horizon.rows, 'here')));
  const progress = data.results.bloatProgress?.rows ?? [];
  for (const p of progress.slice(0, maxProgressLines)) {
    lines.push({
      text: `${p.command}${p.automatic ? ' (autovacuum)' : ''} ${p.relation ?? '?'}${p.database && p.database !== data.header?.database ? ` in ${p.database}` : ''}: ${progressText(p)} · ${duration(p.seconds)} · pid ${p.pid}`,
      tone: 'good',
    });
  }
  if (progress.length > maxProgressLines) lines.push({ text: `… and ${progress.length - maxProgressLines} more running`, tone: 'good' });
  return lines;
}

/** "vacuum horizon: pid 4711 (alice, shop, idle in transaction) holds the oldest xmin, 12 xids, 2m05s old · K ends it". */
export function horizonLine(holder: HorizonHolder | null): PanelLine {
  if (!holder) return { text: 'vacuum horizon: nothing holds an old xmin', tone: 'dim' };
  const level = horizonLevel(holder);
  const remedy = holder.kind === 'backend' ? ` · K ends pid ${holder.pid ?? '?'}` : ` · ${holderRemedy(holder)}`;
  return {
    // Who first: the line is cut at the terminal's width. What it means is in a table's details.
    text: `vacuum horizon: ${holderName(holder)} holds the oldest xmin, ${holderAge(holder)} old${remedy}`,
    tone: LEVEL_TONE[level] === 'normal' ? 'dim' : LEVEL_TONE[level],
  };
}

function scale(factor: string | undefined): string {
  const n = Number(factor);
  return Number.isFinite(n) ? `${Math.round(n * 1000) / 10}% of rows` : '?';
}

/** "XID age: shop 1.2M (0.6% of freeze max, 0.1% of wraparound)"; the oldest database if it is another. */
export function xidLine(overview: VacuumOverview): PanelLine {
  const oldest = overview.databases.find((d) => d.allowConnections) ?? overview.databases[0];
  const current = overview.databases.find((d) => d.current);
  const describe = (d: { database: string; xidAge: number }) =>
    `${d.database} ${compactNumber(d.xidAge)} (${percent(d.xidAge / overview.freezeMaxAge, 0)} of freeze_max_age, ${percent(d.xidAge / XID_WRAPAROUND, 1)} of wraparound)`;
  if (!oldest) return { text: 'XID age: –', tone: 'dim' };
  const level = wraparoundLevel(oldest.xidAge);
  const text =
    current && current.database !== oldest.database
      ? `XID age: ${describe(current)} · oldest ${describe(oldest)}`
      : `XID age: ${describe(oldest)}`;
  return { text: `${text}${level === 'ok' ? '' : level === 'warn' ? ' · WARN: past 50% of wraparound' : ' · ALARM: past 75% of wraparound, vacuum now'}`, tone: LEVEL_TONE[level] };
}
