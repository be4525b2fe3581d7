// man/pgtop.1 is generated from the commands' options and the key catalogue:
// this fails when it is stale (`npm run docs:man`), when an option --help
// shows or a key a screen offers is missing from it, and when man warns.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SCREEN_ORDER } from '../../screens/index.js';
import { commandTree } from '../../src/cli/options.js';
import { MAN_PAGE, renderManPage } from '../../src/cli/man-page.js';
import { bindingsFor } from '../../src/keys/commands.js';
import { VERSION } from '../../src/version.js';

/** The page as man shows it: plain text, hyphens and all. */
function rendered(): { text: string; warnings: string; code: number | null } {
  const run = spawnSync('man', ['--warnings', '-l', MAN_PAGE], { encoding: 'utf8', env: { ...process.env, MANWIDTH: '200', MANPAGER: 'cat', PAGER: 'cat' } });
  return { text: run.stdout.replace(/.\x08/g, ''), warnings: run.stderr, code: run.status };
}

describe('man/pgtop.1', () => {
  it('is what the options and the key catalogue make now (npm run docs:man writes it)', () => {
    expect(readFileSync(MAN_PAGE, 'utf8'), 'man/pgtop.1 is stale: run npm run docs:man').toBe(renderManPage(VERSION));
  });

  it('renders with man without a warning, and holds every option --help shows and every key a screen offers', () => {
    const { text, warnings, code } = rendered();
    expect(code).toBe(0);
    expect(warnings).toBe('');
    const flat = text.replace(/\u2010\s*\n\s*/g, '').replace(/\s+/g, ' ');
    const program = commandTree(VERSION);
    for (const command of [program, ...program.commands]) {
      for (const option of command.createHelp().visibleOptions(command)) expect(flat, `${command.name()} ${option.flags}`).toContain(option.flags);
    }
    for (const screen of SCREEN_ORDER) {
      for (const b of bindingsFor(screen.keys)) expect(flat, `${b.command} on ${screen.id}`).toContain(b.text.replace(/\s+/g, ' '));
    }
    expect(flat).toContain(`pgtop ${VERSION}`);
  });
});
