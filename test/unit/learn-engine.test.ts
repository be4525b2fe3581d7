// The guided session's engine and its data, without a server.
import { quoteName } from '../../src/sql/quote.js';
import { describe, expect, it } from 'vitest';
import {
  allSteps,
  currentStep,
  emptyProgress,
  evaluateChecks,
  fill,
  move,
  parseProgress,
  pickSql,
  planStatements,
  progressBar,
  recordCreated,
  undoPlan,
  type FillContext,
} from '../../src/learn/engine.js';
import { PARTS } from '../../src/learn/parts/index.js';
import type { Part } from '../../src/learn/types.js';

const ctx: FillContext = { database: 'demo', user: 'postgres', backupDir: '/b', params: {} };

describe('the session data', () => {
  it('has the five parts of the seed with their time estimates', () => {
    expect(PARTS.map((p) => [p.number, p.title, p.minutes])).toEqual([
      [1, 'Users and permissions', 8],
      [2, 'Backup and restore', 10],
      [3, 'Performance monitoring', 12],
      [4, 'Maintenance', 8],
      [5, 'Security audit', 5],
    ]);
  });

  it('is data, not code: every part survives a JSON round trip unchanged', () => {
    for (const part of PARTS) expect(JSON.parse(JSON.stringify(part)), part.id).toEqual(part);
  });

  it('gives every step a unique id, an explanation, and every change a check', () => {
    const steps = allSteps(PARTS).map((r) => r.step);
    expect(new Set(steps.map((s) => s.id)).size).toBe(steps.length);
    for (const step of steps) {
      expect(step.explain.length, step.id).toBeGreaterThan(40);
      if (step.action.kind !== 'query' && step.action.kind !== 'read') expect(step.checks?.length, step.id).toBeGreaterThan(0);
    }
  });

  it('never uses the seed’s mistakes in its own SQL', () => {
    const sql = JSON.stringify(PARTS);
    for (const wrong of ['hasselect', 'tablename', 'mean_time DESC', 'kubectl exec', "_pass_123'"]) {
      // The seed's names may be quoted in the explanations (seedFix), never in a query or a statement.
      const inQueries = allSteps(PARTS).some((r) => JSON.stringify(r.step.action).includes(wrong) || JSON.stringify(r.step.checks ?? []).includes(wrong));
      expect(inQueries, wrong).toBe(false);
    }
    expect(sql).toContain('pg_monitor');
  });
});

describe('filling placeholders', () => {
  it('quotes names as identifiers only where SQL needs it', () => {
    expect(fill('GRANT CONNECT ON DATABASE {database} TO app_user', ctx, 'sql')).toBe('GRANT CONNECT ON DATABASE demo TO app_user');
    expect(fill('{database}', { ...ctx, database: 'My DB' }, 'sql')).toBe('"My DB"');
    expect(fill('{database}', { ...ctx, database: 'user' }, 'sql')).toBe('"user"');
    expect(fill('{database}', { ...ctx, database: 'My DB' }, 'text')).toBe('My DB');
    expect(quoteName('a"b')).toBe('"a""b"');
    expect(quoteName('between')).toBe('"between"');
    expect(quoteName('orders')).toBe('orders');
  });

  it('writes parameters as the server gave them, and as literals on request', () => {
    const c = { ...ctx, params: { bloated_table: `public."Order's"` } };
    expect(fill('VACUUM {bloated_table}', c, 'sql')).toBe('VACUUM public."Order\'s"');
    expect(fill('{bloated_table:literal}::regclass', c, 'sql')).toBe("'public.\"Order''s\"'::regclass");
  });

  it('refuses a parameter that is more than a name where SQL splices it in (a planted function, an old progress file)', () => {
    const poisoned = { ...ctx, params: { bloated_table: "public.t; COPY (SELECT 1) TO PROGRAM 'touch /tmp/x'" } };
    expect(() => fill('VACUUM {bloated_table}', poisoned, 'sql')).toThrow(/bloated_table from the server is not a name/);
    // As a literal, or as text for people, any value is safe.
    expect(fill('{bloated_table:literal}', poisoned, 'sql')).toBe("'public.t; COPY (SELECT 1) TO PROGRAM ''touch /tmp/x'''");
    expect(fill('{bloated_table}', poisoned, 'text')).toContain('COPY');
    for (const name of ['public.accounts', '"My Schema"."t ""1"""', 'orders', '"a.b"']) {
      expect(fill('VACUUM {bloated_table}', { ...ctx, params: { bloated_table: name } }, 'sql')).toBe(`VACUUM ${name}`);
    }
    for (const bad of ['"unterminated', 'a.b.c', 'Upper', 'x y', '"a"b"', '']) {
      expect(() => fill('VACUUM {bloated_table}', { ...ctx, params: { bloated_table: bad } }, 'sql')).toThrow(/not a name/);
    }
  });

  it('leaves generated passwords to the runner and shows them masked', () => {
    const [planned] = planStatements([{ sql: 'CREATE ROLE app_user LOGIN PASSWORD {password:app_user}', unless: 'SELECT 1' }], ctx);
    expect(planned!.sql).toBe('CREATE ROLE app_user LOGIN PASSWORD {password:app_user}');
    expect(planned!.display).toBe("CREATE ROLE app_user LOGIN PASSWORD '‹generated›';   -- skipped when it exists already");
  });

  it('says why a step cannot run when a parameter has no value', async () => {
    const part = PARTS.find((p) => p.id === 'maintenance')!;
    const step = part.steps.find((s) => s.id === 'maintenance.vacuum')!;
    const results = await evaluateChecks(part, step, { ...ctx, params: { bloated_table: null, index_nodes: null } }, async () => ({ ok: true, reason: 'never asked' }));
    expect(results).toEqual([{ criterion: 'the dead tuples of bloated_table dropped after VACUUM (at most 10 % dead)', ok: false, reason: 'there is no table in demo yet' }]);
  });

  it('turns a runner error into a ✗ with the error as the reason', async () => {
    const part = PARTS[0]!;
    const results = await evaluateChecks(part, part.steps[1]!, ctx, async () => {
      throw new Error('permission denied for table orders\nDETAIL: x');
    });
    expect(results[0]).toMatchObject({ ok: false, reason: 'permission denied for table orders DETAIL: x' });
  });
});

