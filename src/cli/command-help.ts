// What pgtop's commands share in how they talk about their options (commander).
import { Option } from 'commander';

/** An option a command does not take but a user may try there: accepted by the parser, left out of --help, refused with a line that says what to do instead. */
export function refusedOption(flags: string): Option {
  return new Option(flags).hideHelp();
}
