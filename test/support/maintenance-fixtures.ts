// Rows as the statements, sizes, bloat, config and health mappers produce
// them, for screen tests that need no server.
import type { BloatTable, MaintenanceProgress, VacuumOverview } from '../../src/model/bloat.js';
import type { Setting } from '../../src/model/config.js';
import type { HealthSnapshot } from '../../src/model/health.js';
import type { HorizonHolder } from '../../src/model/horizon.js';
import type { DatabaseSize, IndexUsage, TableSize } from '../../src/model/sizes.js';
import type { ExtensionStatus, Statement } from '../../src/model/statements.js';
import type { PgtopState, SourceResult } from '../../src/store/store.js';
import { header } from './fixtures.js';

export function result<Row>(rows: Row[]): SourceResult<Row> {
  return { rows, updatedAt: Date.now(), error: null, disabled: null };
}

/** A statement as the list has it: its text read whole unless `queryLength` says it is longer than `query`. */
export function statement(overrides: Partial<Statement> & { key: string }): Statement {
  const query = overrides.query ?? 'SELECT 1';
  return {
    userId: '10', dbId: '16384', queryId: overrides.key, toplevel: true, database: 'shop', user: 'app', query, queryLength: Array.from(query).length,
    textError: null, hidden: false, calls: 10, rows: 10,
    totalMs: 100, execMs: 100, planMs: 0, meanMs: 10, minMs: 1, maxMs: 20, stddevMs: 2, sharedHit: 99, sharedRead: 1,
    sharedDirtied: 0, sharedWritten: 0, tempRead: 0, tempWritten: 0, ioMs: null, hitRatio: 0.99,
    ...overrides,
  };
}

export const extensionReady: ExtensionStatus = {
  database: 'shop', installedVersion: '1.10', schema: 'public', availableVersion: '1.10', preloaded: true,
  preloadLibraries: 'pg_stat_statements', seesAll: true,
};

export function tableSize(overrides: Partial<TableSize> & { table: string }): TableSize {
  const t = {
    oid: overrides.table.length * 1000 + overrides.table.charCodeAt(0), schema: 'public', qualified: `public.${overrides.table}`, kind: 'r',
    rowEstimate: 1000, neverAnalyzed: false, tableBytes: 8192 * 10, toastBytes: 0, indexBytes: 8192 * 2, indexCount: 1,
    ...overrides,
  };
  return { ...t, totalBytes: t.tableBytes + t.toastBytes + t.indexBytes };
}

export function indexUsage(overrides: Partial<IndexUsage> & { index: string; oid: number }): IndexUsage {
  return {
    tableOid: 100, signature: `sig-${overrides.oid}`, schema: 'public', table: 'orders', qualifiedTable: 'public.orders', qualifiedIndex: `public.${overrides.index}`, method: 'btree',
    unique: false, primary: false, valid: true, backsConstraint: false, scans: 10, tuplesRead: 100, tuplesFetched: 90,
    lastScanSeconds: 60, bytes: 16384, duplicates: [], unused: false,
    ...overrides,
  };
}

export function databaseSize(overrides: Partial<DatabaseSize> & { database: string }): DatabaseSize {
  return { current: false, allowConnections: true, bytes: 8 * 1024 * 1024, connections: 1, statsResetSeconds: null, ...overrides };
}

export function bloatTable(overrides: Partial<BloatTable> & { table: string }): BloatTable {
  return {
    oid: overrides.table.length * 1000 + overrides.table.charCodeAt(0), schema: 'public', qualified: `public.${overrides.table}`,
    liveTuples: 1000, deadTuples: 0, deadRatio: 0, modifiedSinceAnalyze: 0, insertedSinceVacuum: 0, rowEstimate: 1000,
    lastVacuumSeconds: null, lastAutovacuumSeconds: 3600, lastAnalyzeSeconds: null, lastAutoanalyzeSeconds: 3600,
    vacuumCount: 0, autovacuumCount: 3, analyzeCount: 0, autoanalyzeCount: 3, xidAge: 1000, autovacuumOptions: {},
    ...overrides,
  };
}

export const overview: VacuumOverview = {
  settings: {
    autovacuum: 'on', autovacuum_naptime: '60s', autovacuum_vacuum_threshold: '50', autovacuum_vacuum_scale_factor: '0.2',
    autovacuum_analyze_threshold: '50', autovacuum_analyze_scale_factor: '0.1', autovacuum_max_workers: '3', track_counts: 'on',
  },
  freezeMaxAge: 200_000_000,
  multixactFreezeMaxAge: 400_000_000,
  databases: [
    { database: 'shop', current: true, allowConnections: true, xidAge: 1_200_000, mxidAge: 10 },
    { database: 'postgres', current: false, allowConnections: true, xidAge: 1_000_000, mxidAge: 10 },
  ],
};

export function progress(overrides: Partial<MaintenanceProgress> = {}): MaintenanceProgress {
  return {
    pid: 4242, command: 'VACUUM', database: 'shop', relation: 'orders', phase: 'scanning heap', blocksTotal: 200, blocksDone: 90,
    blocksVacuumed: 0, indexPasses: 0, indexesTotal: null, indexesDone: null, automatic: true, seconds: 12,
    ...overrides,
  };
}

export function setting(overrides: Partial<Setting> & { name: string }): Setting {
  return {
    setting: '100', unit: null, category: 'Resource Usage / Memory', description: `what ${overrides.name} does`, context: 'user', type: 'integer',
    source: 'default', defaultValue: '100', resetValue: '100', minValue: '0', maxValue: '1000', choices: null, sourceFile: null,
    sourceLine: null, pendingRestart: false, key: false, changed: false,
    ...overrides,
  };
}

export function healthSnapshot(overrides: Partial<HealthSnapshot> = {}): HealthSnapshot {
  return {
    longQueries: 0, longestQuerySeconds: 2, idleInTransaction: 0, longestIdleSeconds: null, lockWaits: 0, longestLockWaitSeconds: null,
    oldestXidAge: 1_000_000, oldestXidDatabase: 'postgres', freezeMaxAge: 200_000_000, databaseBytes: 50 * 1024 * 1024, seesAll: true,
    ...overrides,
  };
}

/** A connected dashboard (PostgreSQL 15) whose results are `results`. */
export function connectedWithResults(results: PgtopState['data']['results']) {
  return (s: PgtopState) => {
    s.connection = { ...s.connection, state: 'connected', serverVersion: '15.18', serverVersionNum: 150018, ownPids: [] };
    s.data.header = header;
    s.data.rates = { tps: 42.5, cacheHitRatio: 0.991 };
    s.data.results = results;
  };
}

/** A holder of the vacuum horizon as the horizon query gives it: by default a session idle in transaction for 2m05s. */
export function horizonHolder(overrides: Partial<HorizonHolder> = {}): HorizonHolder {
  return {
    kind: 'backend', pid: 4711, user: 'alice', database: 'shop', application: 'reporting', client: '10.0.0.7', state: 'idle in transaction',
    name: null, xmin: '1000', xidAge: 29_861, seconds: 125, holdsHere: true,
    ...overrides,
  };
}
