// The command line, psql- and kubectl-compatible (docs/command-line.md). Parsing is
// commander's; this file says what pgtop accepts and turns every mistake
// into one UsageError line (exit 2).
import { Command, CommanderError, Option } from 'commander';
import { UsageError } from '../errors.js';
import type { ConnectionFlags } from '../db/connection-options.js';
import { DEFAULT_SCREEN, isScreenId, SCREEN_IDS, type ScreenId } from '../../screens/index.js';
import { MIN_INTERVAL_MS } from '../store/store.js';
import { parsePort, parseSecretRef, parseTargetRef } from '../k8s/target-ref.js';
import type { K8sOptions } from '../target/target.js';
import { learnOptions, learnProgram, type LearnCliOptions } from './learn-options.js';
import { backupOptions, backupProgram, type BackupCliOptions, type BackupFlags } from './backup-options.js';


export interface DashboardOptions {
  kind: 'dashboard';
  connection: ConnectionFlags;
  intervalMs: number;
  readOnly: boolean;
  screen: ScreenId;
  once: boolean;
  json: boolean;
  color: boolean;
  k8sTarget?: string;
  k8s?: K8sOptions;
  /** --demo: a throwaway local server with a demo workload instead of a connection. */
  demo: boolean;
  /** --backup-dir; undefined: ~/postgres-backups (the demo's own directory with --demo). */
  backupDir?: string;
  /** Set for `pgtop learn`: the guided session (its screen, or --check). */
  learn?: LearnCliOptions;
  /** Set for `pgtop backup`: one backup without the UI, or --print-cronjob. */
  backup?: BackupCliOptions;
}

export type CommandLine = DashboardOptions | { kind: 'exit'; output: string };

/** The options every command shares (connection, Kubernetes) and the dashboard's. */
export function buildProgram(version: string): Command {
  return new Command('pgtop')
    .description('A terminal dashboard for administering PostgreSQL, directly or in Kubernetes.')
    .usage('[OPTIONS] [DBNAME | postgres://URI] [USERNAME]')
    .argument('[dbname]', 'database name or postgres:// URI (as psql)')
    .argument('[username]', 'user name (as psql)')
    .helpOption('--help', 'show this help and exit')
    .version(version, '-V, --version', 'print the version and exit')
    .option('-h, --host <host>', 'server host or socket directory (PGHOST)')
    .option('-p, --port <port>', 'server port (PGPORT, default 5432)')
    .option('-U, --username <user>', 'user name (PGUSER, default: the OS user)')
    .option('-d, --dbname <db>', 'database name or URI (PGDATABASE, default: the user name)')
    .option('-k, --k8s <type/name>', 'Kubernetes target: deployment/, statefulset/, service/ or pod/NAME')
    .option('-n, --namespace <ns>', 'Kubernetes namespace (default: the context\'s, else "default")')
    .option('--context <name>', 'kubeconfig context')
    .option('--kubeconfig <file>', 'kubeconfig file (KUBECONFIG)')
    .option('--remote-port <port>', 'with -k: the PostgreSQL port in the pod', '5432')
    .option('--local-port <port>', 'with -k: the local port pgtop listens on (default: any free port)')
    .option('--password-secret <name/key>', 'with -k: read the password from this Secret\'s key')
    .option('-i, --interval <seconds>', 'refresh interval in seconds (minimum 0.5)', '2')
    .option('--read-only', 'refuse every action that changes the server')
    .addOption(new Option('--screen <name>', 'start on this screen').choices([...SCREEN_IDS]).default(DEFAULT_SCREEN))
    .option('--once', 'print the screen once as text and exit (no terminal needed)')
    .option('--json', 'with --once: print the screen\'s rows as JSON')
    .option('--no-color', 'no colours (also NO_COLOR)')
    .option('--demo', 'start a throwaway local PostgreSQL with a live demo workload and open pgtop on it')
    .option('--backup-dir <dir>', 'where backups go (default ~/postgres-backups)')
    .showSuggestionAfterError(true)
    .allowExcessArguments(false);
}

