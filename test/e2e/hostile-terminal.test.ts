// The dashboard in a real terminal (tmux) in the worst tenant's database
// (test/support/hostile-tenant.ts): query texts, table, schema, role and
// database names hold a title-setting OSC, screen-clearing CSI (ESC and C1
// forms) and bare carriage returns. Whatever pgtop draws, the terminal must
// receive none of them raw: every byte pgtop writes to the pane is recorded
// (tmux pipe-pane) and checked, besides the pane's title and its first line.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SCREEN_ORDER } from '../../screens/index.js';
import { BIN, cleanEnv, runPgtop } from '../support/binary.js';
import { CLEAR_SCREEN, createHostileTenant, OSC_TITLE, RAW_CONTROL, summarizeRuns, type HostileTenant, type TenantLockChain, type TenantSession } from '../support/hostile-tenant.js';
import { startTmux, type TmuxSession } from '../support/tmux.js';

let tenant: HostileTenant;
let longQuery: TenantSession & { text: string };
let lockChain: TenantLockChain;
let dir: string;
let session: TmuxSession | undefined;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'pgtop-hostile-terminal-'));
  tenant = await createHostileTenant();
  longQuery = await tenant.startLongQuery();
  lockChain = await tenant.startLockChain();
}, 120_000);

afterEach(async () => {
  await session?.kill();
  session = undefined;
});

afterAll(async () => {
  await tenant?.drop();
  rmSync(dir, { recursive: true, force: true });
});

const TITLE = 'pgtop-hostile-test-title';

function connection() {
  const server = tenant.server;
  return {
    args: ['-h', server.host, '-p', String(server.port), '-U', server.user, '-d', tenant.database],
    env: { PGPASSWORD: server.password, PGPASSFILE: '/nonexistent/pgpass' },
  };
}

/** pgtop in tmux on the hostile database, every byte it writes recorded in `file`. */
async function dashboard(file: string): Promise<TmuxSession> {
  const { args, env } = connection();
  const started = await startTmux({
    command: [process.execPath, BIN, ...args, '-i', '0.5', '--backup-dir', join(dir, 'backups')],
    env: { ...(cleanEnv() as Record<string, string>), TERM: 'xterm-256color', ...env },
    cols: 160,
    rows: 40,
  });
  session = started;
  // Before pgtop has drawn anything (it is still connecting): a title of our own, and the recording.
  await started.command('select-pane', '-t', 'main', '-T', TITLE);
  await started.command('pipe-pane', '-O', '-t', 'main', `cat >> '${file}'`);
  // The key hints at the bottom: pgtop has drawn a frame (the header is checked on its own).
  await started.waitForText('q quit');
  return started;
}

/**
 * What in pgtop's raw output could drive the terminal but is no part of how
 * pgtop draws: anything but SGR colours, cursor and erase sequences, the
 * private modes and \r\n. A screen clear (ESC [2J) pgtop itself sends comes
 * with its ESC [3J / ESC [H; one written from server text is followed by text.
 */
