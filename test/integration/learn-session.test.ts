// The whole guided session against a real server: the demo (its own
// throwaway cluster, because the session creates server-wide roles and
// changes database-wide settings). Every step of every part runs in order,
// through the same code the screen uses (queries read-only, changes through
// their action spec); each step's checks must fail before it and pass after
// it. Then the session is re-run in part (idempotent) and reset.
import { appendFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ActionRunContext } from '../../src/actions/action.js';
import type { ResolvedConnection } from '../../src/db/connection-options.js';
import { openConnection, type PgConnection } from '../../src/db/connection.js';
import { startDemo, type Demo } from '../../src/demo/demo.js';
import { demoConnection } from '../../src/target/demo.js';
import {
  allSteps,
  emptyProgress,
  evaluateChecks,
  fill,
  pickSql,
  recordCreated,
  recordRan,
  resolveParams,
  type FillContext,
  type Progress,
  undoPlan,
  type StepRef,
} from '../../src/learn/engine.js';
import { checkRunner, exclusive, paramRunner, runQueryStep, type LiveContext } from '../../src/learn/live.js';
import { PARTS } from '../../src/learn/parts/index.js';
import { stepActionRequest, type StepActionDeps } from '../../src/learn/step-action.js';
import type { CheckResult } from '../../src/learn/types.js';
import { progressFilePath, saveProgress } from '../../src/learn/progress-file.js';
import { runLearnCheck } from '../../src/cli/learn.js';
import type { TargetOptions } from '../../src/cli/target-options.js';
import type { ConnectionTarget } from '../../src/target/target.js';
import { waitFor } from '../support/pg.js';

let demo: Demo;
let admin: PgConnection;
let actions: PgConnection;
let connection: ResolvedConnection;
let live: LiveContext;
let progress: Progress;
let backupDir: string;
const passwords = new Map<string, string>();
const oldPgpass = process.env.PGPASSFILE;
const oldState = process.env.XDG_STATE_HOME;

beforeAll(async () => {
  // Nobody's ~/.pgpass: the checks log in with the passwords of this run, or say why not.
  backupDir = mkdtempSync(path.join(os.tmpdir(), 'pgtop-learn-'));
  process.env.PGPASSFILE = path.join(backupDir, 'no-pgpass');
  process.env.XDG_STATE_HOME = path.join(backupDir, 'state');
  demo = await startDemo({ enableStatements: false, lockRestartMs: 3_600_000 });
  connection = demoConnection(demo, 'pgtop-test');
  admin = await openConnection(connection, { purpose: 'monitor' });
  actions = await openConnection(connection, { purpose: 'action' });
  live = {
    withAdmin: exclusive(async () => admin.client),
    connection,
    backupDir: path.join(backupDir, 'backups'),
    passwords,
  };
  progress = emptyProgress('test');
}, 60_000);

afterAll(async () => {
  await admin?.close();
  await actions?.close();
  await demo?.stop();
  rmSync(backupDir, { recursive: true, force: true });
  for (const [name, value] of [['PGPASSFILE', oldPgpass], ['XDG_STATE_HOME', oldState]] as const) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});

const cli: TargetOptions = { target: { connection: {}, demo: false } };
const target = (): ConnectionTarget => ({ connection, label: 'test', backupDir: live.backupDir, close: async () => undefined });

function ctx(): FillContext {
  return { database: connection.database, user: connection.user, backupDir: live.backupDir, params: progress.params };
}

const runContext = (): ActionRunContext => ({ client: async () => actions.client, onMonitor: (run) => run(actions.client), progress: () => undefined, env: {} });

function deps(): StepActionDeps {
  return {
    fillContext: ctx,
    // As when the password was typed at pgtop's prompt: the connection does not
    // carry it and there is no ~/.pgpass, so pg_dump and pg_restore get it
    // only if the step passes on the one the actions connection used.
    connection: { ...connection, password: undefined },
    where: `direct ${connection.host}:${connection.port}`,
    backupDir: live.backupDir,
    offerPgpass: false,
    createdBefore: () => new Set(progress.created.map((c) => c.label)),
    passwords,
    finished: (stepId, report) => {
      progress = recordCreated(progress, report.created);
      if (report.ok) progress = recordRan(progress, stepId, new Date());
      else throw new Error(`step ${stepId} failed: ${report.lines.join(' ')}`);
    },
  };
}

/** Runs a step as Enter does (a change as if y was pressed); returns the rows a query showed. */
async function runStep(ref: StepRef): Promise<number | null> {
  const action = ref.step.action;
  if (action.kind === 'read') return null;
  if (action.kind === 'query') {
    const table = await runQueryStep(live, fill(pickSql(action.sql, admin.serverVersionNum), ctx(), 'sql'));
    expect(table.columns.length, ref.step.id).toBeGreaterThan(0);
    return table.rows.length;
  }
  const request = stepActionRequest(deps(), ref);
  expect(request, ref.step.id).not.toBeNull();
  await request!.spec.run(runContext(), request!.target, { pgpass: 'no' });
  return null;
}

async function checks(ref: StepRef): Promise<CheckResult[]> {
  progress = await resolveParams(ref.part, progress, { database: connection.database, user: connection.user, backupDir: live.backupDir }, paramRunner(live));
  return evaluateChecks(ref.part, ref.step, ctx(), checkRunner(live));
}

const describeResults = (results: CheckResult[]) => results.map((r) => `${r.ok ? '✓' : '✗'} ${r.criterion} — ${r.reason}`).join('\n');

