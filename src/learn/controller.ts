// The guided session while pgtop runs: it owns the session's state (a small
// zustand store the learn screen renders), its own connection for queries
// and checks (marked as pgtop's own), and the progress file. Keys on the
// learn screen arrive here as commands; steps that change something go to
// the action runner, which confirms them first. The current step's checks
// are a source (checksSource): the scheduler runs them every few seconds
// while a screen that needs them is visible (the learn screen says it does),
// so a ✓ follows what happens on the server, whoever does it.
import { createStore, type StoreApi } from 'zustand/vanilla';
import { actionRequest, type ActionRequest, type ActionSpec } from '../actions/action.js';
import type { ResolvedConnection } from '../db/connection-options.js';
import type { PgConnection } from '../db/connection.js';
import type { CommandId } from '../keys/commands.js';
import type { LocalSource } from '../scheduler/source.js';
import { setConnection, setStatus, setUi, type PgtopStore } from '../store/store.js';
import {
  currentStep,
  emptyProgress,
  evaluateChecks,
  explanation,
  fill,
  fillText,
  missingReason,
  move,
  oneLineMessage,
  pickSql,
  recordCreated,
  recordRan,
  resolveParams,
  undoPlan,
  type FillContext,
  type Progress,
} from './engine.js';
import { checkRunner, exclusive, paramRunner, runQueryStep, type LiveContext, type ResultTable } from './live.js';
import { PARTS } from './parts/index.js';
import { loadProgress, saveProgress, serverKey } from './progress-file.js';
import { stepCommand } from './step-command.js';
import { stepActionRequest, type StepReport } from './step-action.js';
import type { CheckResult, Part } from './types.js';

export interface StepOutput {
  stepId: string;
  table?: ResultTable;
  lines: string[];
  failed: boolean;
}

export interface LearnState {
  /** False until the progress is loaded and the session's connection is open. */
  ready: boolean;
  /** Why the session cannot start (no connection…). */
  error: string | null;
  parts: readonly Part[];
  progress: Progress;
  /** Latest check results by step id. */
  checks: Record<string, CheckResult[]>;
  checking: boolean;
  /** What the current step printed when it ran, until the learner moves on. */
  output: StepOutput | null;
  running: boolean;
  /** Progress is saved per server (not for the demo, whose server is new each time). */
  saves: boolean;
  serverVersionNum: number | null;
}

export interface LearnControllerOptions {
  store: PgtopStore;
  requestAction(request: ActionRequest, key: string): void;
  /** Opens the session's own connection (monitor timeouts). */
  openConnection(): Promise<PgConnection>;
  connection: ResolvedConnection;
  /** The header's target ("direct …", "k8s …"), for where a backup runs. */
  where: string;
  backupDir: string;
  /** Null: do not save (the demo). */
  progressFile: string | null;
  offerPgpass: boolean;
  parts?: readonly Part[];
  /** How often the checks run at most (the refresh interval, when longer). */
  recheckMs?: number;
  /** Whether the dashboard has a screen of this id (screens/index.ts): o opens a step's screen only then. */
  hasScreen?(id: string): boolean;
}

/** The commands the learn screen offers, which the controller carries out (screenCommand). */
export const LEARN_COMMANDS: ReadonlySet<CommandId> = new Set<CommandId>(['nextStep', 'previousStep', 'runStep', 'openStepScreen', 'resetSession', 'explainStep']);

export class LearnController {
  readonly state: StoreApi<LearnState>;
  private session: PgConnection | null = null;
  private opening: Promise<void> | null = null;
  private saving: Promise<void> = Promise.resolve();
  private checkAgain = false;
  private closed = false;
  readonly passwords = new Map<string, string>();
  readonly live: LiveContext;
  /**
   * The current step's checks, as the scheduler runs them: the first run
   * since the learn screen showed starts the session (progress, its
   * connection) and prepares the step; the next ones check again. Their
   * results stay in this controller's store, which the learn screen draws.
   */
  readonly checksSource: LocalSource<void>;

  constructor(private readonly options: LearnControllerOptions) {
    const parts = options.parts ?? PARTS;
    this.state = createStore<LearnState>()(() => ({
      ready: false,
      error: null,
      parts,
      progress: emptyProgress(serverKey(options.connection)),
      checks: {},
      checking: false,
      output: null,
      running: false,
      saves: options.progressFile !== null,
      serverVersionNum: null,
    }));
    this.live = {
      withAdmin: exclusive(async () => (await this.adminSession()).client),
      connection: options.connection,
      backupDir: options.backupDir,
      passwords: this.passwords,
    };
    this.checksSource = {
      id: 'learnChecks',
      title: "the guided session's checks",
      needs: 'nothing',
      minIntervalMs: options.recheckMs ?? 3_000,
      run: ({ resumed }) => (resumed ? this.enter() : this.recheck()).catch((error: unknown) => {
        // Said on the learn screen, in the session's own words.
        this.state.setState({ error: `the guided session failed: ${oneLineMessage(error)}` });
      }),
    };
  }

