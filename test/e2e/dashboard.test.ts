// The built binary in a real terminal (tmux), against the throwaway server:
// the lock chain scenario of the issue, end to end, and healing after the
// server restarts.
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startLocalCluster, type LocalCluster } from '../../src/localcluster/cluster.js';
import { BIN, cleanEnv, serverArgs } from '../support/binary.js';
import { connect, createScratchDatabase, pgInfo } from '../support/pg.js';
import { createLockChain } from '../support/sessions.js';
import { startTmux, type TmuxSession } from '../support/tmux.js';

let session: TmuxSession | undefined;
afterEach(async () => {
  await session?.kill();
  session = undefined;
});

function pgtopCommand(args: string[]): string[] {
  return [process.execPath, BIN, ...args];
}

function tmuxEnv(extra: Record<string, string>): Record<string, string> {
  return { ...(cleanEnv() as Record<string, string>), TERM: 'xterm-256color', ...extra };
}

describe('pgtop in a terminal', () => {
  it('shows a lock chain on :locks, and K then y on the blocker frees the waiters', async () => {
    const db = await createScratchDatabase('e2e_locks');
    const chain = await createLockChain(db.name, 2);
    try {
      const { args, env } = serverArgs(db.name);
      session = await startTmux({ command: pgtopCommand([...args, '-i', '1']), env: tmuxEnv(env), cols: 140, rows: 40 });
      await session.waitForText('connected');
      await session.sendText(':locks');
      await session.sendKey('Enter');
      // Locks are the whole cluster's, and other tests hold lock chains of their own on it: this database's only.
      await session.sendText(`/${db.name}`);
      await session.sendKey('Enter');
      const [first, second] = chain.waiterPids;
      const screen = await session.waitForText(new RegExp(`└ (${first}|${second})[\\s\\S]*└ (${first}|${second})`));
      const lines = screen.split('\n');
      const blockerLine = lines.findIndex((l) => l.startsWith(`${chain.blockerPid} `));
      expect(blockerLine, screen).toBeGreaterThan(0);
      expect(lines[blockerLine]).toMatch(/idle in tx\s+blocks 2/);
      const waiterLines = lines.slice(blockerLine + 1, blockerLine + 3);
      for (const line of waiterLines) expect(line).toMatch(/└ \d+ .*(Share|Exclusive)\s+(transactionid|tuple)\s+public\.accounts/);

      // The blocker is the first row, selected.
      await session.sendText('K');
      await session.waitForText(`will run: SELECT pg_terminate_backend(${chain.blockerPid});`);
      await session.sendText('y');
      await session.waitForText(`terminated pid ${chain.blockerPid}`);

      // In the server: the blocker is gone and both waiters finished.
      const outcomes = await Promise.all(chain.waiterDone);
      expect(outcomes.filter((o) => o instanceof Error)).toEqual([]);
      const check = await connect({ database: db.name });
      expect((await check.query('SELECT count(*)::int AS n FROM pg_stat_activity WHERE pid = $1', [chain.blockerPid])).rows[0].n).toBe(0);
      expect((await check.query('SELECT balance FROM accounts WHERE id = 1')).rows[0].balance).toBe(102);
      await check.end();

      await session.waitForText(`no session in the tree matches "${db.name}"`);
      await session.sendText('q');
      expect(await session.waitForExit(5_000)).toBe(0);
    } finally {
      await chain.close();
      await db.drop();
    }
  });

  it('asks for the password on the terminal when none is known, as psql does, and Ctrl-C quits', { timeout: 40_000 }, async () => {
    const info = pgInfo();
    session = await startTmux({
      command: pgtopCommand(['-h', info.host, '-p', String(info.port), '-U', info.user]),
      env: tmuxEnv({ PGPASSFILE: '/nonexistent' }),
    });
    await session.waitForText(`Password for user ${info.user}:`);
    // Slower than the 5 s connect timeout, as a person typing: the prompt must wait.
    await new Promise((resolve) => setTimeout(resolve, 6_000));
    await session.sendText(info.password);
    await session.sendKey('Enter');
    const screen = await session.waitForText(/connected[\s\S]*\*\d+/);
    expect(screen).not.toContain(info.password);
    await session.sendKey('C-c');
    expect(await session.waitForExit(5_000)).toBe(0);
  });

  it('draws live even when CI=true is exported (Ink would otherwise draw only at exit)', async () => {
    const { args, env } = serverArgs('postgres');
    session = await startTmux({
      command: pgtopCommand([...args, '-i', '0.5']),
      env: tmuxEnv({ ...env, CI: 'true', CONTINUOUS_INTEGRATION: '1' }),
    });
    await session.waitForText(/connected[\s\S]*\*\d+/);
    await session.sendText('q');
    expect(await session.waitForExit(5_000)).toBe(0);
  });

  it('after the first frame, writes what changed at each refresh, never the whole screen again', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pgtop-e2e-bytes-'));
    const file = join(dir, 'output');
    const bytes = () => {
      try {
        return statSync(file).size;
      } catch {
        return 0;
      }
    };
    try {
      const { args, env } = serverArgs();
      session = await startTmux({ command: pgtopCommand([...args, '-i', '0.5']), env: tmuxEnv(env), cols: 200, rows: 50 });
      await session.waitForText(/q quit/);
      // From here on, every byte pgtop writes to the pane is recorded.
      await session.command('pipe-pane', '-O', '-t', 'main', `cat >> '${file}'`);
      // Refreshes go on (pgtop's own session, the header's counters): wait for writes, then for a few more refreshes.
      for (let i = 0; i < 100 && bytes() === 0; i += 1) await new Promise((resolve) => setTimeout(resolve, 100));
      await new Promise((resolve) => setTimeout(resolve, 2_500));
      const raw = readFileSync(file, 'latin1');
      expect(raw.length).toBeGreaterThan(0);
      // Ink cleared the terminal (ESC [2J) and wrote the whole frame again at every refresh of a frame as tall as the pane.
      expect(raw).not.toContain('\u001b[2J');
      // What changed is written where it is (ESC [<column>G), not whole lines.
      expect(raw).toMatch(/\u001b\[\d+G/);
      await session.sendText('q');
      expect(await session.waitForExit(5_000)).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('says reconnecting when the server restarts, and carries on by itself', async () => {
    let cluster: LocalCluster | undefined;
    try {
      cluster = await startLocalCluster();
      session = await startTmux({
        command: pgtopCommand(['-h', cluster.host, '-p', String(cluster.port), '-U', cluster.user, '-i', '0.5']),
        env: tmuxEnv({ PGPASSWORD: cluster.password }),
      });
      const before = await session.waitForText(/connected[\s\S]*\*\d+/);
      const firstPid = /\*(\d+)/.exec(before)![1];
      await cluster.stopServer('fast');
      await session.waitForText(/reconnecting in \d+s/, 10_000);
      await cluster.startServer();
      await session.waitForText(/127\.0\.0\.1:\d+ connected/, 15_000);
      // Fresh data from the new server: pgtop's own new session is on screen.
      const healed = await session.waitForText(new RegExp(`\\*(?!${firstPid}\\b)\\d+ postgres`), 5_000);
      expect(healed).not.toContain('reconnecting');
      await session.sendText('q');
      expect(await session.waitForExit(5_000)).toBe(0);
    } finally {
      await session?.kill();
      await cluster?.stop();
    }
  });
});