describe('the guided session on the demo server', () => {
  it('runs every step of every part in order: each check fails before its step and passes after it', async () => {
    const seen: string[] = [];
    for (const ref of allSteps(PARTS)) {
      const before = await checks(ref);
      for (const r of before) expect(r.ok, `before ${ref.step.id}:\n${describeResults(before)}`).toBe(false);
      const rows = await runStep(ref);
      if (ref.step.id === 'maintenance.dead-tuples') expect(progress.params.bloated_table).toBe('public.events');
      if (ref.step.id === 'performance.locks') expect(rows, 'the demo has a blocker with two waiters').toBeGreaterThanOrEqual(2);
      if (ref.step.checks?.length) {
        // Statistics (dead tuples after VACUUM) may reach the views a moment later.
        const after = await waitFor(
          async () => {
            const results = await checks(ref);
            return results.every((r) => r.ok) ? results : false;
          },
          { what: `the checks of ${ref.step.id} to pass`, timeoutMs: 8_000, intervalMs: 250 },
        ).catch(async (error: Error) => {
          throw new Error(`${error.message}\n${describeResults(await checks(ref))}`);
        });
        expect(after.length).toBe(ref.step.checks.length);
      }
      seen.push(ref.step.id);
    }
    expect(seen.length).toBe(allSteps(PARTS).length);
    expect(progress.created.map((c) => c.label)).toEqual([
      'role app_user',
      'role readonly_user',
      'role monitor_user',
      'schema app_data',
      'schema audit_log',
      'schema reporting',
      'database demo_restore_test',
      'extension pg_stat_statements',
      'idle_in_transaction_session_timeout on demo',
      'view reporting.security_audit',
    ]);
  }, 120_000);

  it('re-runs steps whose objects exist without error, and a role it made gets a new password', async () => {
    const byId = new Map(allSteps(PARTS).map((r) => [r.step.id, r]));
    const oldPassword = passwords.get('app_user');
    passwords.delete('app_user'); // as after a restart of pgtop: the password is not known any more
    for (const id of ['users.app-user', 'users.schemas', 'performance.statements', 'security.audit-view', 'backup.restore']) {
      await runStep(byId.get(id)!);
      const results = await checks(byId.get(id)!);
      expect(results.every((r) => r.ok), describeResults(results)).toBe(true);
    }
    expect(passwords.get('app_user')).toBeDefined();
    expect(passwords.get('app_user')).not.toBe(oldPassword);
  }, 60_000);

  it('a backup check passes over what an interrupted backup left behind, and fails over a changed backup', async () => {
    const ref = allSteps(PARTS).find((r) => r.step.id === 'backup.full')!;
    const names = readdirSync(live.backupDir);
    const real = names.filter((n) => /^demo_full_\d{8}_\d{6}\.dump$/.test(n)).sort().at(-1)!;
    // A temporary file named later than the real backup, untouched for two minutes: an interrupted backup.
    const left = path.join(live.backupDir, '.demo_full_29991231_235959.dump.partial');
    writeFileSync(left, 'PGDMP half');
    const twoMinutesAgo = new Date(Date.now() - 120_000);
    utimesSync(left, twoMinutesAgo, twoMinutesAgo);
    try {
      let [result] = await checks(ref);
      expect(result, describeResults([result!])).toMatchObject({ ok: true });
      expect(result!.reason).toContain(real);
      // The real backup changed after it was verified: not a verified backup any more.
      const file = path.join(live.backupDir, real);
      const original = readFileSync(file);
      const { atime, mtime } = statSync(file);
      appendFileSync(file, 'x');
      try {
        [result] = await checks(ref);
        expect(result).toMatchObject({ ok: false, reason: `the newest, ${real}, is changed since it was verified: t on the backups screen verifies it` });
      } finally {
        // As it was, to the modification time its record holds.
        writeFileSync(file, original);
        utimesSync(file, atime, mtime);
      }
    } finally {
      rmSync(left);
    }
  });

  it('pgtop learn --check: one line per criterion, exit 0 when all pass', async () => {
    await saveProgress(progressFilePath(connection), progress);
    const lines: string[] = [];
    const code = await runLearnCheck(cli, target(), admin, (text) => lines.push(...text.trimEnd().split('\n')));
    const criteria = allSteps(PARTS).flatMap((r) => r.step.checks ?? []);
    expect(lines.filter((l) => l.startsWith('✓ '))).toHaveLength(criteria.length);
    expect(lines.at(-1)).toBe(`${criteria.length} of ${criteria.length} criteria pass`);
    expect(code, lines.join('\n')).toBe(0);
  }, 30_000);

  it('reset drops what the session created, newest first; --check then fails', async () => {
    for (const { statements } of undoPlan(progress)) for (const sql of statements) await actions.client.query(sql);
    const left = await admin.client.query<{ n: number }>(
      `SELECT ((SELECT count(*) FROM pg_roles WHERE rolname IN ('app_user', 'readonly_user', 'monitor_user'))
            + (SELECT count(*) FROM pg_namespace WHERE nspname IN ('app_data', 'audit_log', 'reporting'))
            + (SELECT count(*) FROM pg_database WHERE datname = 'demo_restore_test')
            + (SELECT count(*) FROM pg_extension WHERE extname = 'pg_stat_statements'))::int AS n`,
    );
    expect(left.rows[0]!.n).toBe(0);
    // And the session starts over: the first checks fail again.
    progress = emptyProgress('test');
    const first = allSteps(PARTS).find((r) => r.step.id === 'users.app-user')!;
    expect((await checks(first))[0]!.ok).toBe(false);
    await saveProgress(progressFilePath(connection), progress);
    const lines: string[] = [];
    expect(await runLearnCheck(cli, target(), admin, (text) => lines.push(text))).toBe(1);
    expect(lines.join('')).toContain('✗ 1.2 app_user can log in and INSERT into the tables of public — role app_user does not exist');
  }, 30_000);
});
