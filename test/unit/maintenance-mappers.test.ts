// The pure parts of the statements, sizes, bloat, config and health screens:
// extension versions and the files they pick, readable units, the
// autovacuum trigger, the wraparound thresholds, progress text, the history ring.
import { describe, expect, it } from 'vitest';
import { mapBloatTable } from '../../src/db/queries/bloat/map.js';
import { autovacuumTrigger, progressText, wraparoundLevel, XID_WRAPAROUND } from '../../src/model/bloat.js';
import { mapSetting } from '../../src/db/queries/config/map.js';
import { readableBytes, readableMs, readableValue } from '../../src/model/config.js';
import { mapIndexUsage, mapTableSize } from '../../src/db/queries/sizes/map.js';
import { withDuplicates } from '../../src/model/sizes.js';
import { mapExtensionStatus, mapStatement, preloadList, statementsVariant } from '../../src/db/queries/statements/map.js';
import { extensionOutdated, extensionVersionNum } from '../../src/model/statements.js';
import { sqlFileFor } from '../../src/db/registry.js';
import { bytes, millis } from '../../src/format/size.js';
import { appendSample, HISTORY_SIZE, type HistorySample } from '../../src/store/history.js';
import { tabLabels } from '../../src/components/TabBar.js';

describe('pg_stat_statements versions', () => {
  it('turns extension versions into the numbers its files are named by', () => {
    expect(extensionVersionNum('1.7')).toBe(10700);
    expect(extensionVersionNum('1.10')).toBe(11000);
    expect(extensionVersionNum('1.12')).toBe(11200);
    expect(extensionVersionNum(null)).toBeNull();
  });

  it('picks the statements file by the installed extension version, not the server version', () => {
    expect(sqlFileFor('statements', 10400)).toBe('statements.sql');
    expect(sqlFileFor('statements', 10700)).toBe('statements.sql');
    expect(sqlFileFor('statements', 10800)).toBe('statements_post_010800.sql');
    expect(sqlFileFor('statements', 10900)).toBe('statements_post_010900.sql');
    expect(sqlFileFor('statements', 11000)).toBe('statements_post_010900.sql');
    expect(sqlFileFor('statements', 11100)).toBe('statements_post_011100.sql');
    expect(sqlFileFor('statements', 11200)).toBe('statements_post_011100.sql');
  });

  it('reads the status row: preloaded from the library list, runnable only when created and preloaded', () => {
    const status = mapExtensionStatus({ database: 'shop', installed_version: '1.7', available_version: '1.10', preload_libraries: "auto_explain, 'pg_stat_statements'", sees_all: true, schema_name: 'public' });
    expect(status).toMatchObject({ preloaded: true, installedVersion: '1.7', availableVersion: '1.10' });
    expect(statementsVariant(status)).toBe(10700);
    expect(extensionOutdated(status)).toBe(true);
    expect(statementsVariant({ ...status, installedVersion: null })).toBeNull();
    expect(statementsVariant({ ...status, preloaded: false })).toBeNull();
    // A role that cannot read shared_preload_libraries still tries.
    expect(statementsVariant({ ...status, preloaded: null })).toBe(10700);
    expect(extensionOutdated({ ...status, installedVersion: '1.10' })).toBe(false);
    expect(preloadList('"pg_stat_statements",auto_explain')).toEqual(['pg_stat_statements', 'auto_explain']);
  });

  it('maps a statement: mean, hit ratio, hidden text', () => {
    const s = mapStatement({ queryid: '42', userid: 10, dbid: 16384, query: 'SELECT 1', calls: 4, rows: 4, total_ms: 10, exec_ms: 8, plan_ms: 2, shared_blks_hit: 99, shared_blks_read: 1, toplevel: true, database: 'shop', user_name: 'app' });
    // Keyed by oids, which is how Enter asks for the whole text of this one statement.
    expect(s).toMatchObject({ meanMs: 2.5, hitRatio: 0.99, hidden: false, key: '42/16384/10/top', database: 'shop', user: 'app' });
    const hidden = mapStatement({ queryid: null, query: '<insufficient privilege>', calls: 1, total_ms: 1 });
    expect(hidden).toMatchObject({ hidden: true, query: '', hitRatio: null });
  });
});

describe('sizes rows', () => {
  it('adds up a table and says when its size is not known yet', () => {
    const t = mapTableSize({ oid: 1, schema_name: 'public', table_name: 'orders', qualified_name: 'public.orders', kind: 'r', row_estimate: -1, never_analyzed: true, table_bytes: 8192, toast_bytes: 0, index_bytes: 16384, index_count: 2 });
    expect(t).toMatchObject({ totalBytes: 24576, rowEstimate: null, neverAnalyzed: true });
  });

  it('flags an index unused only when it is not unique and backs no constraint', () => {
    const base = { oid: 1, index_name: 'i', scans: 0, is_unique: false, backs_constraint: false };
    expect(mapIndexUsage(base)).toMatchObject({ unused: true, duplicates: [] });
    expect(mapIndexUsage({ ...base, is_unique: true }).unused).toBe(false);
    expect(mapIndexUsage({ ...base, backs_constraint: true }).unused).toBe(false);
    expect(mapIndexUsage({ ...base, scans: 3 }).unused).toBe(false);
  });
});

