// The learn screen's layout at the smallest terminal: the step's SQL wraps
// (with its indentation) instead of being cut at the right edge, and what
// does not fit says where the rest is.
import { describe, expect, it } from 'vitest';
import { learnLayout, type Block } from '../../screens/learn/layout.js';
import type { LearnState } from '../../src/learn/controller.js';
import { emptyProgress } from '../../src/learn/engine.js';
import { PARTS } from '../../src/learn/parts/index.js';

function state(): LearnState {
  return { ready: true, error: null, parts: PARTS, progress: emptyProgress('test'), checks: {}, checking: false, output: null, running: false, saves: false, serverVersionNum: 150004 };
}

const ctx = { database: 'shop', user: 'postgres', backupDir: '/backups', params: {} };
const text = (blocks: Block[]) => blocks.flatMap((b) => (b.kind === 'lines' ? b.lines.map((l) => l.text) : []));

describe('learn layout', () => {
  it('wraps the exact SQL at 80 columns, keeping its indentation, and cuts nothing at the edge', () => {
    const lines = text(learnLayout({ state: state(), ctx, width: 80, height: 40 }));
    const sql = lines.filter((l) => l.startsWith('│ '));
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(80);
    expect(sql.some((l) => l.endsWith('…'))).toBe(false);
    expect(sql.join('\n')).toContain('r.rolcreaterole AS\n│ create_role');
    expect(sql.at(-1)).toBe('│  ORDER BY r.rolname');
  });

  it('on a short screen, says that e shows the lines that did not fit', () => {
    const lines = text(learnLayout({ state: state(), ctx, width: 80, height: 12 }));
    expect(lines.length).toBeLessThanOrEqual(12);
    expect(lines.join('\n')).toMatch(/│ … \d+ more lines \(e shows them all\)|… e shows the whole explanation/);
  });
});
