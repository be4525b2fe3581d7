// Drives a real terminal for end-to-end tests of the built binary: each
// session gets its own tmux server, so tests never see each other's panes.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface StartTmuxOptions {
  /** Program and arguments; shell-quoted for tmux, never interpreted. */
  command: string[];
  /** Added to this process's environment. */
  env?: Record<string, string>;
  cols?: number;
  rows?: number;
  cwd?: string;
}

export interface TmuxSession {
  /** Each argument is a tmux key name ('Enter', 'Escape', 'C-c', 'F5', …) or else literal text. */
  sendKeys(...keys: string[]): Promise<void>;
  /** Types text exactly as given (send-keys -l). */
  sendText(text: string): Promise<void>;
  /** Presses one key by its tmux name. */
  sendKey(name: string): Promise<void>;
  /** The visible screen, one line per row. */
  capture(): Promise<string>;
  /** Polls the screen every 100 ms until it matches; returns that screen. */
  waitForText(pattern: string | RegExp, timeoutMs?: number): Promise<string>;
  /** Waits for the command to end; its exit status (128 + n when killed by signal n). */
  waitForExit(timeoutMs?: number): Promise<number>;
  /** Ends the tmux server and the command; safe to call twice. */
  kill(): Promise<void>;
  /** Runs any other tmux command on this session's server (display-message, pipe-pane…); its output. */
  command(...args: string[]): Promise<string>;
}

const TARGET = 'main';
// Names tmux's send-keys understands as keys rather than text.
const KEY_NAME = /^(Enter|Escape|Tab|BTab|BSpace|Space|Up|Down|Left|Right|Home|End|PageUp|PageDown|PgUp|PgDn|PPage|NPage|IC|DC|F\d{1,2}|[CMS]-.+)$/;

export async function startTmux(options: StartTmuxOptions): Promise<TmuxSession> {
  // The socket lives in a directory of our own (-S rather than -L), so
  // killing the session leaves nothing in /tmp/tmux-<uid>.
  const dir = mkdtempSync(path.join(os.tmpdir(), 'pgtop-tmux-'));
  const socket = path.join(dir, 'socket');
  const config = path.join(dir, 'tmux.conf');
  // Read when the server starts, so remain-on-exit already holds if the
  // command exits at once; the status bar off gives the command all rows.
  writeFileSync(
    config,
    ['set -g remain-on-exit on', 'set -g status off', 'set -g default-shell /bin/sh', ''].join('\n'),
  );
  // The server copies the starting client's environment, and the command inherits it.
  const env: NodeJS.ProcessEnv = { ...process.env, ...options.env };
  delete env.TMUX;
  const tmux = (...args: string[]): Promise<string> => runTmux(['-S', socket, '-f', config, ...args], env);

  let killed = false;
  const kill = async (): Promise<void> => {
    if (killed) return;
    killed = true;
    await tmux('kill-server').catch(() => {}); // already gone is fine
    rmSync(dir, { recursive: true, force: true });
  };

  const sendText = async (text: string): Promise<void> => {
    if (text === '') return;
    // tmux reads a trailing ';' as a command separator; '\;' means a literal one.
    const escaped = text.endsWith(';') ? `${text.slice(0, -1)}\\;` : text;
    await tmux('send-keys', '-t', TARGET, '-l', '--', escaped);
  };
  const sendKey = async (name: string): Promise<void> => {
    await tmux('send-keys', '-t', TARGET, name);
  };
  const capture = (): Promise<string> => tmux('capture-pane', '-p', '-t', TARGET);

  try {
    await tmux(
      'new-session', '-d', '-s', TARGET,
      '-x', String(options.cols ?? 120), '-y', String(options.rows ?? 40),
      '-c', options.cwd ?? process.cwd(),
      options.command.map(shellQuote).join(' '),
    );
  } catch (error) {
    await kill();
    throw error;
  }

  return {
    async sendKeys(...keys) {
      for (const key of keys) await (KEY_NAME.test(key) ? sendKey(key) : sendText(key));
    },
    sendText,
    sendKey,
    capture,
    async waitForText(pattern, timeoutMs = 10_000) {
      const matches = (screen: string) => (typeof pattern === 'string' ? screen.includes(pattern) : pattern.test(screen));
      const deadline = Date.now() + timeoutMs;
      let screen = '';
      for (;;) {
        screen = await capture();
        if (matches(screen)) return screen;
        if (Date.now() >= deadline) {
          throw new Error(`Timed out after ${timeoutMs} ms waiting for ${String(pattern)}; last screen:\n${screen}`);
        }
        await sleep(100);
      }
    },
    async waitForExit(timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      let deadSince: number | undefined;
      for (;;) {
        const [dead, status, signal, serverPid] = (
          await tmux('display-message', '-p', '-t', TARGET, '#{pane_dead}|#{pane_dead_status}|#{pane_dead_signal}|#{pid}')
        ).split('|');
        if (dead === '1' && status) return Number(status);
        if (dead === '1' && signal) return 128 + Number(signal);
        if (dead === '1') {
          // The pane closed but tmux has not reaped its process. tmux 3.3
          // now and then misses that SIGCHLD and leaves the process a zombie
          // with no status for good; a repeated SIGCHLD makes it look again.
          deadSince ??= Date.now();
          if (Date.now() - deadSince >= 200) process.kill(Number(serverPid), 'SIGCHLD');
        }
        if (Date.now() >= deadline) {
          throw new Error(`Timed out after ${timeoutMs} ms waiting for the command to exit; last screen:\n${await capture()}`);
        }
        await sleep(100);
      }
    },
    kill,
    command: (...args) => tmux(...args),
  };
}

function runTmux(args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('tmux', args, { env, encoding: 'utf8' }, (error, stdout, stderr) => {
      if (error) reject(new Error(`tmux ${args.slice(4).join(' ')} failed: ${stderr.trim() || error.message}`));
      else resolve(stdout.replace(/\n$/, ''));
    });
  });
}

/** POSIX single-quoting: the shell tmux runs sees each argument verbatim. */
function shellQuote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", `'\\''`)}'`;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
