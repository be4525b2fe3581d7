// A guided-session step that changes something — statements, a backup, a
// restore — as an action: the runner (src/actions/runner.ts) refuses it under
// --read-only, asks y/n showing exactly what will run, runs it on the actions
// connection, and shows the outcome (a generated password in a box, once).
import type { ActionOutcome, ActionSpec, InputField } from '../actions/action.js';
import { actionRequest, type ActionRequest } from '../actions/action.js';
import type { ResolvedConnection } from '../db/connection-options.js';
import { oneLineMessage, planStatements, quoteIdent, type Created, type FillContext, type PlannedStatement, type StepRef, fill } from './engine.js';
import { executeChange, queryTable, type ChangeOutcome, type ResultTable } from './live.js';
import { pgpassPath, writePgpass } from './pgpass-file.js';
import { backupCommand, newestBackup, restoreBackup, restoreCommand, takeBackup } from './pgtools.js';

export interface StepActionDeps {
  fillContext(): FillContext;
  connection: ResolvedConnection;
  serverMajor: number;
  backupDir: string;
  /** Offer to save generated passwords in ~/.pgpass (not for the demo: its server is gone on quit). */
  offerPgpass: boolean;
  /** Labels of what the session created before this run of the step. */
  createdBefore(): ReadonlySet<string>;
  /** Passwords generated in this run, by role (the checks log in with them). */
  passwords: Map<string, string>;
  /** Called when the step has run, or failed part-way (reset must still know what it created). */
  finished(stepId: string, report: StepReport): void;
}

export interface StepReport {
  ok: boolean;
  created: Created[];
  table?: ResultTable;
  lines: string[];
}

interface StepTarget {
  ref: StepRef;
}

const PGPASS_FIELD = (file: string): InputField => ({
  key: 'pgpass',
  label: `Also save the generated password in ${file} (mode 0600)?`,
  kind: 'choice',
  choices: [
    { value: 'no', label: 'no: show it once, I will keep it myself' },
    { value: 'yes', label: `yes: save it in ${file}` },
  ],
  initial: 'no',
});

