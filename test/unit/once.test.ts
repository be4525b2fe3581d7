// --once without a server: what failed is said where its rows would be and
// in the JSON's "error"; hostile text comes out as terminal text in the text
// output and exact in the JSON.
import { describe, expect, it } from 'vitest';
import { SCREENS, screenFailures } from '../../screens/index.js';
import { onceJson, onceText } from '../../src/cli/once.js';
import type { ScreenId } from '../../screens/index.js';
import { createPgtopStore, type PgtopState } from '../../src/store/store.js';
import { connectedWithResults, databaseSize, result, tableSize } from '../support/maintenance-fixtures.js';
import { EVIL_SHOWN, evil, hostileState, strayControls } from '../support/hostile-rows.js';

function stateOf(screen: ScreenId, patch: (s: PgtopState) => void): PgtopState {
  return createPgtopStore({ target: 'direct 127.0.0.1:5432', screen }, patch).getState();
}

function print(state: PgtopState, json = false): { output: string; failures: ReturnType<typeof screenFailures> } {
  const screen = state.ui.screen;
  const definition = SCREENS[screen as ScreenId];
  const { view, onceParts, onceSources } = definition;
  const failures = screenFailures(state, definition, onceSources);
  return { output: json ? onceJson(state, view, onceParts, failures) : onceText(state, view, 200, onceParts, failures), failures };
}

describe('--once', () => {
  it('says a failed list\'s error in its place, and the other lists as they are', () => {
    const state = stateOf(
      'sizes',
      connectedWithResults({
        sizeDatabases: result([databaseSize({ database: 'shop', current: true })]),
        sizeTables: { rows: [], updatedAt: 0, error: 'table sizes failed: ERROR: planted', disabled: null },
        sizeIndexes: result([]),
      }),
    );
    const { output, failures } = print(state);
    expect(failures.map((f) => f.source)).toEqual(['sizeTables']);
    expect(output).toContain('tables:\nerror: table sizes failed: ERROR: planted\n');
    expect(output).not.toContain('no tables in this database');
    expect(output).toContain('indexes:\nno indexes in this database');
    expect(output).toMatch(/databases:\nDATABASE\s+SIZE\s+CONNS\n\*shop/);
    const json = JSON.parse(print(state, true).output);
    expect(json.error).toBe('table sizes failed: ERROR: planted');
    expect(json.errors).toEqual([{ query: 'sizeTables', message: 'table sizes failed: ERROR: planted' }]);
    expect(json.tables).toEqual([]);
  });

  it('a screen without parts says every failure, before its rows', () => {
    const state = stateOf(
      'bloat',
      connectedWithResults({ bloatTables: result([]), bloatOverview: { rows: [], updatedAt: 0, error: 'autovacuum settings and XID age failed: boom', disabled: null }, bloatProgress: result([]) }),
    );
    const { output } = print(state);
    expect(output).toContain('\nerror: autovacuum settings and XID age failed: boom\n');
    expect(output).not.toContain('no tables in this database');
  });

  it('no failure: no "error" line, and "error": null', () => {
    const state = stateOf('sizes', connectedWithResults({ sizeDatabases: result([]), sizeTables: result([tableSize({ table: 'orders' })]), sizeIndexes: result([]) }));
    const { output, failures } = print(state);
    expect(failures).toEqual([]);
    expect(output).not.toContain('error');
    expect(JSON.parse(print(state, true).output).error).toBeNull();
  });

  it.each(['activity', 'locks', 'statements', 'sizes', 'bloat', 'roles', 'config', 'health'] as const)('%s: hostile text is terminal text, and exact in the JSON', (screen) => {
    const state = stateOf(screen, hostileState);
    const { output } = print(state);
    expect(strayControls(output)).toEqual([]);
    expect(output).toContain('\\x1b]0;pwned');
    const json = print(state, true).output;
    // Escaped the JSON way (JSON.stringify does C0; C1, DEL and bidi controls too): nothing raw, the exact text once parsed.
    expect(strayControls(json)).toEqual([]);
    expect(json).toContain('\\u001b]0;pwned\\u0007\\u001b[2J\\u009b31m\\u202e');
    expect(JSON.parse(json).server.database).toBe(evil('shop'));
  });

  it('every line of the text is terminal text, even a notice or header that holds ESC', () => {
    const state = stateOf('activity', hostileState);
    const { output } = print(state);
    expect(output.split('\n')[0]).toBe(`pgtop  PostgreSQL 15.18 (primary)  db shop${EVIL_SHOWN}  user postgres${EVIL_SHOWN}  direct db.example${EVIL_SHOWN}:5432`);
  });
});
