// The PostgreSQL client programs on this machine (pg_dump, pg_dumpall,
// pg_restore, psql), found as src/localcluster/binaries.ts finds a server:
// $PGTOP_PG_BINDIR, PATH, `pg_config --bindir`, Debian's
// /usr/lib/postgresql/<N>/bin (newest first). pg_dump refuses a server newer
// than itself and pg_restore cannot read a newer archive, so the first one
// whose major version is the server's or newer is taken; when there is only
// an older one, the user is told which client to install.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export type ToolName = 'pg_dump' | 'pg_dumpall' | 'pg_restore' | 'psql';

export class ToolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ToolError';
  }
}

export interface LocalTool {
  file: string;
  major: number;
  version: string;
}

const versionCache = new Map<string, { major: number; version: string } | null>();

/** "pg_dump (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)" → 15, "15.18"; null when it does not run. */
export function toolVersion(file: string): { major: number; version: string } | null {
  if (versionCache.has(file)) return versionCache.get(file)!;
  let found: { major: number; version: string } | null = null;
  try {
    const out = execFileSync(file, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 5_000 });
    const m = /\)\s*(\d+)(?:\.(\d+))?/.exec(out);
    if (m) found = { major: Number(m[1]), version: m[2] === undefined ? m[1]! : `${m[1]}.${m[2]}` };
  } catch {
    found = null;
  }
  versionCache.set(file, found);
  return found;
}

function candidateDirs(env: NodeJS.ProcessEnv): string[] {
  const dirs: string[] = [];
  if (env.PGTOP_PG_BINDIR) dirs.push(env.PGTOP_PG_BINDIR);
  for (const dir of (env.PATH ?? '').split(path.delimiter)) if (dir) dirs.push(dir);
  try {
    dirs.push(execFileSync('pg_config', ['--bindir'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 5_000 }).trim());
  } catch {
    // No pg_config: the other places.
  }
  try {
    const versions = fs
      .readdirSync('/usr/lib/postgresql')
      .filter((v) => /^\d+$/.test(v))
      .map(Number)
      .sort((a, b) => b - a);
    for (const v of versions) dirs.push(`/usr/lib/postgresql/${v}/bin`);
  } catch {
    // Not Debian.
  }
  return [...new Set(dirs.filter(Boolean))];
}

/**
 * The first `tool` whose major version is at least `serverMajor`. Throws a
 * ToolError that says what to install when there is none (or only older ones).
 * On Debian, /usr/bin/pg_dump is a wrapper that may pick any installed
 * version; the versioned directories are tried too, so a newer one is found.
 */
export function findLocalTool(tool: ToolName, serverMajor: number, env: NodeJS.ProcessEnv = process.env): LocalTool {
  let newestOlder: LocalTool | null = null;
  for (const dir of candidateDirs(env)) {
    const file = path.join(dir, tool);
    if (!isExecutable(file)) continue;
    const v = toolVersion(file);
    if (!v) continue;
    if (v.major >= serverMajor) return { file, ...v };
    if (!newestOlder || v.major > newestOlder.major) newestOlder = { file, ...v };
  }
  if (newestOlder) {
    throw new ToolError(
      `the local ${tool} is ${newestOlder.version} (${newestOlder.file}), older than the server (PostgreSQL ${serverMajor}): ` +
        `${tool} refuses newer servers; install postgresql-client-${serverMajor} (or newer), or use -k to run it in the database's pod`,
    );
  }
  throw new ToolError(
    `${tool} not found on this machine (PATH, pg_config, /usr/lib/postgresql): install the PostgreSQL ${serverMajor} client programs (apt-get install postgresql-client-${serverMajor}), or set PGTOP_PG_BINDIR`,
  );
}

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}