describe('SQL by server version', () => {
  const step = PARTS.flatMap((p) => p.steps).find((s) => s.id === 'performance.top-statements')!;
  const variants = step.action.kind === 'query' ? step.action.sql : [];
  it('uses total_exec_time from PostgreSQL 13 and total_time before', () => {
    expect(pickSql(variants, 170000)).toContain('total_exec_time');
    expect(pickSql(variants, 130000)).toContain('total_exec_time');
    expect(pickSql(variants, 120000)).toContain('total_time');
    expect(pickSql(variants, 120000)).not.toContain('total_exec_time');
  });
});

describe('moving and remembering', () => {
  const parts: Part[] = [...PARTS];
  it('moves across parts and stops at both ends', () => {
    let p = emptyProgress('s');
    p = move(parts, p, -1);
    expect(p.position).toEqual({ part: 0, step: 0 });
    for (let i = 0; i < PARTS[0]!.steps.length; i++) p = move(parts, p, 1);
    expect(p.position).toEqual({ part: 1, step: 0 });
    expect(currentStep(parts, p).step.id).toBe('backup.full');
    p = move(parts, p, 1000);
    expect(currentStep(parts, p).step.id).toBe('security.audit-view');
  });

  it('reads a progress file, and starts afresh from anything else', () => {
    const saved = { ...emptyProgress('h:5432/d'), position: { part: 3, step: 99 }, ran: { 'users.roles': 'x' } };
    const parsed = parseProgress(JSON.stringify(saved), 'h:5432/d', parts);
    expect(parsed.position).toEqual({ part: 3, step: PARTS[3]!.steps.length - 1 });
    expect(parsed.ran).toEqual({ 'users.roles': 'x' });
    expect(parseProgress('not json', 'h', parts)).toEqual(emptyProgress('h'));
    expect(parseProgress('{"version":2}', 'h', parts)).toEqual(emptyProgress('h'));
  });

  it('undoes what it created newest first, each object once', () => {
    let p = recordCreated(emptyProgress('s'), [{ label: 'role a', step: 'x', undo: ['DROP ROLE a'] }]);
    p = recordCreated(p, [{ label: 'schema b', step: 'y', undo: ['DROP SCHEMA b'] }, { label: 'role a', step: 'x', undo: ['DROP ROLE a'] }]);
    expect(undoPlan(p)).toEqual([
      { label: 'schema b', statements: ['DROP SCHEMA b'] },
      { label: 'role a', statements: ['DROP ROLE a'] },
    ]);
  });

  it('draws the progress bar over the session', () => {
    expect(progressBar(0, 30, 10)).toBe('░░░░░░░░░░');
    expect(progressBar(15, 30, 10)).toBe('█████░░░░░');
    expect(progressBar(30, 30, 10)).toBe('██████████');
  });
});
