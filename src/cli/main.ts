// pgtop's entry: parse the command line, connect before any UI (so every
// early failure is one line and an exit code), then either print the screen
// once or run the dashboard: scheduler → store → App, actions on their own
// connection. Returns the exit code; bin/pgtop.js sets it.
import { ALWAYS_SOURCES, SCREEN_ORDER, SCREENS, screenFailures, screenSources, type ScreenId } from '../../screens/index.js';
import { ActionRunner } from '../actions/runner.js';
import { openConnection, type ConnectionPurpose, type PgConnection } from '../db/connection.js';
import { EXIT_OK, EXIT_RUNTIME, oneLine, PgtopError, UsageError } from '../errors.js';
import type { KeyServices } from '../keys/dispatch.js';
import { DetailTextReader } from '../db/detail-text.js';
import { createPgtopStore, type PgtopState } from '../store/store.js';
import { DashboardScheduler, targetSources } from './dashboard-scheduler.js';
import { terminalText } from '../render/terminal-text.js';
import { VERSION_LINE } from '../version.js';
import { BACKUP_FILES } from '../backup/files-source.js';
import { stopAllWork } from '../backup/running.js';
import { cronJobNeedsNoServer, printCronJobWithoutServer, runBackupCommand } from './backup.js';
import { backupDirFor, createLearnController, runLearnCheck } from './learn.js';
import { onceJson, onceText } from './once.js';
import { parseCommandLine, type DashboardOptions } from './options.js';
import type { TargetOptions } from './target-options.js';
import type { ViewOptions } from './view-options.js';
import { promptPassword } from './prompt-password.js';
import { openTarget } from '../target/open.js';
import type { ConnectionTarget } from '../target/target.js';

export async function run(args: readonly string[]): Promise<number> {
  let target: ConnectionTarget | undefined;
  try {
    const cli = parseCommandLine(args, process.env, VERSION_LINE);
    if (cli.kind === 'exit') {
      process.stdout.write(cli.output);
      return EXIT_OK;
    }
    // The dashboard, on its first screen or the guided session's; or no UI at all.
    const dashboard: DashboardRun | null =
      cli.kind === 'dashboard' && !cli.once ? cli : cli.kind === 'learn' && !cli.check ? { ...cli, screen: 'learn' } : null;
    if (dashboard && (!process.stdout.isTTY || !process.stdin.isTTY)) {
      throw new UsageError('not a terminal: run pgtop in a terminal, or use --once (with --json for scripts) to print the screen once');
    }
    // Ink and React take half a second to load: load them while connecting,
    // and not at all for --once, --help or an early failure.
    const ui = dashboard ? loadUi() : null;
    ui?.catch(() => undefined);
    // The guided session's demo leaves pg_stat_statements for the learner to enable.
    target = await openTarget({ ...cli.target, forLearning: cli.kind === 'learn' });
    if (cli.kind === 'backup' && cronJobNeedsNoServer(cli)) return await printCronJobWithoutServer(cli, target);
    const connection = target.connection;
    const open = (purpose: ConnectionPurpose) => openConnection(connection, { purpose });
    // Only the first connection may ask for a password: the dashboard never prompts.
    const monitor = await openConnection(connection, {
      purpose: 'monitor',
      askPassword: () => promptPassword(`Password for user ${connection.user}: `),
    });
    if (dashboard && ui) return await runDashboard(dashboard, target, monitor, open, await ui);
    if (cli.kind === 'backup') return await runBackupCommand(cli, target, monitor);
    if (cli.kind === 'learn') {
      // --check. Its connection closed, or the process would wait on it for ever after the last line.
      try {
        return await runLearnCheck(cli, target, monitor);
      } finally {
        await monitor.close();
      }
    }
    return await printOnce(cli, target, monitor);
  } catch (error) {
    // Often the server's own words (a refused login, a failed query): terminal text.
    process.stderr.write(`pgtop: ${terminalText(oneLine(error))}\n`);
    return error instanceof PgtopError ? error.exitCode : EXIT_RUNTIME;
  } finally {
    await target?.close();
  }
}

/** What the dashboard needs of either command that runs it. */
type DashboardRun = TargetOptions & ViewOptions & { screen: ScreenId };

/** How long the dashboard waits for the first refresh before drawing without it. */
const FIRST_FRAME_WAIT_MS = 400;

function loadUi() {
  return import('../../screens/App.js');
}
type UiModule = Awaited<ReturnType<typeof loadUi>>;

