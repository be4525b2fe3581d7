// A guided-session step that changes something — statements, a backup, a
// restore — as an action: the runner (src/actions/runner.ts) refuses it under
// --read-only, asks y/n showing exactly what will run, runs it on the actions
// connection, and shows the outcome (a generated password in a box, once).
import { type ActionOutcome, actionRequest, type ActionRequest, type ActionSpec, type InputField } from '../actions/action.js';
import type { ResolvedConnection } from '../db/connection-options.js';
import { quoteName } from '../sql/quote.js';
import { oneLineMessage, planStatements, type Created, type FillContext, type PlannedStatement, type StepRef, fill } from './engine.js';
import { executeChange, queryTable, type ChangeOutcome, type ResultTable } from './live.js';
import { pgpassPath, writePgpass, type PgpassWritten } from './pgpass-file.js';
import { restoreCommandLine, restoreInto } from '../actions/backup-restore.js';
import { backupCommandLine, backupDetails, takeBackup } from '../actions/backups.js';
import { newestVerifiedBackup } from '../backup/listing.js';
import { planFor } from '../model/backup-names.js';

export interface StepActionDeps {
  fillContext(): FillContext;
  connection: ResolvedConnection;
  /** The header's target ("direct …", "k8s …"): where a backup's pg_dump runs. */
  where: string;
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
        // A file that cannot be written must not lose the password: the box still shows it, with the reason.
        let saved: PgpassWritten | Error | undefined;
        if (values.pgpass === 'yes' && outcome.passwordsSet.size > 0) {
          try {
            saved = writePgpass([...outcome.passwordsSet].map(([user, password]) => ({ ...deps.connection, database: ctx.database, user, password })));
          } catch (error) {
            saved = error instanceof Error ? error : new Error(String(error));
          }
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
    // The same backup as the backups screen's `b` (in the pod under -k, a
    // typed password passed on, a .verified record written), so what the
    // session takes shows there as verified. The file's time is fixed now:
    // the name shown before y is the one written.
    const at = new Date();
    const plan = planFor(action.format === 'custom' ? 'custom' : 'globals', ctx.database);
    const spec: ActionSpec<StepTarget> = {
      id: 'learnBackup',
      danger: 'confirm',
      runsOnStandby: true,
      title: () => title,
      sql: () => backupCommandLine(plan, deps.backupDir, at),
      details: () => backupDetails(plan, at, deps.where),
      run: async (context) => {
        try {
          const line = await takeBackup(context, plan, deps.backupDir, at, deps.connection);
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
    const intoSql = quoteName(into);
    const newest = { format: 'custom' as const, gzip: false, path: `<the newest verified full backup pgtop made of ${ctx.database} in ${deps.backupDir}>` };
    const spec: ActionSpec<StepTarget> = {
      id: 'learnRestore',
      danger: 'confirm',
      title: () => title,
      sql: () => [`DROP DATABASE IF EXISTS ${intoSql} WITH (FORCE);`, restoreCommandLine(newest, into)].join('\n'),
      details: () => [
        `This changes the server: it replaces database ${into} at ${deps.connection.host}:${deps.connection.port}.`,
        "The restore runs where the backups screen's r runs it (in the pod under -k); then every table's rows are counted beside the source's.",
      ],
      run: async (context) => {
        const created: Created[] = [];
        try {
          const backup = await newestVerifiedBackup(deps.backupDir, ctx.database, 'full');
          if (!backup) throw new Error(`no verified full backup pgtop made of ${ctx.database} in ${deps.backupDir} yet: take one first (step 2.1)`);
          const client = await context.client();
          await client.query(`DROP DATABASE IF EXISTS ${intoSql} WITH (FORCE)`);
          const outcome = await restoreInto(context, backup, into, deps.connection);
          created.push({ label: `database ${into}`, step: step.id, undo: [`DROP DATABASE IF EXISTS ${intoSql} WITH (FORCE)`] });
          deps.finished(step.id, { ok: true, created, lines: [outcome.message, ...(outcome.detail?.lines ?? [])] });
          return outcome;
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

function changeOutcome(outcome: ChangeOutcome, message: string, saved: PgpassWritten | Error | undefined, roles: readonly string[]): string | ActionOutcome {
  const unset = roles.filter((r) => !outcome.passwordsSet.has(r));
  if (outcome.passwordsSet.size === 0) {
    return unset.length ? `${message}; ${unset.join(', ')} existed before this session: its password was left alone` : message;
  }
  const lines = [...outcome.passwordsSet].map(([role, password]) => `${role.padEnd(14)} ${password}`);
  lines.push('', ...savedLines(saved), 'The server only has its SCRAM verifier; the password itself was never sent.');
  return { message, detail: { title: 'Generated password (shown once)', lines } };
}

function savedLines(saved: PgpassWritten | Error | undefined): string[] {
  if (saved === undefined) return ['Not saved anywhere: copy it now, pgtop will not show it again.'];
  if (saved instanceof Error) return [`Not saved: ${oneLineMessage(saved)}.`, 'Copy it now: pgtop will not show it again.'];
  const lines = [`Saved in ${saved.file} (0600): psql and pgtop will find it there.`];
  if (saved.looseMode !== undefined) {
    lines.push(
      `It was readable by group or others (${saved.looseMode.toString(8).padStart(4, '0')}), so libpq ignored it; it is 0600 now, and the passwords it held before may have been read.`,
    );
  }
  return lines;
}
