// pg_dump, pg_dumpall and pg_restore for the guided session's backup steps,
// run locally over the same connection pgtop uses (a direct server, the
// demo, or pgtop's own port-forward). A dump is written under a temporary
// name and renamed only when the program exited 0 and the file reads back,
// so a failed backup never leaves a file that looks complete (SPEC.md).
// (The backups screen, issue 6, has its own module; this is the session's
// minimal one: custom and globals.)
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { ResolvedConnection } from '../db/connection-options.js';
import { backupFileName, backupFilePattern } from './engine.js';
import type { BackupFormat } from './types.js';

export class ToolError extends Error {}

type Program = 'pg_dump' | 'pg_dumpall' | 'pg_restore';

/** The major version a program reports ("pg_dump (PostgreSQL) 15.18" → 15), or null when it does not run. */
function programMajor(file: string): number | null {
  try {
    const out = execFileSync(file, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 5_000 });
    const match = /(\d+)(?:\.\d+)?/.exec(out.replace(/^[^)]*\)/, ''));
    return match ? Number(match[1]) : null;
  } catch {
    return null;
  }
}

/**
 * A program able to talk to a server of this major version: pg_dump refuses
 * servers newer than itself. Debian's versioned directories first (the
 * /usr/bin wrappers may pick an older one), then pg_config's, then PATH.
 */
export function findProgram(program: Program, serverMajor: number): string {
  const candidates: string[] = [];
  try {
    const versions = fs.readdirSync('/usr/lib/postgresql').filter((v) => /^\d+$/.test(v)).map(Number).sort((a, b) => b - a);
    for (const v of versions) candidates.push(`/usr/lib/postgresql/${v}/bin/${program}`);
  } catch {
    // Not Debian: try the others.
  }
  try {
    candidates.push(path.join(execFileSync('pg_config', ['--bindir'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim(), program));
  } catch {
    // No pg_config.
  }
  candidates.push(program);
  let newestFound: number | null = null;
  for (const file of candidates) {
    if (file.includes('/') && !fs.existsSync(file)) continue;
    const major = programMajor(file);
    if (major === null) continue;
    if (major >= serverMajor) return file;
    newestFound = Math.max(newestFound ?? 0, major);
  }
  if (newestFound !== null) {
    throw new ToolError(`${program} ${newestFound} cannot work with a PostgreSQL ${serverMajor} server: install postgresql-client-${serverMajor} (or newer)`);
  }
  throw new ToolError(`${program} not found: install the PostgreSQL client programs (e.g. apt-get install postgresql-client)`);
}

/** libpq's environment for the programs: where to connect; the password only when pgtop knows it (else ~/.pgpass). */
function toolEnv(connection: ResolvedConnection, database: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PGHOST: connection.host,
    PGPORT: String(connection.port),
    PGUSER: connection.user,
    PGDATABASE: database,
    PGSSLMODE: connection.sslMode,
    PGAPPNAME: `${connection.applicationName}-backup`,
    LC_ALL: 'C',
  };
  if (connection.password !== undefined) env.PGPASSWORD = connection.password;
  else delete env.PGPASSWORD;
  return env;
}

function runTool(file: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; stderr: string; stdout: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout.length < 1_000_000 ? (stdout += chunk) : undefined));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', (error) => reject(new ToolError(`cannot run ${file}: ${error.message}`)));
    child.on('close', (code) => resolve({ code, stderr, stdout }));
  });
}

function lastLine(text: string): string {
  return text.trim().split('\n').filter(Boolean).at(-1) ?? '';
}

export interface BackupRequest {
  connection: ResolvedConnection;
  database: string;
  serverMajor: number;
  backupDir: string;
  format: BackupFormat;
  progress?: (text: string) => void;
  now?: Date;
}

type Where = Pick<ResolvedConnection, 'host' | 'port' | 'user'>;

/** The command as shown before it runs. */
export function backupCommand(request: { connection: Where; database: string; backupDir: string; format: BackupFormat; now?: Date }): string {
  const file = path.join(request.backupDir, backupFileName(request.database, request.format, request.now ?? new Date()));
  const { host, port, user } = request.connection;
  return request.format === 'custom'
    ? `pg_dump --format=custom -h ${host} -p ${port} -U ${user} --file=${file} ${request.database}`
    : `pg_dumpall --globals-only -h ${host} -p ${port} -U ${user} --file=${file}`;
}

