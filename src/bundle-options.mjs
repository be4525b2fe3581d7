// How pgtop's code is bundled, shared by the build (src/build.mjs) and by
// the benchmark that bundles the dashboard the same way to measure it
// (bench/dashboard.ts), so both run exactly what ships.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { bundlePatches } from './bundle-patches.mjs';

/** Every shipped .sql file by area and name, for src/db/sql-files.ts: the bundle reads no file of its own. */
function sqlFiles(root) {
  const dir = join(root, 'src', 'db', 'queries');
  const areas = readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name);
  return Object.fromEntries(
    areas.map((area) => [
      area,
      Object.fromEntries(readdirSync(join(dir, area)).filter((f) => f.endsWith('.sql')).map((f) => [f, readFileSync(join(dir, area, f), 'utf8')])),
    ]),
  );
}

/** The version and the commit the bundle is built from, for `pgtop --version` (src/version.ts). */
function buildInfo(root) {
  const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const git = (...args) => execFileSync('git', args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  let commit = 'unknown';
  try {
    commit = git('rev-parse', '--short=12', 'HEAD');
    // Built from a tree with changes not committed: say so, as git describe --dirty does.
    if (git('status', '--porcelain', '--untracked-files=no')) commit += '-dirty';
  } catch {
    // Not a git checkout (a source tarball): the version still says what it is.
  }
  return { version, commit };
}

/** esbuild options for code under `root` (the repository). */
export function bundleOptions(root) {
  return {
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    // Node 20 has RegExp's v flag; left as literals, string-width's Unicode
    // regexes compile when first used instead of at load (~17 ms, for the
    // emoji one alone, before the first screen).
    supported: { 'regexp-set-notation': true },
    // pg's optional native binding is never used.
    external: ['pg-native'],
    // Ink imports React DevTools only when DEV=true; pgtop never ships it.
    alias: { 'react-devtools-core': join(root, 'src/cli/devtools-stub.ts') },
    // React's production build: its development build checks and records every
    // render (about a third more CPU and memory for the same dashboard).
    // The SQL and the version go into the bundle: it runs as a single file.
    define: {
      'process.env.NODE_ENV': '"production"',
      PGTOP_SQL_FILES: JSON.stringify(sqlFiles(root)),
      PGTOP_BUILD: JSON.stringify(buildInfo(root)),
    },
    // Ink's frame output without a grid of one object per cell, pg without a probe for Cloudflare (src/bundle-patches.mjs).
    plugins: [bundlePatches],
    // CommonJS dependencies (pg) call require() for Node's built-ins.
    banner: { js: "import { createRequire as __pgtopCreateRequire } from 'node:module'; const require = __pgtopCreateRequire(import.meta.url);" },
    // Less to parse before the first screen (~1.6 MB of JavaScript → ~1 MB;
    // V8 reads every byte of a module when it loads). Names are kept, so a
    // stack trace still says where.
    minifyWhitespace: true,
    minifySyntax: true,
    logLevel: 'warning',
  };
}
