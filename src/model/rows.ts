// What each query gives, as the model's types, by query id: the store keeps
// results by these ids, screens read them, and src/db/registry.ts holds one
// query for each (the type checker keeps the two lists equal).
import type { Backend } from './activity.js';
import type { BackupEntry } from './backups.js';
import type { BloatTable, MaintenanceProgress, VacuumOverview } from './bloat.js';
import type { Setting } from './config.js';
import type { HeaderSample } from './header.js';
import type { ContainerUsage, DataDirectoryUsage, ProcessUsage } from './host.js';
import type { ConnectionSlots, HealthSnapshot } from './health.js';
import type { HorizonHolder } from './horizon.js';
import type { ClusterInstance } from './instances.js';
import type { LockParticipant } from './locks.js';
import type { LogFiles, LogSlice, ServerLog } from './server-log.js';
import type { ReplicationOverview, ReplicationSlot, Standby } from './replication.js';
import type { HbaRule, PrivilegeFact, Role, SecuritySettings, StoredPassword } from './roles.js';
import type { DatabaseSize, IndexUsage, TableSize } from './sizes.js';
import type { ExtensionStatus, Statement, StatementText } from './statements.js';

export interface QueryRows {
  header: HeaderSample;
  activity: Backend;
  locks: LockParticipant;
  roles: Role;
  rolesPrivileges: PrivilegeFact;
  rolesServer: SecuritySettings;
  rolesPasswords: StoredPassword;
  rolesHba: HbaRule;
  statementsExtension: ExtensionStatus;
  statements: Statement;
  statementTexts: StatementText;
  sizeDatabases: DatabaseSize;
  sizeTables: TableSize;
  sizeIndexes: IndexUsage;
  bloatTables: BloatTable;
  bloatOverview: VacuumOverview;
  bloatProgress: MaintenanceProgress;
  config: Setting;
  health: HealthSnapshot;
  replicationStandbys: Standby;
  replicationSlots: ReplicationSlot;
  replicationOverview: ReplicationOverview;
  connectionSlots: ConnectionSlots;
  horizon: HorizonHolder;
  logFiles: LogFiles;
  logRead: LogSlice;
}

export type QueryId = keyof QueryRows;
export type RowOf<Q extends QueryId> = QueryRows[Q];

/**
 * Every source, by id, with what it lands in store.data.results: the
 * registry's queries (src/db/sources.ts runs them) and the sources that are
 * not SQL.
 */
export interface SourceRows extends QueryRows {
  /** The backup directory's files (src/backup/files-source.ts). */
  backupFiles: BackupEntry;
  /** The instance pods of a CloudNativePG cluster, with -k cluster/NAME (src/k8s/instances-source.ts). */
  clusterInstances: ClusterInstance;
  /** The server's processes from /proc, sampled through the pod's exec session or on this host (src/host/). */
  processUsage: ProcessUsage;
  /** The container's memory and CPU against its limits: from the metrics API, else its cgroup files (one row). */
  containerUsage: ContainerUsage;
  /** The data directory's filesystem (one row). */
  dataDirectory: DataDirectoryUsage;
  /** The server's log, one row: with -k the server container's, followed (src/k8s/log-source.ts); directly its newest log file (src/db/log-files-source.ts). */
  serverLog: ServerLog;
  /** With -k: the previous container's log (pods/log previous=true), one row. */
  previousServerLog: ServerLog;
  /** The guided session's checks (src/learn/controller.ts): their results stay in its own store, none land here. */
  learnChecks: never;
}

/** A source's id, as screen definitions name the sources they need. */
export type SourceId = keyof SourceRows;
export type SourceRowOf<S extends SourceId> = SourceRows[S];
