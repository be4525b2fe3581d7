// Every connection to the server pgtop watches goes through openConnection,
// which starts it with the guards (search_path pg_catalog, pg_temp;
// row_security off). A new `new pg.Client(` elsewhere would run without
// them: this test names the few places allowed one, and why.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.join(import.meta.dirname, '..', '..');

/** Files that may open a pg.Client of their own. */
const ALLOWED: Record<string, string> = {
  'src/db/connection.ts': 'openConnection itself: runs SESSION_GUARDS_SQL first',
  'src/k8s/probe.ts': 'asks pg_is_in_recovery() before there is a session, schema-qualified',
  'src/localcluster/cluster.ts': "pgtop's own throwaway server (--demo, tests), which it created a moment ago",
  'src/demo/demo.ts': "the demo's own throwaway server",
  'src/demo/workload.ts': "the demo's workload on its own throwaway server",
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const file = path.join(dir, name);
    if (statSync(file).isDirectory()) return sourceFiles(file);
    return /\.(ts|tsx|mts|mjs|js)$/.test(name) ? [file] : [];
  });
}

describe('connections to the watched server', () => {
  it('are opened by openConnection only (or one of the named exceptions)', () => {
    const opening = ['src', 'screens', 'hooks', 'bin']
      .flatMap((dir) => sourceFiles(path.join(root, dir)))
      .filter((file) => /new\s+(pg\.)?(Client|Pool)\s*\(/.test(readFileSync(file, 'utf8')))
      .map((file) => path.relative(root, file).split(path.sep).join('/'));
    expect(opening.length).toBeGreaterThan(0);
    expect(opening.filter((file) => !(file in ALLOWED))).toEqual([]);
  });
});
