// man/pgtop.1, generated from what --help and docs/keys.md are made from:
// the commander commands (options.ts and its subcommands) and the key
// catalogue with the screens' offers. An option or a key cannot be in one
// and not the other. `npm run docs:man` writes it; test/unit/man-page.test.ts
// fails when the file is stale and when `man` warns about it.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command, Option } from 'commander';
import type { ScreenDefinition } from '../../screens/definition.js';
import { SCREEN_ORDER } from '../../screens/index.js';
import { bindingsFor, keyName } from '../keys/commands.js';
import { commandTree } from './options.js';

export const MAN_PAGE = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'man', 'pgtop.1');

/** Text as roff reads it: backslashes and hyphens escaped, no line that starts a request. */
function roff(text: string): string {
  return text.replaceAll('\\', '\\e').replaceAll('-', '\\-').replace(/^([.'])/gm, '\\&$1');
}

function bold(text: string): string {
  return `\\fB${roff(text)}\\fR`;
}

/** A tagged paragraph: the tag in bold, the text under it. */
function item(tag: string, text: string): string[] {
  return ['.TP', bold(tag), roff(text)];
}

/** One option as a tagged paragraph, its words as --help says them (default and choices included). */
function optionItem(command: Command, option: Option): string[] {
  return item(option.flags, command.createHelp().optionDescription(option));
}

/** What --help lists (its own --help and -V included), in its order. */
function visibleOptions(command: Command): Option[] {
  return command.createHelp().visibleOptions(command);
}

function keyItems(bindings: ReturnType<typeof bindingsFor>): string[] {
  return bindings.flatMap((b) => item(b.keys.map(keyName).join(' '), b.text));
}

export function renderManPage(version: string, screens: readonly ScreenDefinition[] = SCREEN_ORDER): string {
  const program = commandTree(version);
  const shared = new Set(visibleOptions(program).map((o) => o.flags));
  const lines = [
    `.\\" Generated from src/cli/options.ts and src/keys/commands.ts by npm run docs:man. Do not edit.`,
    `.TH PGTOP 1 "" "pgtop ${roff(version)}" "User Commands"`,
    '.SH NAME',
    'pgtop \\- a terminal dashboard for administering PostgreSQL, directly or in Kubernetes',
    '.SH SYNOPSIS',
    `${bold('pgtop')} [\\fIOPTIONS\\fR] [\\fIDBNAME\\fR | \\fIpostgres://URI\\fR] [\\fIUSERNAME\\fR]`,
    '.br',
    `${bold('pgtop learn')} [\\fIOPTIONS\\fR] [\\fIDBNAME\\fR] [\\fIUSERNAME\\fR]`,
    '.br',
    `${bold('pgtop backup')} [\\fIOPTIONS\\fR] [\\fIDBNAME\\fR] [\\fIUSERNAME\\fR]`,
    '.SH DESCRIPTION',
    roff(
      'pgtop shows who is connected, what is blocked by whom, which tables bloat, how big everything is and who may do what, ' +
        'and runs the fixes (cancel, terminate, vacuum, backups) after a confirmation. It connects as psql does ' +
        '(the options below, a postgres:// URI, the PG* variables, ~/.pgpass) or to a PostgreSQL in Kubernetes through its own port-forward (-k).',
    ),
    '.SH OPTIONS',
    ...visibleOptions(program).flatMap((o) => optionItem(program, o)),
    '.SH COMMANDS',
  ];
  for (const command of program.commands) {
    const own = visibleOptions(command).filter((o) => !shared.has(o.flags) && o.long !== '--help');
    const sharedHere = visibleOptions(command).filter((o) => shared.has(o.flags) && o.long !== '--help' && o.long !== '--version');
    lines.push(
      '.SS',
      bold(`pgtop ${command.name()}`),
      '.PP',
      roff(command.description()),
      '.PP',
      roff(`It takes these options of pgtop: ${sharedHere.map((o) => o.long ?? o.short).join(', ')}; and its own:`),
      ...own.flatMap((o) => optionItem(command, o)),
    );
  }
  lines.push('.SH SCREENS', roff('Number keys, Tab or :name move between them; --screen NAME starts on one.'));
  for (const [i, screen] of screens.entries()) lines.push(...item(screen.id, `${screen.title}${i < 9 ? ` (key ${i + 1})` : ''}`));
  lines.push('.SH KEYS', roff('On every screen:'), ...keyItems(bindingsFor({}).filter((b) => b.global)));
  for (const screen of screens) {
    const own = bindingsFor(screen.keys).filter((b) => !b.global);
    if (own.length) lines.push('.SS', roff(`${screen.title} (${screen.id})`), ...keyItems(own));
  }
  lines.push(
    '.PP',
    roff('An action that changes the server shows what will run and asks first; under --read-only it is refused. The whole key reference: docs/keys.md.'),
    '.SH EXIT STATUS',
    ...item('0', 'quit; pgtop learn --check: every criterion passes; pgtop backup: the backup is complete and verified'),
    ...item('1', 'a runtime failure (server unreachable, wrong password, a screen whose data failed with --once, a check or a backup that failed)'),
    ...item('2', 'bad usage (a bad option, stdout not a terminal without --once)'),
    '.SH ENVIRONMENT',
    ...item('PGHOST, PGPORT, PGUSER, PGDATABASE, PGPASSWORD, PGPASSFILE, PGAPPNAME, PGSSLMODE', 'as for psql'),
    ...item('KUBECONFIG', 'the kubeconfig file for -k, as for kubectl'),
    ...item('NO_COLOR', 'no colours, as --no-color'),
    ...item('PGTOP_PG_BINDIR', 'where --demo finds initdb and postgres when pg_config does not'),
    ...item('XDG_STATE_HOME', "where the guided session keeps its progress (default ~/.local/state)"),
    '.SH FILES',
    ...item('~/.pgpass', 'passwords, read as libpq does; pgtop learn offers to add one'),
    ...item('~/postgres-backups', 'backups, each with its .verified record (--backup-dir)'),
    ...item('~/.local/state/pgtop/learn/', "the guided session's progress, per server"),
    '.SH SEE ALSO',
    roff('psql(1), pg_dump(1), kubectl(1), pg_activity(1)'),
  );
  return `${lines.join('\n')}\n`;
}

// `npm run docs:man` (vite-node src/cli/man-page.ts --write): write the file.
if (process.argv.includes('--write')) {
  const { VERSION } = await import('../version.js');
  writeFileSync(MAN_PAGE, renderManPage(VERSION));
  process.stdout.write(`wrote ${path.relative(process.cwd(), MAN_PAGE)}\n`);
}
