// Runs actions, every one the same way: refuse under --read-only or when
// the spec says no; ask its inputs one by one; show the confirmation with
// the exact statement; run it on the actions connection (opened on first
// use, reopened when lost), never the monitor's; report the outcome in the
// status line (and in a box for what must be read, like a new password).
// A failed action never stops the dashboard.
import type { PgConnection } from '../db/connection.js';
import { oneLine } from '../errors.js';
import { setConnection, setStatus, setUi, type PgtopStore } from '../store/store.js';
import { standbyRefusal, type ActionRequest, type ActionSpec, type InputValues } from './action.js';
import type { ActionEnvironment } from './environment.js';

interface Pending {
  spec: ActionSpec<unknown>;
  target: unknown;
  targetKey: string;
  values: Record<string, string>;
  /** Index of the next input to ask. */
  nextInput: number;
}

/** Whether an action may run on a standby: it only reads, or it says it works there. */
export function availableOnStandby(spec: ActionSpec<unknown>): boolean {
  return spec.changesServer === false || spec.runsOnStandby === true;
}

export class ActionRunner {
  private pending: Pending | null = null;
  private session: PgConnection | null = null;
  private running: string | null = null;

  constructor(
    private readonly store: PgtopStore,
    private readonly openConnection: () => Promise<PgConnection>,
    private readonly env: ActionEnvironment = {},
  ) {}

  /** Start an action on a target: its questions, then the confirmation (or say why it cannot run). */
  request({ spec, target }: ActionRequest, targetKey: string): void {
    const state = this.store.getState();
    if (state.ui.readOnly && spec.changesServer !== false) {
      setStatus(this.store, `read-only mode: refused to run ${spec.sql(target, {})}`, 'error');
      return;
    }
    if (state.data.header?.inRecovery && !availableOnStandby(spec)) {
      setStatus(this.store, `refused: ${standbyRefusal(spec.sql(target, {}).split('\n')[0]!)}`, 'error');
      return;
    }
    const pooler = state.connection.pooler;
    if (pooler && spec.changesServer !== false && !spec.onMonitor) {
      setStatus(
        this.store,
        `refused behind ${pooler}: ${spec.sql(target, {})} would run on whichever server connection the pooler gives, without pgtop's guards and timeouts; connect to the server itself for it`,
        'error',
      );
      return;
    }
    const refusal = spec.refuse?.(target, { ownPids: new Set(state.connection.ownPids) });
    if (refusal) {
      setStatus(this.store, `refused: ${refusal}`, 'error');
      return;
    }
    this.pending = { spec, target, targetKey, values: {}, nextInput: 0 };
    this.askNext();
  }

  /** The answer to the question on screen (text typed, or the value of the choice). */
  answer(value: string): void {
    const pending = this.pending;
    if (!pending) return;
    const fields = pending.spec.inputs?.(pending.target, pending.values) ?? [];
    const field = fields[pending.nextInput];
    if (!field) return;
    const problem = field.validate?.(value) ?? null;
    if (problem) {
      setStatus(this.store, problem, 'error');
      return;
    }
    pending.values[field.key] = value;
    pending.nextInput += 1;
    this.askNext();
  }

  /** The user took what the confirmation offers instead (terminate for a cancel that would change nothing): its own confirmation. */
  switchToInstead(): void {
    const pending = this.pending;
    const instead = pending?.spec.instead?.(pending.target, pending.values);
    if (!pending || !instead) return;
    this.pending = null;
    this.request({ spec: instead.spec, target: pending.target }, pending.targetKey);
  }

  /** The user said no (or pressed Esc). */
  dismiss(): void {
    const pending = this.pending;
    this.pending = null;
    setUi(this.store, { overlay: { kind: 'none' } });
    if (!pending) return;
    // Before every question is answered the statement is not complete: name the action instead.
    const answered = pending.nextInput >= (pending.spec.inputs?.(pending.target, pending.values).length ?? 0);
    const what = answered ? pending.spec.sql(pending.target, pending.values) : pending.spec.title(pending.target, pending.values);
    setStatus(this.store, `not run: ${what}`);
  }

