// The one query registry. Each query is SQL in src/db/queries/<area>/, one
// file per first server version it serves (`locks.sql`, then
// `locks_post_140000.sql` for 14 and later, as pg_activity names them), plus a
// pure mapper from raw rows. Version differences live here and nowhere else.
import { sqlFilesOf } from './sql-files.js';
import { mapBackend } from './queries/activity/map.js';
import { mapHeader } from './queries/header/map.js';
import { mapLockParticipant } from './queries/locks/map.js';
import { mapRole } from './queries/roles/map.js';
import { mapHbaRule } from './queries/roles_hba/map.js';
import { mapStoredPassword } from './queries/roles_passwords/map.js';
import { mapPrivilegeFact } from './queries/roles_privileges/map.js';
import { mapSecuritySettings } from './queries/roles_server/map.js';
import type { RawRow } from './queries/row.js';
import { mapBloatTable, mapMaintenanceProgress, mapVacuumOverview } from './queries/bloat/map.js';
import { mapSetting } from './queries/config/map.js';
import { mapHealth } from './queries/health/map.js';
import { mapReplicationOverview, mapReplicationSlot, mapStandby } from './queries/replication/map.js';
import { mapLogFiles, mapLogSlice } from './queries/log_files/map.js';
import { mapConnectionSlots } from './queries/connection_slots/map.js';
import { mapHorizonHolder } from './queries/horizon/map.js';
import { mapDatabaseSize, mapIndexUsage, mapTableSize } from './queries/sizes/map.js';
import { mapExtensionStatus, mapStatement, statementsVariant } from './queries/statements/map.js';
import type { ExtensionStatus } from '../model/statements.js';
import { completeStatementTexts, mapStatementText } from './queries/statements/texts.js';
import type { CompletionStep } from './completion.js';
import type { QueryId, QueryRows, RowOf } from '../model/rows.js';

interface QueryDefinition<Row> {
  /** Folder under src/db/queries and file stem of its .sql files. */
  area: string;
  /** What the query is for, shown when it is switched off. */
  title: string;
  map(row: RawRow): Row;
  /**
   * When the SQL is chosen by something other than the server version: the
   * registry query whose first row decides, and the number it gives (the
   * files are named `_post_NNNNNN` by that number; null: cannot run now).
   * src/db/variants.ts runs the deciding query once per connection.
   */
  variantBy?: { query: string; variant(row: never): number | null; schema?(row: never): string | null };
  /**
   * A second step after the rows are read, when part of them is too costly to
   * read every refresh (statements: their texts, read once per new statement).
   */
  complete?(rows: Row[], step: CompletionStep): Promise<Row[]>;
}

/** pg_stat_statements' SQL follows the version installed in this database, and names the schema it is installed in. */
const BY_STATEMENTS_EXTENSION = {
  query: 'statementsExtension',
  variant: statementsVariant,
  schema: (status: ExtensionStatus) => status.schema,
};

