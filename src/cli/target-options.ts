// The options every command takes to say where the server is (psql's and
// kubectl's), and what they turn into: a TargetChoice (src/target/) and the
// backup directory. pgtop, pgtop learn and pgtop backup each add them to
// their own commander command, so each command's --help lists them.
import { Command } from 'commander';
import { UsageError } from '../errors.js';
import { parsePort, parseSecretRef, parseTargetRef } from '../k8s/target-ref.js';
import type { K8sOptions, TargetChoice } from '../target/target.js';

/** The target options as commander returns them. */
export interface TargetFlags {
  host?: string;
  port?: string;
  username?: string;
  dbname?: string;
  k8s?: string;
  namespace?: string;
  context?: string;
  kubeconfig?: string;
  remotePort: string;
  localPort?: string;
  passwordSecret?: string;
  backupDir?: string;
  demo?: boolean;
}

/** What every command knows once its command line is read: where to connect, and where backups go. */
export interface TargetOptions {
  target: TargetChoice;
  /** --backup-dir; undefined: the target's own (the demo's), else ~/postgres-backups. */
  backupDir?: string;
}

/** psql's positional arguments and connection options, kubectl's -k and companions, --backup-dir. */
export function addTargetOptions(command: Command): Command {
  return command
    .argument('[dbname]', 'database name or postgres:// URI (as psql)')
    .argument('[username]', 'user name (as psql)')
    .option('-h, --host <host>', 'server host or socket directory (PGHOST)')
    .option('-p, --port <port>', 'server port (PGPORT, default 5432)')
    .option('-U, --username <user>', 'user name (PGUSER, default: the OS user)')
    .option('-d, --dbname <db>', 'database name or URI (PGDATABASE, default: the user name)')
    .option('-k, --k8s <type/name>', 'Kubernetes target: deployment/, statefulset/, service/, pod/NAME, or cluster/NAME (CloudNativePG)')
    .option('-n, --namespace <ns>', 'Kubernetes namespace (default: the context\'s, else "default")')
    .option('--context <name>', 'kubeconfig context')
    .option('--kubeconfig <file>', 'kubeconfig file (KUBECONFIG)')
    .option('--remote-port <port>', 'with -k: the PostgreSQL port in the pod', '5432')
    .option('--local-port <port>', 'with -k: the local port pgtop listens on (default: any free port)')
    .option('--password-secret <name/key>', 'with -k: read the password from this Secret\'s key')
    .option('--backup-dir <dir>', 'where backups go (default ~/postgres-backups)');
}

/** --demo: for the commands that can run on the demo's throwaway server. */
export function addDemoOption(command: Command): Command {
  return command.option('--demo', 'start a throwaway local PostgreSQL with a live demo workload and open pgtop on it');
}

/** The target the flags and positional arguments name, checked: a mistake is one UsageError line. */
export function targetOptions(o: TargetFlags, [positional, positionalUser]: readonly (string | undefined)[]): TargetOptions {
  if (o.demo) demoConflicts({ ...o, positional, positionalUser });
  return {
    target: {
      connection: { host: o.host, port: o.port, username: o.username ?? positionalUser, dbname: o.dbname, positional },
      k8s: o.k8s === undefined ? undefined : k8sOptions(o),
      demo: !!o.demo,
    },
    backupDir: o.backupDir,
  };
}

/** --demo starts its own server: a connection given as well is a mistake worth saying. */
function demoConflicts(o: TargetFlags & { positional?: string; positionalUser?: string }): void {
  const given = [
    o.host !== undefined && '-h/--host',
    o.port !== undefined && '-p/--port',
    (o.username ?? o.positionalUser) !== undefined && '-U/--username',
    (o.dbname ?? o.positional) !== undefined && 'a database',
    o.k8s !== undefined && '-k/--k8s',
  ].filter(Boolean);
  if (given.length) throw new UsageError(`--demo starts its own throwaway server: leave out ${given.join(', ')}`);
}

function k8sOptions(o: TargetFlags): K8sOptions {
  if (o.host !== undefined || o.port !== undefined) {
    throw new UsageError('-h/--host and -p/--port do not go with -k/--k8s: pgtop forwards to the pod itself (use --remote-port for the port in the pod)');
  }
  return {
    target: parseTargetRef(o.k8s ?? ''),
    namespace: o.namespace,
    context: o.context,
    kubeconfig: o.kubeconfig,
    remotePort: parsePort(o.remotePort, '--remote-port'),
    localPort: o.localPort === undefined ? undefined : parsePort(o.localPort, '--local-port'),
    passwordSecret: o.passwordSecret === undefined ? undefined : parseSecretRef(o.passwordSecret),
  };
}
