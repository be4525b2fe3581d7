// Operating-system plumbing for the throwaway cluster: which OS user runs
// PostgreSQL, running its programs, reading its log.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/** A failure to find, start or stop the throwaway cluster; the message is for people. */
export class LocalClusterError extends Error {
  override name = 'LocalClusterError';
}

/** The unprivileged OS user that runs PostgreSQL when we are root. */
export interface RunAs {
  name: string;
  uid: number;
  gid: number;
}

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * PostgreSQL refuses to run as root ("cannot be run as root"), so when we are
 * root (containers, CI) initdb, pg_ctl and postgres run as `postgres`, or as
 * `nobody` where no such user exists. Undefined when we are not root.
 */
export function unprivilegedUser(): RunAs | undefined {
  if (process.getuid?.() !== 0) return undefined;
  for (const name of ['postgres', 'nobody']) {
    const uid = idOf(name, '-u');
    const gid = idOf(name, '-g');
    if (uid !== undefined && gid !== undefined) return { name, uid, gid };
  }
  throw new LocalClusterError(
    'PostgreSQL cannot run as root and neither OS user "postgres" nor "nobody" exists; ' +
      'create a "postgres" user or run as an unprivileged user.',
  );
}

function idOf(user: string, flag: '-u' | '-g'): number | undefined {
  try {
    const out = execFileSync('id', [flag, user], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    const id = Number(out.trim());
    return Number.isInteger(id) ? id : undefined;
  } catch {
    return undefined;
  }
}

function spawnOptions(runAs: RunAs | undefined, cwd: string, env: Record<string, string> = {}) {
  // The working directory must be one the unprivileged user may enter: ours
  // is often under /root. LC_ALL=C keeps messages in English and avoids
  // warnings about locales that are not installed.
  return {
    cwd,
    env: { ...process.env, LC_ALL: 'C', ...env },
    ...(runAs ? { uid: runAs.uid, gid: runAs.gid } : {}),
  };
}

/** Runs a program to completion; rejects only when it cannot be started at all. */
export function run(file: string, args: string[], runAs: RunAs | undefined, cwd: string, env: Record<string, string> = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    // stdin ignored: pg_ctl must not wait on a terminal. The server it starts
    // writes to the log file (-l), so our pipes close when pg_ctl exits.
    const child = spawn(file, args, { ...spawnOptions(runAs, cwd, env), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', (error) => reject(new LocalClusterError(`Cannot run ${file}: ${error.message}`)));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** The synchronous twin of run(), for 'exit' handlers where nothing async runs. */
export function runSync(file: string, args: string[], runAs: RunAs | undefined, cwd: string): RunResult {
  const result = spawnSync(file, args, { ...spawnOptions(runAs, cwd), encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  return { code: result.status, stdout: result.stdout ?? '', stderr: result.stderr ?? result.error?.message ?? '' };
}

/**
 * `postgres --version`, run as the user that will run the server: this is
 * where binaries under an unreadable directory (node_modules below /root)
 * show up, so say so plainly instead of letting initdb fail obscurely.
 */
export function serverVersionText(binDir: string, runAs: RunAs | undefined): string {
  const postgres = path.join(binDir, 'postgres');
  const result = spawnSync(postgres, ['--version'], { ...spawnOptions(runAs, '/'), encoding: 'utf8' });
  if (result.status === 0) return result.stdout.trim();
  const reason = result.error?.message ?? (result.stderr.trim() || `exit status ${result.status}`);
  if (runAs) {
    throw new LocalClusterError(
      `${postgres} cannot be run by OS user "${runAs.name}" (uid ${runAs.uid}): ${reason}. ` +
        'PostgreSQL refuses to run as root, so it runs as that user, which must be able to read ' +
        'the binaries and every directory above them. Install the PostgreSQL server package, or ' +
        'copy the binaries somewhere readable and set PGTOP_PG_BINDIR.',
    );
  }
  throw new LocalClusterError(`Cannot run ${postgres}: ${reason}`);
}

/** Hands a directory tree to the user that runs PostgreSQL. */
export function chownTree(dir: string, runAs: RunAs): void {
  fs.chownSync(dir, runAs.uid, runAs.gid);
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const entryPath = path.join(dir, entry.name);
    if (entry.isDirectory()) chownTree(entryPath, runAs);
    else fs.lchownSync(entryPath, runAs.uid, runAs.gid);
  }
}

/** The end of the server log, to explain a failed start or stop. */
export function logTail(logFile: string, lines = 20): string {
  try {
    return fs.readFileSync(logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no server log)';
  }
}
