// What a step runs, as the learner reads it before Enter (the learn screen)
// and in full with `e`: the SQL for this server's version, a change's
// statements (passwords as ‹generated›), the pg_dump or pg_restore command.
import { restoreCommandLine } from '../actions/backup-restore.js';
import { backupCommandLine } from '../actions/backups.js';
import { planFor } from '../model/backup-names.js';
import { fill, pickSql, planStatements, type FillContext } from './engine.js';
import type { Step } from './types.js';

/** The exact SQL or command of a step, as it will run (passwords as ‹generated›). */
export function stepCommand(step: Step, ctx: FillContext, serverVersionNum: number): string[] {
  const action = step.action;
  switch (action.kind) {
    case 'query':
      return fill(pickSql(action.sql, serverVersionNum), ctx, 'sql').split('\n');
    case 'change':
      return planStatements(action.statements, ctx).flatMap((p) => p.display.split('\n'));
    case 'backup':
      // The time in the name is the moment y is pressed.
      return [backupCommandLine(planFor(action.format === 'custom' ? 'custom' : 'globals', ctx.database), ctx.backupDir, new Date()).replace(/_\d{8}_\d{6}\./, '_YYYYMMDD_HHMMSS.')];
    case 'restore': {
      const into = fill(action.into, ctx, 'text');
      return [`DROP DATABASE IF EXISTS ${into} WITH (FORCE);`, restoreCommandLine({ format: 'custom', gzip: false, path: `<newest verified ${ctx.database}_full_*>` }, into)];
    }
    case 'read':
      return fill(action.text, ctx, 'text').split('\n');
  }
}
