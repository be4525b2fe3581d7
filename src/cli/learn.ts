// `pgtop learn`: the guided session in the dashboard (its learn screen), and
// `pgtop learn --check`, which runs every success criterion without the UI
// and prints one line per criterion (exit 0 only when all pass).
import { isScreenId } from '../../screens/index.js';
import os from 'node:os';
import path from 'node:path';
import type { ActionRequest } from '../actions/action.js';
import type { ConnectionPurpose, PgConnection } from '../db/connection.js';
import { EXIT_OK, EXIT_RUNTIME } from '../errors.js';
import type { PgtopStore } from '../store/store.js';
import { LearnController } from '../learn/controller.js';
import { emptyProgress, evaluateChecks, resolveParams, type Progress } from '../learn/engine.js';
import { checkRunner, exclusive, paramRunner, type LiveContext } from '../learn/live.js';
import { PARTS } from '../learn/parts/index.js';
import { loadProgress, progressFilePath, serverKey } from '../learn/progress-file.js';
import { terminalText } from '../render/terminal-text.js';
import type { TargetOptions } from './target-options.js';
import type { ConnectionTarget } from '../target/target.js';

/** --backup-dir, else the target's own (the demo's), else ~/postgres-backups (docs/backups.md). */
export function backupDirFor(cli: TargetOptions, target: ConnectionTarget): string {
  return path.resolve(cli.backupDir ?? target.backupDir ?? path.join(os.homedir(), 'postgres-backups'));
}

export function createLearnController(
  cli: TargetOptions,
  target: ConnectionTarget,
  store: PgtopStore,
  requestAction: (request: ActionRequest, key: string) => void,
  open: (purpose: ConnectionPurpose) => Promise<PgConnection>,
): LearnController {
  return new LearnController({
    store,
    requestAction,
    openConnection: () => open('monitor'),
    connection: target.connection,
    where: target.label,
    backupDir: backupDirFor(cli, target),
    // The demo's server is new each run: nothing to resume.
    progressFile: cli.target.demo ? null : progressFilePath(target.connection),
    offerPgpass: !cli.target.demo,
    hasScreen: isScreenId,
  });
}

/** Every check of every step, one line each; resolves to the exit code. */
export async function runLearnCheck(
  cli: TargetOptions,
  target: ConnectionTarget,
  session: PgConnection,
  write: (text: string) => void = (t) => process.stdout.write(t),
): Promise<number> {
  const connection = target.connection;
  const server = serverKey(connection);
  let progress: Progress = cli.target.demo ? emptyProgress(server) : await loadProgress(progressFilePath(connection), server, PARTS);
  const live: LiveContext = {
    withAdmin: exclusive(() => Promise.resolve(session.client)),
    connection,
    backupDir: backupDirFor(cli, target),
    passwords: new Map(),
  };
  const base = { database: connection.database, user: connection.user, backupDir: live.backupDir };
  write(`pgtop learn --check: ${terminalText(server)}\n`);
  let passed = 0;
  let total = 0;
  for (const part of PARTS) {
    // Parameters the session remembered are reused (the table it vacuumed); unknown ones are looked up now.
    progress = await resolveParams(part, progress, base, paramRunner(live));
    for (const [i, step] of part.steps.entries()) {
      if (!step.checks?.length) continue;
      const results = await evaluateChecks(part, step, { ...base, params: progress.params }, checkRunner(live));
      for (const r of results) {
        total += 1;
        if (r.ok) passed += 1;
        // Criteria and reasons name the learner's tables and roles, and quote the server: terminal text.
        write(`${terminalText(`${r.ok ? '✓' : '✗'} ${part.number}.${i + 1} ${r.criterion} — ${r.reason}`)}\n`);
      }
    }
  }
  write(`${passed} of ${total} criteria pass\n`);
  return passed === total ? EXIT_OK : EXIT_RUNTIME;
}
