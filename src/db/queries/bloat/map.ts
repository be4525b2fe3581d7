// Rows of the bloat screen into the model's types (src/model/bloat.ts):
// per-table dead tuples and (auto)vacuum history, the autovacuum settings
// with every database's XID age, and maintenance running now.

import { bool, num, str, strArray, type RawRow } from '../row.js';
import type { BloatTable, MaintenanceProgress, VacuumOverview } from '../../../model/bloat.js';

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