export interface BackupResult {
  file: string;
  bytes: number;
  verified: string;
}

export async function takeBackup(request: BackupRequest): Promise<BackupResult> {
  const { connection, database, backupDir, format } = request;
  await mkdir(backupDir, { recursive: true, mode: 0o700 });
  const name = backupFileName(database, format, request.now ?? new Date());
  const final = path.join(backupDir, name);
  const partial = path.join(backupDir, `.${name}.partial`);
  const env = toolEnv(connection, database);
  const program = findProgram(format === 'custom' ? 'pg_dump' : 'pg_dumpall', request.serverMajor);
  const args = format === 'custom' ? ['--format=custom', `--file=${partial}`, database] : ['--globals-only', `--file=${partial}`, `--database=${database}`];
  const timer = setInterval(() => {
    fs.stat(partial, (error, s) => {
      if (!error) request.progress?.(`${path.basename(program)}: ${(s.size / 1024).toFixed(0)} kB written`);
    });
  }, 250);
  try {
    const result = await runTool(program, args, env);
    if (result.code !== 0) throw new ToolError(`${path.basename(program)} failed: ${lastLine(result.stderr) || `exit ${result.code}`}`);
    const verified = await verifyBackup(partial, format, request.serverMajor);
    await rename(partial, final);
    return { file: final, bytes: (await stat(final)).size, verified };
  } finally {
    clearInterval(timer);
    await rm(partial, { force: true });
  }
}

/** Reads a backup back: a custom dump through pg_restore --list, a globals file by its header and footer. Throws when it does not read. */
export async function verifyBackup(file: string, format: BackupFormat, serverMajor: number, contains?: string): Promise<string> {
  if (format === 'custom') {
    const program = findProgram('pg_restore', serverMajor);
    const result = await runTool(program, ['--list', file], { ...process.env, LC_ALL: 'C' });
    if (result.code !== 0) throw new ToolError(`pg_restore --list cannot read it: ${lastLine(result.stderr)}`);
    const entries = result.stdout.split('\n').filter((l) => /^\d+;/.test(l)).length;
    return `pg_restore --list read ${entries} entries`;
  }
  const text = await fs.promises.readFile(file, 'utf8');
  if (!text.includes('PostgreSQL database cluster dump') || !/PostgreSQL database cluster dump complete\s*(--\s*)*$/.test(text)) {
    throw new ToolError('not a complete pg_dumpall file (its closing line is missing)');
  }
  if (contains && !text.includes(contains)) throw new ToolError(`complete, but without "${contains}"`);
  const roles = (text.match(/^CREATE ROLE /gm) ?? []).length;
  return `complete, ${roles} roles`;
}

/** pgtop's newest backup of this database in this format, or null. */
export async function newestBackup(backupDir: string, database: string, format: BackupFormat): Promise<{ file: string; bytes: number; mtime: Date } | null> {
  let names: string[];
  try {
    names = await readdir(backupDir);
  } catch {
    return null;
  }
  const pattern = backupFilePattern(database, format);
  const newest = names.filter((n) => pattern.test(n)).sort().at(-1);
  if (!newest) return null;
  const file = path.join(backupDir, newest);
  const s = await stat(file);
  return { file, bytes: s.size, mtime: s.mtime };
}

export interface RestoreRequest {
  connection: ResolvedConnection;
  file: string;
  into: string;
  serverMajor: number;
}

export function restoreCommand(request: { connection: Where; file: string; into: string }): string {
  const { host, port, user } = request.connection;
  return `pg_restore --no-owner -h ${host} -p ${port} -U ${user} --dbname=${request.into} ${request.file}`;
}

/** pg_restore into an existing (new, empty) database; resolves to a summary, throws with pg_restore's last words. */
export async function restoreBackup(request: RestoreRequest): Promise<string> {
  const program = findProgram('pg_restore', request.serverMajor);
  const result = await runTool(program, ['--no-owner', `--dbname=${request.into}`, request.file], toolEnv(request.connection, request.into));
  if (result.code !== 0) {
    const errors = (result.stderr.match(/^pg_restore: error:/gm) ?? []).length;
    throw new ToolError(`pg_restore reported ${errors || 'some'} error(s); the last: ${lastLine(result.stderr)}`);
  }
  return `restored ${path.basename(request.file)} into ${request.into}`;
}
