// The command line, psql- and kubectl-compatible (docs/command-line.md):
// `pgtop` (the dashboard), and its subcommands `pgtop learn` and `pgtop
// backup`, each a commander command with its own options and its own type.
// Parsing is commander's; this file says what pgtop accepts and turns every
// mistake into one UsageError line (exit 2).
import { Command, CommanderError, Option } from 'commander';
import { UsageError } from '../errors.js';
import { DEFAULT_SCREEN, isScreenId, SCREEN_IDS, type ScreenId } from '../../screens/index.js';
import { addViewOptions, viewOptions, type ViewFlags, type ViewOptions } from './view-options.js';
import { addDemoOption, addTargetOptions, targetOptions, type TargetFlags, type TargetOptions } from './target-options.js';
import { learnCommand, type LearnOptions } from './learn-options.js';
import { backupCommand, type BackupOptions } from './backup-options.js';

/** `pgtop [OPTIONS]`: the dashboard, or one screen printed with --once. */
export interface DashboardOptions extends TargetOptions, ViewOptions {
  kind: 'dashboard';
  screen: ScreenId;
  once: boolean;
  json: boolean;
}

export type { LearnOptions } from './learn-options.js';
export type { BackupOptions } from './backup-options.js';

export type CommandLine = DashboardOptions | LearnOptions | BackupOptions | { kind: 'exit'; output: string };

type DashboardFlags = TargetFlags & ViewFlags & { screen: string; once?: boolean; json?: boolean };

function dashboardOptions(o: DashboardFlags, args: readonly string[], env: NodeJS.ProcessEnv): DashboardOptions {
  if (o.json && !o.once) throw new UsageError('--json needs --once (it prints the rows once, for scripts)');
  if (!isScreenId(o.screen)) throw new UsageError(`unknown screen "${o.screen}": use one of ${SCREEN_IDS.join(', ')}`);
  return { kind: 'dashboard', ...targetOptions(o, args), ...viewOptions(o, env), screen: o.screen, once: !!o.once, json: !!o.json };
}

/**
 * pgtop and its subcommands. Each command's options come after its name
 * (`pgtop learn -h db1`): enablePositionalOptions keeps the dashboard's
 * options from taking a subcommand's. A command's action stores what it
 * parsed in `parsed`.
 */
function buildProgram(version: string, env: NodeJS.ProcessEnv, parsed: (line: CommandLine) => void): Command {
  const program = new Command('pgtop')
    .description('A terminal dashboard for administering PostgreSQL, directly or in Kubernetes.')
    .usage('[OPTIONS] [DBNAME | postgres://URI] [USERNAME]')
    .helpOption('--help', 'show this help and exit')
    .version(version, '-V, --version', 'print the version and exit')
    .enablePositionalOptions()
    // `pgtop help` would take a database named help; --help is there.
    .helpCommand(false)
    .showSuggestionAfterError(true)
    .allowExcessArguments(false);
  addTargetOptions(program);
  addViewOptions(program);
  addDemoOption(program)
    .addOption(new Option('--screen <name>', 'start on this screen').choices([...SCREEN_IDS]).default(DEFAULT_SCREEN))
    .option('--once', 'print the screen once as text and exit (no terminal needed)')
    .option('--json', 'with --once: print the screen\'s rows as JSON')
    .addHelpText(
      'after',
      `
Connection as psql: -h/-p/-U/-d, a postgres:// URI, PG* variables, ~/.pgpass (PGPASSFILE), sslmode.
Screens: ${SCREEN_IDS.join(', ')}. In the dashboard press ? for every key.
pgtop --demo: try pgtop without a server. pgtop learn --help, pgtop backup --help: the commands' own options.
Exit codes: 0 quit, 1 runtime failure, 2 bad usage.`,
    )
    .action((dbname: string | undefined, username: string | undefined, opts: DashboardFlags) => parsed(dashboardOptions(opts, [dbname, username] as string[], env)));
  return program;
}

/** pgtop with its subcommands, ready to parse: what it parsed goes to `parsed`, its help and version to `writeOut`. */
function createProgram(version: string, env: NodeJS.ProcessEnv, parsed: (line: CommandLine) => void, writeOut: (text: string) => void): Command {
  const program = buildProgram(version, env, parsed);
  // Set before the subcommands are added: they copy the parent's output and exit settings.
  program.exitOverride();
  // Errors are rethrown by parseCommandLine as one line; commander must not print them too.
  program.configureOutput({ writeOut, writeErr: () => undefined });
  // Options before a command's name are the dashboard's: said, not dropped (`pgtop -h db1 learn`).
  program.hook('preSubcommand', (dashboard, command) => {
    const given = dashboard.options.filter((o) => dashboard.getOptionValueSource(o.attributeName()) === 'cli').map((o) => o.long ?? o.short);
    if (given.length) throw new UsageError(`${given.join(', ')} given before "${command.name()}": a command's options go after its name (see pgtop ${command.name()} --help)`);
  });
  program.addCommand(learnCommand(env, parsed).copyInheritedSettings(program));
  program.addCommand(backupCommand(parsed).copyInheritedSettings(program));
  return program;
}

/** The commands and their options, as --help shows them: the man page is made from them (man-page.ts). */
export function commandTree(version: string): Command {
  return createProgram(version, {}, () => undefined, () => undefined);
}

export function parseCommandLine(args: readonly string[], env: NodeJS.ProcessEnv, version: string): CommandLine {
  let line: CommandLine | undefined;
  let output = '';
  const program = createProgram(version, env, (parsed) => (line = parsed), (text) => (output += text));
  try {
    program.parse([...args], { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') return { kind: 'exit', output };
      const command = ['learn', 'backup'].includes(args[0] ?? '') ? `pgtop ${args[0]}` : 'pgtop';
      throw new UsageError(`${error.message.replace(/^error: /, '').split('\n')[0]} (see ${command} --help)`);
    }
    throw error;
  }
  if (!line) throw new UsageError('nothing to do (see pgtop --help)');
  return line;
}
