// The SQL files pgtop ships (src/db/queries/<area>/*.sql), by area. The build
// puts every one of them into the bundle (src/bundle-options.mjs defines
// PGTOP_SQL_FILES), so the bundle reads no file of its own and runs as a
// single file (the standalone executable, docs/install.md); from source (tests,
// vite-node) they are read from the folder.
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

declare const PGTOP_SQL_FILES: Record<string, Record<string, string>> | undefined;

const fromSource = new Map<string, Record<string, string>>();

/** The .sql files of one area (`locks`), by file name (`locks_post_140000.sql`). */
export function sqlFilesOf(area: string): Readonly<Record<string, string>> {
  if (typeof PGTOP_SQL_FILES !== 'undefined') return PGTOP_SQL_FILES[area] ?? {};
  let files = fromSource.get(area);
  if (!files) {
    const dir = fileURLToPath(new URL(`./queries/${area}/`, import.meta.url));
    files = Object.fromEntries(readdirSync(dir).filter((f) => f.endsWith('.sql')).map((f) => [f, readFileSync(dir + f, 'utf8')]));
    fromSource.set(area, files);
  }
  return files;
}
