// `pgtop --demo` as a newcomer runs it: the built binary in a real terminal,
// no server given. It must open on a live server quickly, show the lock tree
// and the bloated table the demo workload makes, and leave no server process
// and no directory behind — after q, and after SIGTERM (a closed terminal).
// Each run gets its own TMPDIR, so "nothing left" is checked exactly.
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BIN, cleanEnv } from '../support/binary.js';
import { startTmux, type TmuxSession } from '../support/tmux.js';

let session: TmuxSession | undefined;
let tmp: string | undefined;
afterEach(async () => {
  await session?.kill();
  session = undefined;
  if (tmp) rmSync(tmp, { recursive: true, force: true });
  tmp = undefined;
});

/** A TMPDIR for one demo; the server runs as another OS user when we are root, so it must be able to enter it. */
function demoTmp(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'pgtop-demo-e2e-'));
  chmodSync(dir, 0o755);
  return dir;
}

async function startDemo(dir: string): Promise<TmuxSession> {
  // sh writes its pid and becomes pgtop (exec), so the test knows pgtop's pid.
  const script = `echo $$ > ${dir}/pgtop.pid; exec "$0" "$1" --demo`;
  return startTmux({
    command: ['sh', '-c', script, process.execPath, BIN],
    env: { ...(cleanEnv() as Record<string, string>), TERM: 'xterm-256color', TMPDIR: dir },
    cols: 120,
    rows: 32,
  });
}

/** Processes whose command line mentions the directory: the demo's postgres server and its workers. */
function processesUsing(dir: string): string[] {
  return execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' })
    .split('\n')
    // tmux's own command line names the directory too (the pid file): it is the test's, not the demo's.
    .filter((line) => line.includes(dir) && !line.includes('ps -eo') && !/\btmux\b/.test(line));
}

function portAccepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });
}

async function expectNothingLeft(dir: string, port: number): Promise<void> {
  expect(readdirSync(dir).filter((name) => name !== 'pgtop.pid')).toEqual([]);
  expect(processesUsing(dir)).toEqual([]);
  expect(await portAccepts(port)).toBe(false);
}

describe('pgtop --demo', () => {
  it('opens on a live demo server, shows a lock tree and a bloated table, and q leaves nothing behind', async () => {
    tmp = demoTmp();
    session = await startDemo(tmp);
    // How fast the demo comes up is measured by the benchmark, not asserted here (no test asserts a time).
    const first = await session.waitForText(/demo 127\.0\.0\.1:\d+ \(throwaway, removed on quit\) connected[\s\S]*Lock:tuple/, 30_000);
    const port = Number(/demo 127\.0\.0\.1:(\d+)/.exec(first)![1]);
    expect(readdirSync(tmp).filter((n) => n.startsWith('pgtop-cluster-'))).toHaveLength(1);
    expect(processesUsing(tmp).some((line) => / -D /.test(line))).toBe(true);

    // The workload's sessions, as other users and applications.
    expect(first).toMatch(/shop_app .*billing-j.* idle in tx/);
    expect(first).toMatch(/shop_repo.*reports/);

    await session.sendText(':locks');
    await session.sendKey('Enter');
    const locks = await session.waitForText(/idle in tx\s+blocks 2[\s\S]*└ \d+[\s\S]*└ \d+/);
    // DB shows when the terminal is wide enough for it.
    expect(locks).toMatch(/└ \d+ +shop_app +(demo +)?active .*accounts/);

    await session.sendText(':bloat');
    await session.sendKey('Enter');
    const bloat = await session.waitForText(/^events\s/m);
    expect(bloat).toMatch(/^events\s+20\.0k\s+40\.0k\s+67%\s+av off/m);

    await session.sendText('q');
    expect(await session.waitForExit(15_000)).toBe(0);
    await expectNothingLeft(tmp, port);
  }, 60_000);

  it('cleans up as well when pgtop is ended by SIGTERM (the terminal closed)', async () => {
    tmp = demoTmp();
    session = await startDemo(tmp);
    const screen = await session.waitForText(/demo 127\.0\.0\.1:\d+ .*connected/, 20_000);
    const port = Number(/demo 127\.0\.0\.1:(\d+)/.exec(screen)![1]);
    process.kill(Number(readFileSync(path.join(tmp, 'pgtop.pid'), 'utf8')), 'SIGTERM');
    await session.waitForExit(15_000);
    await expectNothingLeft(tmp, port);
  }, 60_000);
});
