// Runs the built bin/pgtop.js as a user would, without a terminal, and
// reports what it printed, its exit code and how long it took.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { pgInfo } from './pg.js';

export const BIN = join(import.meta.dirname, '..', '..', 'bin', 'pgtop.js');

export interface BinaryRun {
  code: number;
  stdout: string;
  stderr: string;
  ms: number;
}

/** `maxBuffer`: how much output to take before the run counts as failed (Node's default: 1 MiB). */
export function runPgtop(args: string[], env: Record<string, string | undefined> = {}, timeoutMs = 20_000, maxBuffer = 1024 * 1024): Promise<BinaryRun> {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [BIN, ...args],
      { env: { ...cleanEnv(), ...env }, timeout: timeoutMs, encoding: 'utf8', maxBuffer },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        resolve({ code, stdout, stderr, ms: Date.now() - started });
      },
    );
    child.stdin?.end();
  });
}

/** The environment without the developer's own PG* settings, so tests say what they mean. */
export function cleanEnv(): Record<string, string | undefined> {
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('PG') && k !== 'NO_COLOR'));
}

/** -h/-p/-U for the test cluster, and its password in the environment. */
export function serverArgs(database?: string): { args: string[]; env: Record<string, string> } {
  const info = pgInfo();
  return {
    args: ['-h', info.host, '-p', String(info.port), '-U', info.user, ...(database ? ['-d', database] : [])],
    env: { PGPASSWORD: info.password },
  };
}