  /**
   * The user agreed: run the pending action. Resolves when it has finished.
   * `typed`: what was typed to confirm (by default what the confirmation
   * shows as typed); passed to the action only when it is the name asked for.
   */
  async confirm(typed?: string): Promise<void> {
    const pending = this.pending;
    const overlay = this.store.getState().ui.overlay;
    const typedText = typed ?? (overlay.kind === 'confirm' ? overlay.typed : undefined);
    this.pending = null;
    setUi(this.store, { overlay: { kind: 'none' } });
    if (!pending) return;
    if (this.running) {
      setStatus(this.store, `still running ${this.running}; try again when it has finished`, 'error');
      return;
    }
    const { spec, target, values } = pending;
    const sql = spec.sql(target, values);
    const expected = spec.danger === 'typed' ? spec.typeToConfirm?.(target, values) : undefined;
    this.running = sql;
    setStatus(this.store, `running ${sql}`);
    try {
      const outcome = await spec.run(
        {
          client: () => this.actionSession().then((s) => s.client),
          onMonitor: (run) => (this.env.onMonitor ? this.env.onMonitor(run) : this.actionSession().then((s) => run(s.client))),
          progress: (text) => setStatus(this.store, text),
          env: this.env,
          typed: expected !== undefined && typedText === expected ? expected : undefined,
        },
        target,
        values,
      );
      const message = typeof outcome === 'string' ? outcome : outcome.message;
      setStatus(this.store, message, 'success');
      if (typeof outcome !== 'string' && outcome.detail) {
        setUi(this.store, { overlay: { kind: 'result', title: outcome.detail.title, lines: outcome.detail.lines } });
      }
    } catch (error) {
      // A broken connection is reopened next time; the server's error is shown verbatim.
      if (this.session && !this.session.isAlive()) this.dropSession();
      setStatus(this.store, `${sql} failed: ${oneLine(error)}`, 'error');
    } finally {
      this.running = null;
    }
  }

  async close(): Promise<void> {
    const session = this.session;
    this.session = null;
    await session?.close();
  }

  private askNext(): void {
    const pending = this.pending!;
    const fields = pending.spec.inputs?.(pending.target, pending.values) ?? [];
    const field = fields[pending.nextInput];
    const values: InputValues = pending.values;
    if (field) {
      const initial = field.initial ?? '';
      const choice = Math.max(0, field.choices?.findIndex((c) => c.value === initial) ?? 0);
      setUi(this.store, {
        overlay: {
          kind: 'form',
          input: { actionTitle: pending.spec.title(pending.target, values), field, position: pending.nextInput + 1, count: fields.length },
          text: field.kind === 'text' ? initial : '',
          choice,
        },
      });
      return;
    }
    const { spec, target } = pending;
    const instead = spec.instead?.(target, values) ?? null;
    setUi(this.store, {
      overlay: {
        kind: 'confirm',
        typed: '',
        action: {
          actionId: spec.id,
          title: spec.title(target, values),
          sql: spec.sql(target, values),
          details: instead ? [...spec.details(target, values), '', instead.why] : spec.details(target, values),
          targetKey: pending.targetKey,
          ...(instead ? { instead: instead.spec.sql(target, values) } : {}),
          typeToConfirm: spec.danger === 'typed' ? spec.typeToConfirm?.(target, values) : undefined,
        },
      },
    });
  }

  private async actionSession(): Promise<PgConnection> {
    if (this.session?.isAlive()) return this.session;
    this.dropSession();
    const session = await this.openConnection();
    this.session = session;
    const own = this.store.getState().connection.ownPids;
    setConnection(this.store, { ownPids: [...own, session.pid] });
    return session;
  }

  private dropSession(): void {
    const session = this.session;
    if (!session) return;
    this.session = null;
    const own = this.store.getState().connection.ownPids;
    setConnection(this.store, { ownPids: own.filter((pid) => pid !== session.pid) });
    void session.close();
  }
}
