// pgtop's version and the commit it was built from (`pgtop --version`). The
// build writes both into the bundle (src/bundle-options.mjs defines
// PGTOP_BUILD), so a standalone executable or an installed package says
// exactly what it is; from source they are read from package.json and git.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

declare const PGTOP_BUILD: { version: string; commit: string } | undefined;
declare const PGTOP_STANDALONE: boolean | undefined;

function fromSource(): { version: string; commit: string } {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  let commit = 'unknown';
  try {
    commit = execFileSync('git', ['rev-parse', '--short=12', 'HEAD'], { cwd: new URL('.', import.meta.url), encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    // Not a git checkout: the commit is unknown, the version still is.
  }
  return { version: pkg.version, commit };
}

const BUILD = typeof PGTOP_BUILD !== 'undefined' ? PGTOP_BUILD : fromSource();

export const VERSION: string = BUILD.version;
export const COMMIT: string = BUILD.commit;
/** What `pgtop --version` prints. */
export const VERSION_LINE = `pgtop ${VERSION} (commit ${COMMIT})`;

/** True in the standalone executable (npm run package): one file, no node_modules beside it. */
export const STANDALONE: boolean = typeof PGTOP_STANDALONE !== 'undefined' && PGTOP_STANDALONE;
