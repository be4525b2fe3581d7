// Where the repository's files are, for tests that read them (the shipped SQL, node_modules).
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function findPackageRoot(start: string): string {
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'src', 'db', 'queries'))) return dir;
    if (dirname(dir) === dir) throw new Error(`pgtop's files are missing: no src/db/queries above ${start}`);
  }
}

export const PACKAGE_ROOT = findPackageRoot(dirname(fileURLToPath(import.meta.url)));
export const QUERIES_DIR = join(PACKAGE_ROOT, 'src', 'db', 'queries');
