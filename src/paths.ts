// Where pgtop's own files are, whether it runs from source (tests) or from dist/.
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
