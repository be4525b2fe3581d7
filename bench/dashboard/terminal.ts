// A real terminal for one monitor: a tmux server of its own (socket in a
// temporary directory), one pane of the given size running the command.
// Like test/support/tmux.ts, plus the pane's pid, which the benchmark needs
// to read the tool's CPU and memory from /proc, and what the tool writes to
// the pane (tmux pipe-pane): the bytes a slow SSH link would carry.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface Terminal {
  /** The pid of the pane's process (the tool, or a shell that started it). */
  panePid(): Promise<number>;
  capture(): Promise<string>;
  sendKey(key: string): Promise<void>;
  /** From now on, what the tool writes to the pane is counted. */
  startCounting(): Promise<void>;
  /** Stops counting: the bytes the tool wrote since startCounting. */
  stopCounting(): Promise<number>;
  /** True once the pane's command has exited. */
  exited(): Promise<boolean>;
  kill(): Promise<void>;
}

export async function openTerminal(command: string[], env: Record<string, string>, cols = 200, rows = 50): Promise<Terminal> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'pgtop-bench-tmux-'));
  const socket = path.join(dir, 'socket');
  const config = path.join(dir, 'tmux.conf');
  writeFileSync(config, ['set -g remain-on-exit on', 'set -g status off', 'set -g default-shell /bin/sh', ''].join('\n'));
  const fullEnv: NodeJS.ProcessEnv = { ...process.env, ...env };
  delete fullEnv.TMUX;
  const tmux = (...args: string[]) =>
    new Promise<string>((resolve, reject) => {
      execFile('tmux', ['-S', socket, '-f', config, ...args], { env: fullEnv, encoding: 'utf8' }, (error, stdout, stderr) => {
        if (error) reject(new Error(`tmux ${args[0]} failed: ${stderr.trim() || error.message}`));
        else resolve(stdout.replace(/\n$/, ''));
      });
    });
  const quoted = command.map((arg) => (/^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", `'\\''`)}'`));
  // exec: the pane's process is the tool itself, not a shell waiting for it.
  await tmux('new-session', '-d', '-s', 'bench', '-x', String(cols), '-y', String(rows), `exec ${quoted.join(' ')}`);
  let killed = false;
  return {
    panePid: async () => Number(await tmux('list-panes', '-t', 'bench', '-F', '#{pane_pid}')),
    capture: () => tmux('capture-pane', '-p', '-t', 'bench'),
    sendKey: async (key) => {
      await tmux('send-keys', '-t', 'bench', key);
    },
    startCounting: async () => {
      // -o: output only (not the keys sent); cat appends the pane's raw output, escape sequences and all.
      await tmux('pipe-pane', '-o', '-t', 'bench', `exec cat > ${path.join(dir, 'output')}`);
    },
    stopCounting: async () => {
      await tmux('pipe-pane', '-t', 'bench'); // no command: closes the pipe
      await new Promise((resolve) => setTimeout(resolve, 200)); // cat writes what it still holds
      try {
        return statSync(path.join(dir, 'output')).size;
      } catch {
        return 0;
      }
    },
    exited: async () => (await tmux('display-message', '-p', '-t', 'bench', '#{pane_dead}')) === '1',
    kill: async () => {
      if (killed) return;
      killed = true;
      await tmux('kill-server').catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
