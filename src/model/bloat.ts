// Dead tuples, vacuum history and XID age, and the judgements built on them:
// when autovacuum next vacuums a table, how close a database is to wraparound,
// what a running VACUUM has done.

import type { TableRef } from './sizes.js';

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
