// `pgtop learn [OPTIONS]`: the guided administration session. It connects as
// the dashboard does (connection, -k, --demo, --backup-dir) and runs as the
// dashboard does (-i, --read-only, --no-color), on its own screen; --check
// runs every success check without the UI.
import { Command } from 'commander';
import { UsageError } from '../errors.js';
import { refusedOption } from './command-help.js';
import { addViewOptions, viewOptions, type ViewFlags, type ViewOptions } from './view-options.js';
import { addDemoOption, addTargetOptions, targetOptions, type TargetFlags, type TargetOptions } from './target-options.js';

export interface LearnOptions extends TargetOptions, ViewOptions {
  kind: 'learn';
  /** Run every success check without the UI, one line per criterion; exit 0 only when all pass. */
  check: boolean;
}

type LearnFlags = TargetFlags & ViewFlags & { check?: boolean; once?: boolean; json?: boolean };

export function learnCommand(env: NodeJS.ProcessEnv, parsed: (options: LearnOptions) => void): Command {
  const command = new Command('learn')
    .summary('the guided administration session, every step checked live (pgtop learn --help)')
    .description(
      'The guided PostgreSQL administration session: users and permissions, backup and restore, performance monitoring, ' +
        'maintenance, security audit. Every step runs on the connected server and is checked live.',
    )
    .usage('[OPTIONS] [DBNAME | postgres://URI] [USERNAME]')
    .helpOption('--help', 'show this help and exit');
  addTargetOptions(command);
  addViewOptions(command);
  return addDemoOption(command)
    .option('--check', 'run every success check without the UI, one line per criterion; exit 0 only when all pass')
    .addOption(refusedOption('--once'))
    .addOption(refusedOption('--json'))
    .addHelpText(
      'after',
      `
Connection as psql (-h/-p/-U/-d, URI, PG* variables, ~/.pgpass) or -k as kubectl; --demo: a throwaway server.
In the session: Enter runs the step (y/n first when it changes the server), n/→ next, b/← back, o opens the screen
that shows the result, ? every key, q leaves. Progress is kept per server and resumed.
Exit codes: 0 quit (--check: every criterion passes), 1 runtime failure (--check: some fail), 2 bad usage.`,
    )
    .action((dbname: string | undefined, username: string | undefined, o: LearnFlags) => {
      if (o.once || o.json) throw new UsageError('pgtop learn has no --once/--json: use pgtop learn --check to run every check without the UI');
      parsed({ kind: 'learn', ...targetOptions(o, [dbname, username] as string[]), ...viewOptions(o, env), check: !!o.check });
    });
}
