// pg_stat_statements rows, and whether the extension can be read at all
// (types in src/model/statements.ts). The SQL is chosen by the extension's
// installed version (pg_extension), not by the server's: a server upgraded
// without ALTER EXTENSION … UPDATE keeps the old columns
// (lesovsky/pgcenter#98), so statementsVariant() turns the installed version
// into the number the .sql files are named by.

import { bool, num, str, type RawRow } from '../row.js';
import { type ExtensionStatus, PG_STAT_STATEMENTS, type Statement, type StatementRef, extensionVersionNum, statementKey } from '../../../model/statements.js';

export function mapExtensionStatus(row: RawRow): ExtensionStatus {
  const preload = str(row, 'preload_libraries');
  return {
    database: str(row, 'database') ?? '',
    installedVersion: str(row, 'installed_version'),
    schema: str(row, 'schema_name'),
    availableVersion: str(row, 'available_version'),
    preloaded: preload === null ? null : preloadList(preload).includes(PG_STAT_STATEMENTS),
    preloadLibraries: preload,
    seesAll: bool(row, 'sees_all') ?? false,
  };
}

/** shared_preload_libraries as a list: "pg_stat_statements, 'auto_explain'" → two names. */
export function preloadList(setting: string): string[] {
  return setting
    .split(',')
    .map((name) => name.trim().replace(/^"(.*)"$/, '$1').replace(/^'(.*)'$/, '$1'))
    .filter(Boolean);
}

/** The variant number of the statements query, or null when pg_stat_statements cannot be read here now. */
export function statementsVariant(status: ExtensionStatus): number | null {
  if (status.preloaded === false) return null;
  return extensionVersionNum(status.installedVersion);
}

export function mapStatement(row: RawRow): Statement {
  const calls = num(row, 'calls') ?? 0;
  const totalMs = num(row, 'total_ms') ?? 0;
  const hit = num(row, 'shared_blks_hit') ?? 0;
  const read = num(row, 'shared_blks_read') ?? 0;
  const ref: StatementRef = { userId: str(row, 'userid'), dbId: str(row, 'dbid'), queryId: str(row, 'queryid'), toplevel: bool(row, 'toplevel') };
  return {
    ...ref,
    key: statementKey(ref, `${calls}:${totalMs}`),
    database: str(row, 'database'),
    user: str(row, 'user_name'),
    // Filled in by completeStatementTexts (texts.ts).
    query: '',
    queryLength: null,
    textError: null,
    hidden: ref.queryId === null,
    calls,
    rows: num(row, 'rows') ?? 0,
    totalMs,
    execMs: num(row, 'exec_ms') ?? totalMs,
    planMs: num(row, 'plan_ms'),
    meanMs: calls > 0 ? totalMs / calls : 0,
    minMs: num(row, 'min_ms'),
    maxMs: num(row, 'max_ms'),
    stddevMs: num(row, 'stddev_ms'),
    sharedHit: hit,
    sharedRead: read,
    sharedDirtied: num(row, 'shared_blks_dirtied') ?? 0,
    sharedWritten: num(row, 'shared_blks_written') ?? 0,
    tempRead: num(row, 'temp_blks_read') ?? 0,
    tempWritten: num(row, 'temp_blks_written') ?? 0,
    ioMs: num(row, 'io_ms'),
    hitRatio: hit + read > 0 ? hit / (hit + read) : null,
  };
}