function strayControls(raw: string): string[] {
  const found: string[] = [];
  const note = (index: number, what: string) => {
    if (found.length < 8) found.push(`${what} at ${index}: ${JSON.stringify(raw.slice(Math.max(0, index - 40), index + 20)).replace(/[\x7f-\x9f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)}`);
  };
  for (const m of raw.matchAll(/\x1b\[2J(?!\x1b)/g)) note(m.index, 'a screen clear not of pgtop\'s own');
  const drawn = raw.replace(/\x1b\[[0-9;?]*[A-HJKSTfhlmsu]/g, (s) => ' '.repeat(s.length)).replace(/\r\n/g, '  ');
  for (const m of drawn.matchAll(new RegExp(RAW_CONTROL.source, 'g'))) note(m.index, `raw U+${m[0].charCodeAt(0).toString(16).padStart(4, '0')}`);
  return found;
}

async function paneTitle(s: TmuxSession): Promise<string> {
  return s.command('display-message', '-p', '-t', 'main', '#{pane_title}');
}

/**
 * Escape, then wait until `gone` is off the screen: two ESC bytes sent at
 * once reach pgtop as one Alt-Escape, so each Escape waits for its effect.
 */
async function escapeUntilGone(s: TmuxSession, gone: RegExp): Promise<void> {
  await s.sendKey('Escape');
  const deadline = Date.now() + 10_000;
  while (gone.test(await s.capture())) {
    if (Date.now() > deadline) throw new Error(`Escape did not close what shows ${gone}:\n${await s.capture()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Waits until the tab of this screen is the one drawn in reverse video. */
async function onScreen(s: TmuxSession, number: number, id: string): Promise<void> {
  // tmux drops the trailing spaces of a line: the last tab may end there.
  const active = new RegExp(`\\x1b\\[[0-9;]*7m(?:\\x1b\\[[0-9;]*m)*\\s*${number} ${id}(?: |\\x1b|$)`, 'm');
  const deadline = Date.now() + 10_000;
  for (;;) {
    const screen = await s.command('capture-pane', '-e', '-p', '-t', 'main');
    if (active.test(screen.split('\n').slice(0, 8).join('\n'))) return;
    if (Date.now() > deadline) throw new Error(`screen ${id} never became the active tab:\n${await s.capture()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('the dashboard in the hostile database', () => {
  it('visits every screen and opens details on weird rows: the title stays, the header stays, no raw control byte reaches the terminal, no plant runs', { timeout: 90_000 }, async () => {
    const since = await tenant.checkpoint();
    const file = join(dir, 'every-screen.out');
    const s = await dashboard(file);
    const header = /^pgtop {2}PostgreSQL /;

    // The activity screen, the long query filtered, and its details.
    await s.waitForText(`${longQuery.pid} `);
    await s.sendText('/pg_sleep');
    await s.sendKey('Enter');
    await s.sendKey('Enter');
    await s.waitForText(new RegExp(`pid\\s+${longQuery.pid}`));
    await escapeUntilGone(s, new RegExp(`pid\\s+${longQuery.pid}`));
    await escapeUntilGone(s, /filter "pg_sleep"/);

    // Every screen in turn, by Tab, in the registry's order (a new screen is visited by itself).
    for (const [i, screen] of SCREEN_ORDER.entries()) {
      if (i > 0) await s.sendKey('Tab');
      await onScreen(s, i + 1, screen.id);
      expect((await s.capture()).split('\n')[0], `on ${screen.id}`).toMatch(header);
      if (screen.id === 'locks') {
        await s.waitForText(`${lockChain.waiter.pid} `);
        await s.sendKey('Enter');
        await s.waitForText(new RegExp(`pid\\s+${lockChain.blocker.pid}`));
        await escapeUntilGone(s, new RegExp(`pid\\s+${lockChain.blocker.pid}`));
      }
      if (screen.id === 'sizes' || screen.id === 'bloat') {
        // The table with the title sequence in its name, filtered, and its details.
        await s.sendText('/title');
        await s.sendKey('Enter');
        // Enter opens details only on a row: wait until the filtered rows have landed (a loaded machine is slow).
        await s.waitForText(/[1-9]\d*\/\d+ · filter "title"/);
        await s.sendKey('Enter');
        const detail = screen.id === 'sizes' ? 'rows (estimate)' : 'live / dead tuples';
        await s.waitForText(detail);
        await escapeUntilGone(s, new RegExp(detail.replace(/[()]/g, '\\$&')));
        await escapeUntilGone(s, /filter "title"/);
      }
      // A refresh or so on each screen (-i 0.5): what it draws from the server has been drawn.
      await new Promise((resolve) => setTimeout(resolve, 800));
    }
    expect(await paneTitle(s)).toBe(TITLE);
    expect((await s.capture()).split('\n')[0]).toMatch(header);
    expect(strayControls(await s.capture())).toEqual([]);
    await s.sendText('q');
    expect(await s.waitForExit(10_000)).toBe(0);
    expect(strayControls(readFileSync(file, 'utf8'))).toEqual([]);
    expect(summarizeRuns(await tenant.plantsThatRan(since))).toEqual([]);
  });
});

describe('issue 11, reproduced', () => {
  it('(3) terminal control sequences pass through: a query holding ESC ]0;pwned BEL and ESC [2J comes out escaped in --once, and in the dashboard the title stays and the screen is not wiped', { timeout: 60_000 }, async () => {
    expect(longQuery.text).toContain(OSC_TITLE);
    expect(longQuery.text).toContain(CLEAR_SCREEN);
    const { args, env } = connection();
    const once = await runPgtop([...args, '--once', '--screen', 'activity'], env);
    expect(once.code, once.stderr).toBe(0);
    expect(once.stdout).toContain(`${longQuery.pid} `);
    // Soft: the dashboard's part below runs and reports too.
    expect.soft(strayControls(once.stdout), 'raw control bytes in --once').toEqual([]);
    expect.soft(once.stdout.includes('\x1b') || once.stdout.includes('\x07'), 'raw ESC or BEL in --once').toBe(false);

    const file = join(dir, 'activity.out');
    const s = await dashboard(file);
    // A few refreshes (-i 0.5) with the query on the activity screen.
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    expect.soft(await paneTitle(s), 'the pane title').toBe(TITLE);
    const screen = await s.capture();
    expect.soft(screen.split('\n')[0], `the header is gone (the screen was wiped):\n${screen}`).toMatch(/^pgtop {2}PostgreSQL /);
    expect.soft(screen, 'the long query on screen').toContain(`${longQuery.pid} `);
    await s.sendText('q');
    expect(await s.waitForExit(10_000)).toBe(0);
    expect(strayControls(readFileSync(file, 'utf8'))).toEqual([]);
  });
});
