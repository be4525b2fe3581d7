// docs/keys.md, generated from the command catalogue (src/keys/commands.ts)
// and what each screen offers (screens/<id>/index.ts): the key table can
// never leave a key out or describe one that is gone. `npm run docs:keys`
// writes it; test/unit/keys-doc.test.ts fails when the file is stale.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ScreenDefinition } from '../../screens/definition.js';
import { SCREEN_ORDER } from '../../screens/index.js';
import { bindingsFor, COMMANDS, DIALOG_COMMANDS, keyName, type CommandKind, type DialogId, type KeyBinding } from '../keys/commands.js';

export const KEYS_DOC = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'docs', 'keys.md');

const KIND_WORDS: Record<CommandKind, string> = {
  move: 'moves',
  view: 'changes the view',
  dialog: 'opens a dialog (reads only)',
  'changes-server': 'changes the server: asks first, refused under --read-only',
};

const DIALOG_TITLES: Record<DialogId, string> = {
  confirm: 'A y/n confirmation',
  typedConfirm: 'A confirmation by typed name (VACUUM FULL, restoring a file pgtop did not make)',
  question: "An action's question",
  choice: "An action's choice (profile, backup kind)",
  textField: 'Typing text (command line `:`, filter `/`, a question)',
  details: 'Details (Enter)',
  result: "An action's result",
  help: 'Help (`?`)',
};

function cell(text: string): string {
  return text.replaceAll('|', '\\|');
}

function keyList(keys: readonly string[]): string {
  return keys.length ? keys.map((k) => `\`${keyName(k)}\``).join(' ') : '(any other)';
}

function table(rows: readonly KeyBinding[], withKind: boolean): string[] {
  return [
    withKind ? '| keys | what it does | kind |' : '| keys | what it does |',
    withKind ? '| --- | --- | --- |' : '| --- | --- |',
    ...rows.map((b) => `| ${keyList(b.keys)} | ${cell(b.text)} |${withKind ? ` ${KIND_WORDS[b.kind]} |` : ''}`),
  ];
}

export function renderKeysDoc(screens: readonly ScreenDefinition[] = SCREEN_ORDER): string {
  const globals = bindingsFor({}).filter((b) => b.global);
  const lines = [
    '# Keys',
    '',
    '<!-- Generated from src/keys/commands.ts and the screens\' definitions (screens/<id>/index.ts) by `npm run docs:keys`. Do not edit: test/unit/keys-doc.test.ts fails when this file is stale. -->',
    '',
    'Keys work on every screen, or on the screens that offer them. An action that changes the server always shows',
    'what will run and asks first; under `--read-only` it is refused with a message. The help overlay (`?`) lists the',
    "keys of the screen you are on, from the same catalogue; the hint bar at the bottom shows the most used ones.",
    '',
    '## On every screen',
    '',
    ...table(globals, false),
    '',
    'Keys `1`–`9` reach the first nine screens of the tab bar; the others are one `Tab` or `:name` away.',
  ];
  for (const screen of screens) {
    const own = bindingsFor(screen.keys).filter((b) => !b.global);
    lines.push('', `## ${screen.title} (\`${screen.id}\`)`, '');
    if (own.length === 0) lines.push('Only the keys of every screen.');
    else lines.push(...table(own, true));
  }
  lines.push('', '## In dialogs', '', 'While a dialog is open, its keys come first; `Ctrl-C` quits from any of them.');
  const dialogs = new Map<DialogId, { keys: readonly string[]; text: string }[]>();
  for (const command of Object.values(DIALOG_COMMANDS)) {
    if ((command.keys as readonly string[]).includes('ctrl+c')) continue;
    dialogs.set(command.dialog, [...(dialogs.get(command.dialog) ?? []), command]);
  }
  for (const [dialog, commands] of dialogs) {
    lines.push('', `### ${DIALOG_TITLES[dialog]}`, '', '| keys | what it does |', '| --- | --- |');
    for (const c of commands) lines.push(`| ${keyList(c.keys)} | ${cell(c.text)} |`);
  }
  // Every command of the catalogue is in the document (a command no screen offers would be a dead key).
  const listed = new Set([...globals, ...screens.flatMap((s) => bindingsFor(s.keys))].map((b) => b.command));
  const unlisted = Object.keys(COMMANDS).filter((id) => !listed.has(id as keyof typeof COMMANDS));
  if (unlisted.length) throw new Error(`commands no screen offers: ${unlisted.join(', ')}`);
  return `${lines.join('\n')}\n`;
}

// `npm run docs:keys` (vite-node src/cli/keys-doc.ts --write): write the file.
if (process.argv.includes('--write')) {
  writeFileSync(KEYS_DOC, renderKeysDoc());
  process.stdout.write(`wrote ${path.relative(process.cwd(), KEYS_DOC)}\n`);
}