export const QUERIES = {
  header: { area: 'header', title: 'server summary', map: mapHeader },
  activity: { area: 'activity', title: 'activity', map: mapBackend },
  locks: { area: 'locks', title: 'blocking tree', map: mapLockParticipant },
  roles: { area: 'roles', title: 'roles', map: mapRole },
  rolesPrivileges: { area: 'roles_privileges', title: 'privileges', map: mapPrivilegeFact },
  rolesServer: { area: 'roles_server', title: 'security settings', map: mapSecuritySettings },
  // Superuser only (pg_authid, pg_hba_file_rules): a 42501 switches them off and the audit says what it could not check.
  rolesPasswords: { area: 'roles_passwords', title: 'stored passwords', map: mapStoredPassword },
  rolesHba: { area: 'roles_hba', title: 'pg_hba.conf rules', map: mapHbaRule },
  // pg_stat_statements: its SQL follows the extension version installed here, not the server's.
  statementsExtension: { area: 'statements_extension', title: 'pg_stat_statements status', map: mapExtensionStatus },
  statements: {
    area: 'statements',
    title: 'pg_stat_statements',
    map: mapStatement,
    variantBy: BY_STATEMENTS_EXTENSION,
    complete: completeStatementTexts,
  },
  // Parameters: which statements ($1), how many characters ($2); run by the statements' second step and by Enter.
  statementTexts: { area: 'statement_texts', title: 'statement texts', map: mapStatementText, variantBy: BY_STATEMENTS_EXTENSION },
  sizeDatabases: { area: 'sizes_databases', title: 'database sizes', map: mapDatabaseSize },
  sizeTables: { area: 'sizes_tables', title: 'table sizes', map: mapTableSize },
  sizeIndexes: { area: 'sizes_indexes', title: 'index usage', map: mapIndexUsage },
  bloatTables: { area: 'bloat_tables', title: 'dead tuples and vacuum history', map: mapBloatTable },
  bloatOverview: { area: 'bloat_overview', title: 'autovacuum settings and XID age', map: mapVacuumOverview },
  bloatProgress: { area: 'bloat_progress', title: 'maintenance progress', map: mapMaintenanceProgress },
  config: { area: 'config', title: 'settings', map: mapSetting },
  health: { area: 'health', title: 'health checks', map: mapHealth },
  replicationStandbys: { area: 'replication_standbys', title: 'standbys (pg_stat_replication)', map: mapStandby },
  replicationSlots: { area: 'replication_slots', title: 'replication slots', map: mapReplicationSlot },
  // pg_ls_waldir() and pg_ls_archive_statusdir(): granted to pg_monitor; a role without it has this switched off.
  replicationOverview: { area: 'replication_overview', title: 'WAL, archiving and replay', map: mapReplicationOverview },
  connectionSlots: { area: 'connection_slots', title: 'connection slots', map: mapConnectionSlots },
  // Who holds the vacuum horizon: read by the screens that name it (bloat, health) and by VACUUM's outcome.
  horizon: { area: 'horizon', title: 'vacuum horizon', map: mapHorizonHolder },
  // The server's log files for a direct connection (src/db/log-files-source.ts reads them: the newest one's tail, then what grows).
  logFiles: { area: 'log_files', title: 'server log files', map: mapLogFiles },
  // Parameters: the file, the offset, how many bytes; run by the log files source only.
  logRead: { area: 'log_read', title: 'server log file', map: mapLogSlice },
} satisfies { [Q in QueryId]: QueryDefinition<QueryRows[Q]> };

export type { QueryId, RowOf } from '../model/rows.js';
export type RowsByQuery = { [Q in QueryId]: RowOf<Q>[] };

interface Variant {
  minVersion: number;
  file: string;
}

const variantCache = new Map<string, Variant[]>();

function variants(area: string): Variant[] {
  let list = variantCache.get(area);
  if (!list) {
    const pattern = new RegExp(`^${area}(?:_post_(\\d{6}))?\\.sql$`);
    list = Object.keys(sqlFilesOf(area))
      .map((file) => ({ file, match: pattern.exec(file) }))
      .filter((entry) => entry.match)
      .map(({ file, match }) => ({ file, minVersion: Number(match![1] ?? 0) }))
      .sort((a, b) => b.minVersion - a.minVersion);
    variantCache.set(area, list);
  }
  return list;
}

/** The SQL for a query on a server of this version (server_version_num). */
export function sqlFor(id: QueryId, serverVersionNum: number): string {
  const area = QUERIES[id].area;
  const variant = variants(area).find((v) => v.minVersion <= serverVersionNum);
  if (!variant) throw new Error(`no ${id} query for server version ${serverVersionNum}`);
  return sqlFilesOf(area)[variant.file]!;
}

/** Which file serves a query on a version: for tests and `--debug` output. */
export function sqlFileFor(id: QueryId, serverVersionNum: number): string | undefined {
  return variants(QUERIES[id].area).find((v) => v.minVersion <= serverVersionNum)?.file;
}

export function mapRows<Q extends QueryId>(id: Q, rows: RawRow[]): RowOf<Q>[] {
  const map = QUERIES[id].map as (row: RawRow) => RowOf<Q>;
  return rows.map(map);
}
