// Help text shared by pgtop's commands (commander).
import type { Command } from 'commander';

/** Options a subcommand takes (so that a mistake gets its own message) but that mean nothing there: left out of its --help. */
export function hideOptions(program: Command, longs: readonly string[]): Command {
  for (const option of program.options) if (option.long && longs.includes(option.long)) option.hideHelp();
  return program;
}