  /** Keys of the learn screen; others are not ours. */
  handles(command: CommandId): boolean {
    return LEARN_COMMANDS.has(command);
  }

  command(command: CommandId): void {
    if (!this.state.getState().ready) return;
    switch (command) {
      case 'nextStep':
        return this.go(1);
      case 'previousStep':
        return this.go(-1);
      case 'runStep':
        return void this.runStep();
      case 'openStepScreen':
        return this.openScreen();
      case 'resetSession':
        return this.requestReset();
      case 'explainStep': {
        const { parts, progress } = this.state.getState();
        const ref = currentStep(parts, progress);
        const ctx = this.fillContext();
        const title = `${ref.part.number}.${ref.position.step + 1} ${fillText(ref.step.title, ctx)}`;
        // The whole explanation and the whole command (the screen may have had room for part of them); the box scrolls.
        let command: string[];
        try {
          command = stepCommand(ref.step, ctx, this.state.getState().serverVersionNum ?? 0);
        } catch (error) {
          command = [`cannot run here: ${missingReason(ref.part, error, ctx) ?? oneLineMessage(error)}`];
        }
        const runs = ref.step.action.kind === 'read' ? [] : ['', 'Runs:', ...command];
        return setUi(this.options.store, { overlay: { kind: 'result', title, lines: [...explanation(ref.step, ctx), ...runs] } });
      }
      default:
        return;
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.saving;
    const session = this.session;
    this.session = null;
    await session?.close();
  }

  /** Loads progress, opens the connection, looks up the part's parameters, checks the step. */
  async enter(): Promise<void> {
    await this.start();
    if (this.closed || !this.state.getState().ready) return;
    await this.prepareStep();
  }

  private start(): Promise<void> {
    this.opening ??= (async () => {
      try {
        const { progressFile } = this.options;
        const progress = progressFile
          ? await loadProgress(progressFile, serverKey(this.options.connection), this.state.getState().parts)
          : this.state.getState().progress;
        await this.adminSession();
        this.state.setState({ progress, ready: true, error: null });
      } catch (error) {
        this.opening = null;
        this.state.setState({ error: `the guided session cannot start: ${oneLineMessage(error)}` });
      }
    })();
    return this.opening;
  }

  private async adminSession(): Promise<PgConnection> {
    if (this.session?.isAlive()) return this.session;
    const old = this.session;
    this.session = await this.options.openConnection();
    const own = this.options.store.getState().connection.ownPids.filter((pid) => pid !== old?.pid);
    setConnection(this.options.store, { ownPids: [...own, this.session.pid] });
    this.state.setState({ serverVersionNum: this.session.serverVersionNum });
    return this.session;
  }

  fillContext(): FillContext {
    const { connection, backupDir } = this.options;
    return { database: connection.database, user: connection.user, backupDir, params: this.state.getState().progress.params };
  }

  private go(delta: number): void {
    const { parts, progress } = this.state.getState();
    const next = move(parts, progress, delta);
    if (next.position.part === progress.position.part && next.position.step === progress.position.step) {
      setStatus(this.options.store, delta > 0 ? 'this is the last step: the session is complete when every check shows ✓' : 'this is the first step');
      return;
    }
    this.state.setState({ progress: next, output: null });
    setUi(this.options.store, { status: null });
    this.save();
    void this.prepareStep();
  }

  private async prepareStep(): Promise<void> {
    const { parts, progress } = this.state.getState();
    const ref = currentStep(parts, progress);
    try {
      const { params: _params, ...base } = this.fillContext();
      const resolved = await resolveParams(ref.part, progress, base, paramRunner(this.live));
      if (resolved !== progress && JSON.stringify(resolved.params) !== JSON.stringify(progress.params)) {
        this.state.setState((s) => ({ progress: { ...s.progress, params: resolved.params } }));
        this.save();
      }
    } catch (error) {
      setStatus(this.options.store, `could not look up this part's tables: ${oneLineMessage(error)}`, 'error');
    }
    await this.recheck();
  }

  /** Re-runs the current step's checks (never two at a time; one more after if asked meanwhile). */
  async recheck(): Promise<void> {
    const s = this.state.getState();
    if (!s.ready || this.closed) return;
    if (s.checking) {
      this.checkAgain = true;
      return;
    }
    const ref = currentStep(s.parts, s.progress);
    if (!ref.step.checks?.length) return;
    this.state.setState({ checking: true });
    try {
      const results = await evaluateChecks(ref.part, ref.step, this.fillContext(), checkRunner(this.live));
      this.state.setState((st) => ({ checks: { ...st.checks, [ref.step.id]: results } }));
    } finally {
      this.state.setState({ checking: false });
    }
    if (this.checkAgain) {
      this.checkAgain = false;
      await this.recheck();
    }
  }

  private async runStep(): Promise<void> {
    const s = this.state.getState();
    if (s.running) return setStatus(this.options.store, 'the step is still running', 'error');
    const ref = currentStep(s.parts, s.progress);
    const action = ref.step.action;
    const ctx = this.fillContext();
    if (action.kind === 'read') {
      this.finished(ref.step.id, { ok: true, created: [], lines: fillText(action.text, ctx).split('\n') });
      return setStatus(this.options.store, 'nothing to run in this step: read it, then n for the next one');
    }
    if (action.kind === 'query') {
      let sql: string;
      try {
        sql = fill(pickSql(action.sql, s.serverVersionNum ?? 0), ctx, 'sql');
      } catch (error) {
        return setStatus(this.options.store, `cannot run this step: ${missingReason(ref.part, error, ctx) ?? oneLineMessage(error)}`, 'error');
      }
      this.state.setState({ running: true });
      setStatus(this.options.store, 'running the query (read-only)…');
      try {
        const table = await runQueryStep(this.live, sql);
        this.finished(ref.step.id, { ok: true, created: [], table, lines: [] });
        setStatus(this.options.store, `${table.rows.length} row(s)`, 'success');
      } catch (error) {
        this.finished(ref.step.id, { ok: false, created: [], lines: [`the server said: ${oneLineMessage(error)}`] });
        setStatus(this.options.store, `the query failed: ${oneLineMessage(error)}`, 'error');
      } finally {
        this.state.setState({ running: false });
      }
      return;
    }
    let request: ActionRequest | null;
    try {
      request = stepActionRequest(
        {
          fillContext: () => this.fillContext(),
          connection: this.options.connection,
          where: this.options.where,
          backupDir: this.options.backupDir,
          offerPgpass: this.options.offerPgpass,
          createdBefore: () => new Set(this.state.getState().progress.created.map((c) => c.label)),
          passwords: this.passwords,
          finished: (stepId, report) => this.finished(stepId, report),
        },
        ref,
      );
    } catch (error) {
      return setStatus(this.options.store, `cannot run this step: ${missingReason(ref.part, error, ctx) ?? oneLineMessage(error)}`, 'error');
    }
    if (request) this.options.requestAction(request, ref.step.id);
  }

  /** A step ran (or failed): remember it, show its output, check again. */
  finished(stepId: string, report: StepReport): void {
    this.state.setState((s) => {
      let progress = recordCreated(s.progress, report.created);
      if (report.ok) progress = recordRan(progress, stepId, new Date());
      return { progress, output: { stepId, table: report.table, lines: report.lines, failed: !report.ok } };
    });
    this.save();
    void this.recheck();
  }

  private openScreen(): void {
    const { parts, progress } = this.state.getState();
    const screen = currentStep(parts, progress).step.screen;
    if (!screen) return setStatus(this.options.store, 'this step has no screen of its own');
    if (this.options.hasScreen && !this.options.hasScreen(screen)) return setStatus(this.options.store, `the ${screen} screen is not in this build yet`, 'error');
    setUi(this.options.store, { screen, overlay: { kind: 'none' } });
    setStatus(this.options.store, ":learn returns to the guided session");
  }

  private requestReset(): void {
    const plan = undoPlan(this.state.getState().progress);
    const statements = plan.flatMap((p) => p.statements.map((sql) => `${sql};`));
    const spec: ActionSpec<null> = {
      id: 'learnReset',
      danger: 'confirm',
      title: () => 'Reset the guided session: drop what it created and start again from step 1.1?',
      sql: () => (statements.length ? statements.join('\n') : '(nothing to drop: the session created nothing yet)'),
      details: () => [
        `Drops, newest first: ${plan.map((p) => p.label).join(', ') || 'nothing'}.`,
        'Kept: backup files, and anything that existed before the session (it was never the session’s to drop).',
      ],
      run: async (context) => {
        const client = await context.client();
        const failed: string[] = [];
        const undone = new Set<string>();
        for (const { label, statements: undo } of plan) {
          try {
            for (const sql of undo) await client.query(sql);
            undone.add(label);
          } catch (error) {
            failed.push(`${label}: ${oneLineMessage(error)}`);
          }
        }
        this.state.setState((s) => ({
          progress: { ...emptyProgress(s.progress.server), created: s.progress.created.filter((c) => !undone.has(c.label)) },
          checks: {},
          output: failed.length ? { stepId: '', lines: ['Reset could not drop:', ...failed], failed: true } : null,
        }));
        this.passwords.clear();
        this.save();
        void this.prepareStep();
        if (failed.length) throw new Error(`could not drop ${failed.length} object(s): ${failed[0]}`);
        return `reset: dropped ${undone.size} object(s); the session starts again at step 1.1`;
      },
    };
    this.options.requestAction(actionRequest(spec, null), 'learn-reset');
  }

  private save(): void {
    const file = this.options.progressFile;
    if (!file) return;
    const progress = this.state.getState().progress;
    this.saving = this.saving
      .then(() => saveProgress(file, progress))
      .catch((error: unknown) => setStatus(this.options.store, `could not save the session's progress in ${file}: ${oneLineMessage(error)}`, 'error'));
  }
}
