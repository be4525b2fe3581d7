// Where pgtop connects: directly (host/port as psql), or through something
// pgtop runs for the user (a Kubernetes port-forward, a demo server). Each
// kind opens here, hands back a psql-style connection to use, and is closed
// when pgtop quits, whatever the path out.
import { resolveConnection, type ResolvedConnection } from '../db/connection-options.js';
import type { PodExec } from '../backup/source.js';
import type { PgtopStore } from '../store/store.js';
import type { DashboardOptions } from './options.js';

export interface ConnectionTarget {
  /** Where the pg connections go (for a forward: 127.0.0.1 and the local port). */
  connection: ResolvedConnection;
  /** How the header names it ("direct 10.0.0.5:5432"). */
  label: string;
  /** Keeps the header's target and connection state current once the dashboard runs. */
  attach?(store: PgtopStore): void;
  /** The default backup directory when it is not ~/postgres-backups (the demo keeps its own, removed with it). */
  backupDir?: string;
  /** With -k: runs a command in the database's current pod (backups run pg_dump there, so its version is the server's). */
  exec?: PodExec;
  /** Stops what the target runs (listeners, port-forwards, servers); safe to call twice. */
  close(): Promise<void>;
}

export async function openTarget(cli: DashboardOptions, env: NodeJS.ProcessEnv = process.env): Promise<ConnectionTarget> {
  if (cli.demo) {
    // Loaded only with --demo. The guided session's demo leaves pg_stat_statements for the learner to enable.
    const { openDemoTarget } = await import('../demo/target.js');
    return openDemoTarget({ enableStatements: !cli.learn }, env);
  }
  if (cli.k8s) {
    // Loaded only with -k: the direct path never loads the Kubernetes client.
    const { openK8sTarget } = await import('../k8s/target.js');
    return openK8sTarget(cli.k8s, cli.connection, env);
  }
  const connection = resolveConnection(cli.connection, env);
  return { connection, label: `direct ${connection.describe}`, close: () => Promise.resolve() };
}
