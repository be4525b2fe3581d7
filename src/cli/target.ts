// Where pgtop connects: directly (host/port as psql), or through something
// pgtop runs for the user (a Kubernetes port-forward, a demo server). Each
// kind opens here, hands back a psql-style connection to use, and is closed
// when pgtop quits, whatever the path out.
import { resolveConnection, type ResolvedConnection } from '../db/connection-options.js';
import type { PgtopStore } from '../store/store.js';
import type { DashboardOptions } from './options.js';

export interface ConnectionTarget {
  /** Where the pg connections go (for a forward: 127.0.0.1 and the local port). */
  connection: ResolvedConnection;
  /** How the header names it ("direct 10.0.0.5:5432"). */
  label: string;
  /** Keeps the header's target and connection state current once the dashboard runs. */
  attach?(store: PgtopStore): void;
  /** Stops what the target runs (listeners, port-forwards, servers); safe to call twice. */
  close(): Promise<void>;
}

export async function openTarget(cli: DashboardOptions, env: NodeJS.ProcessEnv = process.env): Promise<ConnectionTarget> {
  const connection = resolveConnection(cli.connection, env);
  return { connection, label: `direct ${connection.describe}`, close: async () => undefined };
}
