// What pgtop connects through, whatever it is: a server reached directly
// (host and port as psql), the demo's throwaway server, or a Kubernetes pod
// behind pgtop's own port-forward. Each kind opens in its own module of this
// folder (open.ts picks one), hands back a psql-style connection to use, and
// is closed when pgtop quits, whatever the path out.
import type { PodExec } from '../backup/source.js';
import type { ConnectionFlags, ResolvedConnection } from '../db/connection-options.js';
import type { CnpgCluster } from '../k8s/instances-source.js';
import type { PodLogTarget } from '../k8s/log-source.js';
import type { TargetRef } from '../k8s/target-ref.js';
import type { PgtopStore } from '../store/store.js';

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
  /** With -k cluster/NAME: the CloudNativePG cluster, whose instance pods the replication screen lists. */
  cnpgCluster?: CnpgCluster;
  /** With -k: the pod whose server container's log the logs screen follows. */
  podLog?: PodLogTarget;
  /** Stops what the target runs (listeners, port-forwards, servers); safe to call twice. */
  close(): Promise<void>;
}

/** -k and its companions, validated; the connection goes through pgtop's own port-forward. */
export interface K8sOptions {
  target: TargetRef;
  namespace?: string;
  context?: string;
  kubeconfig?: string;
  remotePort: number;
  /** Undefined: any free port. */
  localPort?: number;
  passwordSecret?: { name: string; key: string };
}

/** What the command line says about where to connect (each subcommand's options have these). */
export interface TargetChoice {
  connection: ConnectionFlags;
  k8s?: K8sOptions;
  /** --demo: a throwaway local server with a demo workload. */
  demo?: boolean;
  /** The demo for the guided session leaves pg_stat_statements for the learner to enable. */
  forLearning?: boolean;
}