async function printOnce(cli: DashboardOptions, target: ConnectionTarget, monitor: PgConnection): Promise<number> {
  const backupDir = backupDirFor(cli, target);
  const store = createPgtopStore({ target: target.label, screen: cli.screen, readOnly: true, backupDir });
  const definition = SCREENS[cli.screen];
  const sourcesFor = (state: PgtopState) => definition.onceSources ?? screenSources(cli.screen, state);
  // No reconnect in --once: a lost connection is said, and exits 1.
  // Which instance it is on, for the replication screen's instances (-k cluster/NAME).
  target.attach?.(store);
  const scheduler = new DashboardScheduler({
    store,
    needed: (state) => [...ALWAYS_SOURCES, ...sourcesFor(state)],
    initialSession: monitor,
    backupDir,
    ...targetSources(target),
  });
  await scheduler.refresh();
  await scheduler.stop();
  const state = store.getState();
  if (state.connection.state !== 'connected') throw new PgtopError(`lost the connection: ${state.connection.lastError ?? 'unknown error'}`);
  const { view, onceParts } = definition;
  // The contract: a screen whose data failed to load says so, and --once exits 1.
  const failures = screenFailures(state, definition, sourcesFor(state));
  process.stdout.write(cli.json ? onceJson(state, view, onceParts, failures) : onceText(state, view, process.stdout.columns || 200, onceParts, failures));
  // The JSON on stdout says it in "error"; a script's log says it on stderr too.
  if (cli.json) for (const failure of failures) process.stderr.write(`pgtop: ${terminalText(failure.text)}\n`);
  return failures.length ? EXIT_RUNTIME : EXIT_OK;
}

async function runDashboard(
  cli: DashboardRun,
  target: ConnectionTarget,
  monitor: PgConnection,
  open: (purpose: ConnectionPurpose) => Promise<PgConnection>,
  { startDashboard }: UiModule,
): Promise<number> {
  const screen = cli.screen;
  const backupDir = backupDirFor(cli, target);
  const store = createPgtopStore({ target: target.label, screen, intervalMs: cli.intervalMs, readOnly: cli.readOnly, backupDir });
  target.attach?.(store);
  const runner = new ActionRunner(store, () => open('action'), {
    connection: target.connection,
    backupDir,
    podExec: target.exec,
    podLabel: () => target.label,
    backupsChanged: () => scheduler.refreshNow(BACKUP_FILES),
    landDiskUsage: (entries) => store.setState((s) => ({ data: { ...s.data, results: { ...s.data.results, diskUsage: { rows: entries, updatedAt: Date.now(), error: null, disabled: null } } } })),
    // Cancel and terminate run on the monitor connection: no free slot needed.
    onMonitor: (run) => scheduler.onMonitor((session) => run(session.client)),
  });
  let quit = () => undefined as void;
  const services: KeyServices = {
    quit: () => quit(),
    requestAction: (request, key) => runner.request(request, key),
    answerInput: (value) => runner.answer(value),
    confirmAction: () => void runner.confirm(),
    dismissAction: () => runner.dismiss(),
    switchAction: () => runner.switchToInstead(),
    screenCommand: (command, on) => on === 'learn' && learn.handles(command) && (learn.command(command), true),
    fetchDetail: (request) => detailTexts.request(request),
  };
  // A statement's whole text, read when its details open, on the monitor connection.
  const detailTexts = new DetailTextReader(store, (id, params) => scheduler.read(id, params));
  // The guided session (the learn screen; `pgtop learn` starts on it, :learn reaches it).
  const learn = createLearnController(cli, target, store, services.requestAction, open);
  // Every source: the registry's queries, the backup directory, the guided session's checks, the target's.
  const scheduler = new DashboardScheduler({ store, connect: () => open('monitor'), initialSession: monitor, backupDir, learn, ...targetSources(target) });
  scheduler.start();
  // The first frame shows the rows: drawn before the first refresh, it would
  // say "loading…" and the rows would follow one frame interval later (and
  // cost a second full render). A slow server gets the dashboard anyway.
  await Promise.race([scheduler.firstRefresh, new Promise((resolve) => setTimeout(resolve, FIRST_FRAME_WAIT_MS).unref())]);
  const instance = await startDashboard({ store, services, color: cli.color, learn, screens: SCREEN_ORDER });
  quit = () => instance.unmount();
  const onSignal = () => instance.unmount();
  process.once('SIGTERM', onSignal);
  process.once('SIGHUP', onSignal);
  try {
    await instance.waitUntilExit();
  } finally {
    process.off('SIGTERM', onSignal);
    process.off('SIGHUP', onSignal);
    // A backup or restore still running is stopped (its temporary file removed), not left running unseen.
    stopAllWork();
    await Promise.all([scheduler.stop(), runner.close(), learn.close()]);
  }
  return EXIT_OK;
}
