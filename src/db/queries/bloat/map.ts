// Rows of the bloat screen: per-table dead tuples and (auto)vacuum history,
// the autovacuum settings with every database's XID age, and maintenance
// running now. Also the two judgements built on them: when autovacuum will
// next vacuum a table, and how close a database is to XID wraparound.
import { bool, num, str, strArray, type RawRow } from '../row.js';
import type { TableRef } from '../sizes/map.js';

export interface BloatTable extends TableRef {
  oid: number;
  liveTuples: number;
  deadTuples: number;
  /** dead / (live + dead), 0..1; null for an empty table. */
  deadRatio: number | null;
  modifiedSinceAnalyze: number;
  insertedSinceVacuum: number;
  rowEstimate: number | null;
  lastVacuumSeconds: number | null;
  lastAutovacuumSeconds: number | null;
  lastAnalyzeSeconds: number | null;
  lastAutoanalyzeSeconds: number | null;
  vacuumCount: number;
  autovacuumCount: number;
  analyzeCount: number;
  autoanalyzeCount: number;
  xidAge: number | null;
  /** The table's own autovacuum settings: { autovacuum_vacuum_scale_factor: '0.01', 'toast.autovacuum_enabled': 'false' }. */
  autovacuumOptions: Record<string, string>;
}

export function mapBloatTable(row: RawRow): BloatTable {
  const live = num(row, 'live_tuples') ?? 0;
  const dead = num(row, 'dead_tuples') ?? 0;
  const estimate = num(row, 'row_estimate');
  return {
    oid: num(row, 'oid') ?? 0,
    schema: str(row, 'schema_name') ?? '',
    table: str(row, 'table_name') ?? '',
    qualified: str(row, 'qualified_name') ?? '',
    liveTuples: live,
    deadTuples: dead,
    deadRatio: live + dead > 0 ? dead / (live + dead) : null,
    modifiedSinceAnalyze: num(row, 'modified_since_analyze') ?? 0,
    insertedSinceVacuum: num(row, 'inserted_since_vacuum') ?? 0,
    rowEstimate: estimate !== null && estimate < 0 ? null : estimate,
    lastVacuumSeconds: num(row, 'last_vacuum_seconds'),
    lastAutovacuumSeconds: num(row, 'last_autovacuum_seconds'),
    lastAnalyzeSeconds: num(row, 'last_analyze_seconds'),
    lastAutoanalyzeSeconds: num(row, 'last_autoanalyze_seconds'),
    vacuumCount: num(row, 'vacuum_count') ?? 0,
    autovacuumCount: num(row, 'autovacuum_count') ?? 0,
    analyzeCount: num(row, 'analyze_count') ?? 0,
    autoanalyzeCount: num(row, 'autoanalyze_count') ?? 0,
    xidAge: num(row, 'xid_age'),
    autovacuumOptions: parseOptions([...strArray(row, 'autovacuum_options'), ...strArray(row, 'toast_autovacuum_options')]),
  };
}

/** reloptions entries ("name=value") as an object. */
export function parseOptions(options: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const option of options) {
    const at = option.indexOf('=');
    if (at > 0) out[option.slice(0, at)] = option.slice(at + 1);
  }
  return out;
}

export interface DatabaseXidAge {
  database: string;
  current: boolean;
  allowConnections: boolean;
  xidAge: number;
  mxidAge: number;
}

export interface VacuumOverview {
  /** Every autovacuum* setting (and track_counts, vacuum_cost_*), value with unit: { autovacuum_naptime: '60s' }. */
  settings: Record<string, string>;
  freezeMaxAge: number;
  multixactFreezeMaxAge: number;
  /** Oldest first. */
  databases: DatabaseXidAge[];
}