/** `pgtop`'s own help ends with the other commands and the exit codes. */
function dashboardProgram(version: string): Command {
  return buildProgram(version).addHelpText(
    'after',
    `
Connection as psql: -h/-p/-U/-d, a postgres:// URI, PG* variables, ~/.pgpass (PGPASSFILE), sslmode.
Screens: ${SCREEN_IDS.join(', ')}. In the dashboard press ? for every key.
pgtop learn [OPTIONS]: the guided administration session (pgtop learn --help); pgtop --demo: try pgtop without a server.
pgtop backup [OPTIONS] [--format F] [--table T] [--keep-days N] | --print-cronjob: one verified backup for cron (pgtop backup --help).
Exit codes: 0 quit, 1 runtime failure, 2 bad usage.`,
  );
}


export function parseCommandLine(args: readonly string[], env: NodeJS.ProcessEnv, version: string): CommandLine {
  // `pgtop learn …` is the dashboard's command line plus the session's options.
  const learn = args[0] === 'learn';
  const backup = args[0] === 'backup';
  const program = learn ? learnProgram(buildProgram(version)) : backup ? backupProgram(buildProgram(version)) : dashboardProgram(version);
  let output = '';
  program.exitOverride();
  program.configureOutput({
    writeOut: (text) => {
      output += text;
    },
    // Errors are rethrown below as one line; commander must not print them too.
    writeErr: () => undefined,
  });
  try {
    program.parse(learn || backup ? args.slice(1) : [...args], { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') return { kind: 'exit', output };
      throw new UsageError(`${error.message.replace(/^error: /, '').split('\n')[0]} (see pgtop --help)`);
    }
    throw error;
  }
  const o = program.opts<{
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
    interval: string;
    readOnly?: boolean;
    screen: string;
    once?: boolean;
    json?: boolean;
    color: boolean;
    demo?: boolean;
    backupDir?: string;
    check?: boolean;
  } & BackupFlags>();
  const [positional, positionalUser] = program.args;

  const seconds = Number(o.interval);
  if (!Number.isFinite(seconds) || seconds * 1000 < MIN_INTERVAL_MS) {
    throw new UsageError(`invalid --interval "${o.interval}": give seconds, at least ${MIN_INTERVAL_MS / 1000}`);
  }
  if (o.json && !o.once) throw new UsageError('--json needs --once (it prints the rows once, for scripts)');
  if (!isScreenId(o.screen)) throw new UsageError(`unknown screen "${o.screen}": use one of ${SCREEN_IDS.join(', ')}`);
  const k8s = o.k8s === undefined ? undefined : k8sOptions(o);
  if (o.demo) demoConflicts({ ...o, positional, positionalUser });
  if (backup && (o.once || o.json || o.demo)) throw new UsageError('pgtop backup has no --once/--json/--demo: it makes one backup of the server given by the connection options');
  if (learn && (o.once || o.json)) throw new UsageError('pgtop learn has no --once/--json: use pgtop learn --check to run every check without the UI');

  return {
    kind: 'dashboard',
    connection: {
      host: o.host,
      port: o.port,
      username: o.username ?? positionalUser,
      dbname: o.dbname,
      positional,
    },
    intervalMs: Math.round(seconds * 1000),
    readOnly: !!o.readOnly,
    screen: o.screen,
    once: !!o.once,
    json: !!o.json,
    color: o.color && !env.NO_COLOR,
    k8sTarget: o.k8s,
    k8s,
    demo: !!o.demo,
    backupDir: o.backupDir,
    learn: learn ? learnOptions(o) : undefined,
    backup: backup ? backupOptions(o) : undefined,
  };
}

/** --demo starts its own server: a connection given as well is a mistake worth saying. */
function demoConflicts(o: { host?: string; port?: string; username?: string; dbname?: string; k8s?: string; positional?: string; positionalUser?: string }): void {
  const given = [
    o.host !== undefined && '-h/--host',
    o.port !== undefined && '-p/--port',
    (o.username ?? o.positionalUser) !== undefined && '-U/--username',
    (o.dbname ?? o.positional) !== undefined && 'a database',
    o.k8s !== undefined && '-k/--k8s',
  ].filter(Boolean);
  if (given.length) throw new UsageError(`--demo starts its own throwaway server: leave out ${given.join(', ')}`);
}

function k8sOptions(o: {
  k8s?: string; host?: string; port?: string; namespace?: string; context?: string; kubeconfig?: string;
  remotePort: string; localPort?: string; passwordSecret?: string;
}): K8sOptions {
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
