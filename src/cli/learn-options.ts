// `pgtop learn [OPTIONS]`: the guided administration session. It takes every
// option the dashboard takes (connection, -k, --demo, --backup-dir…), so it
// is the dashboard's command line with a few of its own added, parsed by the
// same code in options.ts.
import type { Command } from 'commander';
import { hideOptions } from './command-help.js';

export interface LearnCliOptions {
  /** Run every success check without the UI, one line per criterion; exit 0 only when all pass. */
  check: boolean;
}

/** The dashboard's program, renamed and given the session's own options. */
export function learnProgram(program: Command): Command {
  return hideOptions(program, ['--once', '--json', '--screen'])
    .name('pgtop learn')
    .description(
      'The guided PostgreSQL administration session: users and permissions, backup and restore, performance monitoring, ' +
        'maintenance, security audit. Every step runs on the connected server and is checked live.',
    )
    .usage('[OPTIONS] [DBNAME | postgres://URI] [USERNAME]')
    .option('--check', 'run every success check without the UI, one line per criterion; exit 0 only when all pass')
    .addHelpText(
      'after',
      `
Connection as psql (-h/-p/-U/-d, URI, PG* variables, ~/.pgpass) or -k as kubectl; --demo: a throwaway server.
In the session: Enter runs the step (y/n first when it changes the server), n/→ next, b/← back, o opens the screen
that shows the result, ? every key, q leaves. Progress is kept per server and resumed.
Exit codes: 0 quit (--check: every criterion passes), 1 runtime failure (--check: some fail), 2 bad usage.`,
    );
}

export function learnOptions(opts: { check?: boolean }): LearnCliOptions {
  return { check: !!opts.check };
}