export function mapVacuumOverview(row: RawRow): VacuumOverview {
  const settings = row.settings && typeof row.settings === 'object' ? (row.settings as Record<string, unknown>) : {};
  const databases = Array.isArray(row.databases) ? (row.databases as RawRow[]) : [];
  return {
    settings: Object.fromEntries(Object.entries(settings).map(([name, value]) => [name, String(value)])),
    freezeMaxAge: num(row, 'freeze_max_age') ?? 200_000_000,
    multixactFreezeMaxAge: num(row, 'multixact_freeze_max_age') ?? 400_000_000,
    databases: databases.map((d) => ({
      database: str(d, 'database') ?? '',
      current: bool(d, 'current') ?? false,
      allowConnections: bool(d, 'allow_connections') ?? true,
      xidAge: num(d, 'xid_age') ?? 0,
      mxidAge: num(d, 'mxid_age') ?? 0,
    })),
  };
}

/** One maintenance command running now, from the pg_stat_progress_* views. */
export interface MaintenanceProgress {
  pid: number;
  /** VACUUM, VACUUM FULL, CLUSTER, ANALYZE, CREATE INDEX [CONCURRENTLY], REINDEX [CONCURRENTLY]. */
  command: string;
  database: string | null;
  relation: string | null;
  phase: string | null;
  blocksTotal: number | null;
  blocksDone: number | null;
  blocksVacuumed: number | null;
  indexPasses: number | null;
  /** PostgreSQL 17+: indexes vacuumed so far of how many. */
  indexesTotal: number | null;
  indexesDone: number | null;
  /** Started by autovacuum, not by a user. */
  automatic: boolean;
  seconds: number | null;
}

export function mapMaintenanceProgress(row: RawRow): MaintenanceProgress {
  return {
    pid: num(row, 'pid') ?? 0,
    command: str(row, 'command') ?? '',
    database: str(row, 'database'),
    relation: str(row, 'relation'),
    phase: str(row, 'phase'),
    blocksTotal: num(row, 'blocks_total'),
    blocksDone: num(row, 'blocks_done'),
    blocksVacuumed: num(row, 'blocks_vacuumed'),
    indexPasses: num(row, 'index_passes'),
    indexesTotal: num(row, 'indexes_total'),
    indexesDone: num(row, 'indexes_done'),
    automatic: bool(row, 'automatic') ?? false,
    seconds: num(row, 'seconds'),
  };
}

/** "scanning heap 45% (1 234/2 700 blocks), indexes 2/5": one progress row in words. */
export function progressText(p: MaintenanceProgress): string {
  const parts = [p.phase ?? ''];
  if (p.blocksTotal && p.blocksDone !== null) {
    parts.push(`${Math.floor((100 * p.blocksDone) / p.blocksTotal)}% (${p.blocksDone}/${p.blocksTotal} blocks)`);
  }
  if (p.indexesTotal) parts.push(`indexes ${p.indexesDone ?? 0}/${p.indexesTotal}`);
  return parts.filter(Boolean).join(' ');
}

/** When autovacuum vacuums a table: threshold + scale factor × rows, the table's own settings first. */
export function autovacuumTrigger(table: BloatTable, settings: Record<string, string>): number | null {
  const setting = (name: string) => Number.parseFloat(table.autovacuumOptions[name] ?? settings[name] ?? '');
  const threshold = setting('autovacuum_vacuum_threshold');
  const scale = setting('autovacuum_vacuum_scale_factor');
  if (!Number.isFinite(threshold) || !Number.isFinite(scale)) return null;
  return threshold + scale * (table.rowEstimate ?? table.liveTuples);
}

/** Autovacuum is off for this table (its own setting, or the server's). */
export function autovacuumDisabled(table: BloatTable, settings: Record<string, string>): boolean {
  return table.autovacuumOptions.autovacuum_enabled === 'false' || settings.autovacuum === 'off';
}

export const XID_WRAPAROUND = 2 ** 31;

export type Level = 'ok' | 'warn' | 'alarm';

/**
 * How close an XID age is to wraparound (2^31): warn from 50 %, alarm from
 * 75 % (the thresholds Crunchy's pgMonitor alerts on). Past
 * autovacuum_freeze_max_age autovacuum forces anti-wraparound vacuums; that
 * alone is routine, so it is reported but is not a warning.
 */
export function wraparoundLevel(xidAge: number): Level {
  const ratio = xidAge / XID_WRAPAROUND;
  if (ratio >= 0.75) return 'alarm';
  if (ratio >= 0.5) return 'warn';
  return 'ok';
}
