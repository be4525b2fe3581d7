// What actions may use besides the actions connection, provided by bin/
// wiring (src/cli/main.ts). Each field is optional: an action that needs one
// that is missing says so instead of running.
import type { PodExec } from '../backup/source.js';
import type { ClientBase } from 'pg';
import type { ResolvedConnection } from '../db/connection-options.js';
import type { DiskUsageEntry } from '../model/pod.js';

export interface ActionEnvironment {
  /** Where the actions connection goes (for tools like pg_dump that connect themselves). */
  connection?: ResolvedConnection;
  /** Where backups go (--backup-dir, default ~/postgres-backups). */
  backupDir?: string;
  /** With -k: runs a command in the database's current pod (backups run pg_dump, pg_restore, psql there). */
  podExec?: PodExec;
  /** With -k: how that pod is named in messages (the header's target). */
  podLabel?: () => string;
  /** The backup directory changed (a backup, a delete): list it again now. */
  backupsChanged?: () => void;
  /** The pod screen's du ran: its lines go to the store (results.diskUsage), shown until the next run. */
  landDiskUsage?: (entries: DiskUsageEntry[]) => void;
  /** Runs on the monitor connection (the scheduler's onMonitor): for the actions marked onMonitor. */
  onMonitor?: <T>(run: (client: ClientBase) => Promise<T>) => Promise<T>;
}