/** The action for a step that changes something, or null for steps that only read. */
export function stepActionRequest(deps: StepActionDeps, ref: StepRef): ActionRequest | null {
  const { step } = ref;
  const action = step.action;
  const ctx = deps.fillContext();
  const where = `database ${ctx.database} at ${deps.connection.host}:${deps.connection.port}`;
  const title = `Step ${ref.part.number}.${ref.position.step + 1}: ${fill(step.title, ctx, 'text')}`;

  if (action.kind === 'change') {
    const planned = planStatements(action.statements, ctx);
    const spec: ActionSpec<StepTarget> = {
      id: 'learnStep',
      danger: 'confirm',
      inputs: () => (action.passwords?.length && deps.offerPgpass ? [PGPASS_FIELD(pgpassPath())] : []),
      title: () => title,
      sql: () => planned.map((p) => p.display).join('\n'),
      details: () => [
        `This changes the server: ${where}.`,
        'Statements marked "skipped when it exists already" make re-running safe.',
      ],
      run: async (context, _target, values) => {
        const client = await context.client();
        const outcome: ChangeOutcome = { ran: [], skipped: [], created: [], passwordsSet: new Map() };
        try {
          await executeChange(client, planned, { stepId: step.id, createdBefore: deps.createdBefore(), passwords: deps.passwords }, outcome);
        } catch (error) {
          deps.finished(step.id, { ok: false, created: outcome.created, lines: failureLines(outcome, planned, error) });
          throw error;
        }
        const saved = values.pgpass === 'yes' && outcome.passwordsSet.size > 0;
        if (saved) {
          writePgpass([...outcome.passwordsSet].map(([user, password]) => ({ ...deps.connection, database: ctx.database, user, password })));
        }
        const table = action.show ? await queryTable(client, fill(action.show, ctx, 'sql')) : undefined;
        const lines = [`ran ${outcome.ran.length} statement(s)${outcome.skipped.length ? `, skipped ${outcome.skipped.length} (not needed)` : ''}`];
        deps.finished(step.id, { ok: true, created: outcome.created, table, lines });
        return changeOutcome(outcome, lines[0]!, saved, action.passwords ?? []);
      },
    };
    return actionRequest(spec, { ref });
  }

  if (action.kind === 'backup') {
    // The file name shown before y is the one written: its time is fixed now.
    const request = { connection: deps.connection, database: ctx.database, backupDir: deps.backupDir, format: action.format, now: new Date() };
    const spec: ActionSpec<StepTarget> = {
      id: 'learnBackup',
      danger: 'confirm',
      title: () => title,
      sql: () => backupCommand(request),
      details: () => [
        `This reads ${action.format === 'custom' ? where : `the roles of ${deps.connection.host}:${deps.connection.port}`} and writes a file in ${deps.backupDir}.`,
        'It is written under a temporary name and renamed only once it reads back.',
      ],
      run: async (context) => {
        try {
          const result = await takeBackup({ ...request, serverMajor: deps.serverMajor, progress: context.progress });
          const line = `backup written: ${result.file} (${(result.bytes / 1024).toFixed(0)} kB; ${result.verified})`;
          deps.finished(step.id, { ok: true, created: [], lines: [line] });
          return line;
        } catch (error) {
          deps.finished(step.id, { ok: false, created: [], lines: [`backup failed: ${oneLineMessage(error)}`] });
          throw error;
        }
      },
    };
    return actionRequest(spec, { ref });
  }

  if (action.kind === 'restore') {
    const into = fill(action.into, ctx, 'text');
    const intoSql = quoteIdent(into);
    const spec: ActionSpec<StepTarget> = {
      id: 'learnRestore',
      danger: 'confirm',
      title: () => title,
      sql: () =>
        [
          `DROP DATABASE IF EXISTS ${intoSql} WITH (FORCE);`,
          `CREATE DATABASE ${intoSql};`,
          restoreCommand({ connection: deps.connection, file: `${deps.backupDir}/<newest ${ctx.database}_full_*.dump>`, into }),
        ].join('\n'),
      details: () => [`This changes the server: it replaces database ${into} at ${deps.connection.host}:${deps.connection.port}.`],
      run: async (context) => {
        const created: Created[] = [];
        try {
          const backup = await newestBackup(deps.backupDir, ctx.database, 'custom');
          if (!backup) throw new Error(`no full backup of ${ctx.database} in ${deps.backupDir} yet: take one first (step 2.1)`);
          const client = await context.client();
          await client.query(`DROP DATABASE IF EXISTS ${intoSql} WITH (FORCE)`);
          await client.query(`CREATE DATABASE ${intoSql}`);
          created.push({ label: `database ${into}`, step: step.id, undo: [`DROP DATABASE IF EXISTS ${intoSql} WITH (FORCE)`] });
          context.progress(`pg_restore ${backup.file} → ${into}…`);
          const line = await restoreBackup({ connection: deps.connection, file: backup.file, into, serverMajor: deps.serverMajor });
          deps.finished(step.id, { ok: true, created, lines: [line] });
          return line;
        } catch (error) {
          deps.finished(step.id, { ok: false, created, lines: [`restore failed: ${oneLineMessage(error)}`] });
          throw error;
        }
      },
    };
    return actionRequest(spec, { ref });
  }
  return null;
}

function failureLines(outcome: ChangeOutcome, planned: readonly PlannedStatement[], error: unknown): string[] {
  const failed = planned[outcome.ran.length + outcome.skipped.length];
  return [`failed: ${oneLineMessage(error)}`, ...(failed ? [`at: ${failed.display}`] : []), `${outcome.ran.length} statement(s) ran before it`];
}

function changeOutcome(outcome: ChangeOutcome, message: string, saved: boolean, roles: readonly string[]): string | ActionOutcome {
  const unset = roles.filter((r) => !outcome.passwordsSet.has(r));
  if (outcome.passwordsSet.size === 0) {
    return unset.length ? `${message}; ${unset.join(', ')} existed before this session: its password was left alone` : message;
  }
  const lines = [...outcome.passwordsSet].map(([role, password]) => `${role.padEnd(14)} ${password}`);
  lines.push(
    '',
    saved
      ? `Saved in ${pgpassPath()} (0600): psql and pgtop will find it there.`
      : 'Not saved anywhere: copy it now, pgtop will not show it again.',
    'The server only has its SCRAM verifier; the password itself was never sent.',
  );
  return { message, detail: { title: 'Generated password (shown once)', lines } };
}
