// The command line, psql- and kubectl-compatible (SPEC.md). Parsing is
// commander's; this file says what pgtop accepts and turns every mistake
// into one UsageError line (exit 2).
import { Command, CommanderError, Option } from 'commander';
import { UsageError } from '../errors.js';
import type { ConnectionFlags } from '../db/connection-options.js';
import { isScreenId, SCREEN_IDS, type ScreenId } from '../screen-ids.js';
import { MIN_INTERVAL_MS } from '../store/store.js';

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
}

export type CommandLine = DashboardOptions | { kind: 'exit'; output: string };

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
    .option('-i, --interval <seconds>', 'refresh interval in seconds (minimum 0.5)', '2')
    .option('--read-only', 'refuse every action that changes the server')
    .addOption(new Option('--screen <name>', 'start on this screen').choices([...SCREEN_IDS]).default('activity'))
    .option('--once', 'print the screen once as text and exit (no terminal needed)')
    .option('--json', 'with --once: print the screen\'s rows as JSON')
    .option('--no-color', 'no colours (also NO_COLOR)')
    .addHelpText(
      'after',
      `
Connection as psql: -h/-p/-U/-d, a postgres:// URI, PG* variables, ~/.pgpass (PGPASSFILE), sslmode.
Screens: ${SCREEN_IDS.join(', ')}. In the dashboard press ? for every key.
Exit codes: 0 quit, 1 runtime failure, 2 bad usage.`,
    )
    .showSuggestionAfterError(true)
    .allowExcessArguments(false);
}

export function parseCommandLine(args: readonly string[], env: NodeJS.ProcessEnv, version: string): CommandLine {
  const program = buildProgram(version);
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
    program.parse([...args], { from: 'user' });
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
    interval: string;
    readOnly?: boolean;
    screen: string;
    once?: boolean;
    json?: boolean;
    color: boolean;
  }>();
  const [positional, positionalUser] = program.args;

  const seconds = Number(o.interval);
  if (!Number.isFinite(seconds) || seconds * 1000 < MIN_INTERVAL_MS) {
    throw new UsageError(`invalid --interval "${o.interval}": give seconds, at least ${MIN_INTERVAL_MS / 1000}`);
  }
  if (o.json && !o.once) throw new UsageError('--json needs --once (it prints the rows once, for scripts)');
  if (!isScreenId(o.screen)) throw new UsageError(`unknown screen "${o.screen}": use one of ${SCREEN_IDS.join(', ')}`);

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
  };
}
