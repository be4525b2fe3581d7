// Runs actions: refuses them under --read-only or when their spec says no,
// asks for confirmation through the store, then runs them on the actions
// connection (opened on first use, reopened when lost) and reports the
// outcome in the status line. A failed action never stops the dashboard.
import type { DbSession } from '../db/connection.js';
import { oneLine } from '../errors.js';
import { setConnection, setStatus, setUi, type PgtopStore } from '../store/store.js';
import type { ActionSpec } from './action.js';

interface Pending {
  spec: ActionSpec<unknown>;
  target: unknown;
}

export class ActionRunner {
  private pending: Pending | null = null;
  private session: DbSession | null = null;
  private running = false;

  constructor(
    private readonly store: PgtopStore,
    private readonly openSession: () => Promise<DbSession>,
  ) {}

  /** Ask the user to confirm an action on a target (or say why it cannot run). */
  request<Target>(spec: ActionSpec<Target>, target: Target, targetKey: string): void {
    const state = this.store.getState();
    if (state.ui.readOnly) {
      setStatus(this.store, `read-only mode: refused to run ${spec.sql(target)}`, 'error');
      return;
    }
    const refusal = spec.refuse?.(target, { ownPids: new Set(state.connection.ownPids) });
    if (refusal) {
      setStatus(this.store, `refused: ${refusal}`, 'error');
      return;
    }
    this.pending = { spec: spec as ActionSpec<unknown>, target };
    setUi(this.store, {
      overlay: {
        kind: 'confirm',
        typed: '',
        action: {
          actionId: spec.id,
          title: spec.title(target),
          sql: spec.sql(target),
          details: spec.details(target),
          targetKey,
          typeToConfirm: spec.danger === 'typed' ? spec.typeToConfirm?.(target) : undefined,
        },
      },
    });
  }

  /** The user said no (or pressed Esc). */
  dismiss(): void {
    if (this.pending) setStatus(this.store, `not run: ${this.pending.spec.sql(this.pending.target)}`);
    this.pending = null;
    setUi(this.store, { overlay: { kind: 'none' } });
  }

  /** The user said yes: run the pending action. Resolves when it has finished. */
  async confirm(): Promise<void> {
    const pending = this.pending;
    this.pending = null;
    setUi(this.store, { overlay: { kind: 'none' } });
    if (!pending) return;
    if (this.running) {
      setStatus(this.store, 'another action is still running; try again when it has finished', 'error');
      return;
    }
    const { spec, target } = pending;
    const sql = spec.sql(target);
    this.running = true;
    setStatus(this.store, `running ${sql}`);
    try {
      const session = await this.actionSession();
      const outcome = await spec.run(session.client, target);
      setStatus(this.store, outcome, 'success');
    } catch (error) {
      // A broken connection is reopened next time; the server's error is shown verbatim.
      if (this.session && !this.session.isAlive()) this.dropSession();
      setStatus(this.store, `${sql} failed: ${oneLine(error)}`, 'error');
    } finally {
      this.running = false;
    }
  }

  async close(): Promise<void> {
    const session = this.session;
    this.session = null;
    await session?.close();
  }

  private async actionSession(): Promise<DbSession> {
    if (this.session?.isAlive()) return this.session;
    this.dropSession();
    const session = await this.openSession();
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