describe('duplicate indexes', () => {
  it('groups indexes of one table by signature; the same columns on another table are no duplicate', () => {
    const index = (oid: number, name: string, tableOid: number, signature: string) =>
      mapIndexUsage({ oid, index_name: name, table_oid: tableOid, signature, scans: 1 });
    const found = withDuplicates([index(1, 'a', 10, '2 1978 0'), index(2, 'b', 10, '2 1978 0'), index(3, 'c', 10, '2 1978 0'), index(4, 'd', 10, '3 1978 0'), index(5, 'e', 11, '2 1978 0')]);
    expect(found.map((i) => [i.index, i.duplicates])).toEqual([['a', ['b', 'c']], ['b', ['a', 'c']], ['c', ['a', 'b']], ['d', []], ['e', []]]);
  });
});

describe('bloat judgements', () => {
  const table = mapBloatTable({ oid: 1, live_tuples: 1000, dead_tuples: 300, row_estimate: 1000, autovacuum_options: ['autovacuum_vacuum_scale_factor=0.05'], toast_autovacuum_options: ['toast.autovacuum_enabled=false'] });

  it("computes when autovacuum comes: threshold + scale factor × rows, the table's own settings first", () => {
    expect(table.deadRatio).toBeCloseTo(300 / 1300);
    expect(table.autovacuumOptions).toEqual({ autovacuum_vacuum_scale_factor: '0.05', 'toast.autovacuum_enabled': 'false' });
    expect(autovacuumTrigger(table, { autovacuum_vacuum_threshold: '50', autovacuum_vacuum_scale_factor: '0.2' })).toBe(100);
    expect(autovacuumTrigger({ ...table, autovacuumOptions: {} }, { autovacuum_vacuum_threshold: '50', autovacuum_vacuum_scale_factor: '0.2' })).toBe(250);
    expect(autovacuumTrigger(table, {})).toBeNull();
  });

  it('warns at 50 % and alarms at 75 % of the way to wraparound', () => {
    expect(wraparoundLevel(0.49 * XID_WRAPAROUND)).toBe('ok');
    expect(wraparoundLevel(0.5 * XID_WRAPAROUND)).toBe('warn');
    expect(wraparoundLevel(0.75 * XID_WRAPAROUND)).toBe('alarm');
  });

  it('says where a running vacuum is', () => {
    expect(progressText({ pid: 1, command: 'VACUUM', database: 'shop', relation: 't', phase: 'scanning heap', blocksTotal: 200, blocksDone: 50, blocksVacuumed: 0, indexPasses: 0, indexesTotal: 4, indexesDone: 1, automatic: false, seconds: 3 })).toBe(
      'scanning heap 25% (50/200 blocks) indexes 1/4',
    );
  });
});

describe('readable settings', () => {
  it('turns pages, kB, ms and s into what a person reads', () => {
    expect(readableValue('16384', '8kB')).toBe('128MB');
    expect(readableValue('4096', 'kB')).toBe('4MB');
    expect(readableValue('1572864', 'kB')).toBe('1.5GB');
    expect(readableValue('60000', 'ms')).toBe('1min');
    expect(readableValue('200', 'ms')).toBe('200ms');
    expect(readableValue('1500', 'ms')).toBe('1500ms');
    expect(readableValue('90', 's')).toBe('90s');
    expect(readableValue('120', 's')).toBe('2min');
    expect(readableValue('0', 'ms')).toBe('0');
    expect(readableValue('-1', '8kB')).toBe('-1');
    expect(readableValue('on', null)).toBe('on');
    expect(readableValue('0.9', null)).toBe('0.9');
    expect(readableBytes(512)).toBe('512B');
    expect(readableMs(86_400_000)).toBe('1d');
  });

  it('marks a setting changed only when its value differs from the built-in default', () => {
    expect(mapSetting({ name: 'work_mem', setting: '12288', default_value: '4096', source: 'database' }).changed).toBe(true);
    expect(mapSetting({ name: 'DateStyle', setting: 'ISO, MDY', default_value: 'ISO, MDY', source: 'configuration file' }).changed).toBe(false);
    expect(mapSetting({ name: 'wal_buffers', setting: '512', default_value: '-1', source: 'override' }).changed).toBe(false);
  });
});

describe('formats and the history ring', () => {
  it('prints sizes and times for narrow cells', () => {
    expect(bytes(0)).toBe('0 B');
    expect(bytes(8192)).toBe('8.0 kB');
    expect(bytes(456 * 1024 * 1024)).toBe('456 MB');
    expect(bytes(null)).toBe('');
    expect(millis(0.4242)).toBe('0.42ms');
    expect(millis(123.4)).toBe('123ms');
    expect(millis(1234)).toBe('1.23s');
    expect(millis(245_000)).toBe('4m05s');
  });

  it('keeps the last HISTORY_SIZE samples, oldest first', () => {
    let history: HistorySample[] = [];
    for (let i = 0; i < HISTORY_SIZE + 5; i++) history = appendSample(history, { at: i, tps: i, connections: 1, cacheHitRatio: 1, databaseBytes: null });
    expect(history).toHaveLength(HISTORY_SIZE);
    expect(history[0]!.at).toBe(5);
    expect(history.at(-1)!.at).toBe(HISTORY_SIZE + 4);
  });

  it('abbreviates the other tabs when the names do not fit', () => {
    const tabs = ['activity', 'locks', 'statements', 'sizes', 'bloat', 'roles', 'config', 'backups', 'health'].map((id) => ({ id }));
    expect(tabLabels(tabs, 'sizes', 200).join('')).toContain(' 3 statements ');
    const short = tabLabels(tabs, 'sizes', 80);
    expect(short.join('').length).toBeLessThanOrEqual(80);
    expect(short).toContain(' 4 sizes ');
    expect(short).toContain(' 3 sta ');
  });
});
