// Driving the roles screen against a real server in tests: poll it as some
// role, run `n` and `P` through the action runner as a user would (answers,
// then y), and log in as the roles they make.
import pg from 'pg';
import type { ActionRequest } from '../../src/actions/action.js';
import { ActionRunner } from '../../src/actions/runner.js';
import { openConnection } from '../../src/db/connection.js';
import { resolveConnection, type ResolvedConnection } from '../../src/db/connection-options.js';
import { DashboardScheduler } from '../../src/cli/dashboard-scheduler.js';
import { createPgtopStore, type PgtopState } from '../../src/store/store.js';
import { findings } from '../../screens/roles/data.js';
import type { Finding } from '../../src/model/audit.js';
import { connected } from './pg.js';

export interface Server {
  host: string;
  port: number;
}

export function connectionTo(server: Server, user: string, password: string, database: string): ResolvedConnection {
  return resolveConnection({ host: server.host, port: String(server.port), username: user, dbname: database }, { PGPASSWORD: password });
}

/** One refresh of the roles screen as this connection's role; in audit mode when asked. */
export async function pollRoles(connection: ResolvedConnection, mode: 'roles' | 'audit' = 'roles'): Promise<PgtopState> {
  const store = createPgtopStore({ screen: 'roles' }, (s) => {
    s.ui.screenMode = { roles: mode };
  });
  const session = await openConnection(connection, { purpose: 'monitor' });
  const scheduler = new DashboardScheduler({ store, connect: () => openConnection(connection, { purpose: 'monitor' }), initialSession: session });
  try {
    await scheduler.refresh();
    return store.getState();
  } finally {
    await scheduler.stop();
  }
}

export async function auditAs(connection: ResolvedConnection): Promise<Finding[]> {
  return findings(await pollRoles(connection, 'audit'));
}

export interface ActionResult {
  status: PgtopState['ui']['status'];
  /** The box shown after success (a generated password), if any. */
  box: { title: string; lines: string[] } | null;
  /** What the confirmation showed. */
  shown: { sql: string; details: string[] } | null;
}

/** Asks the action's questions with these answers, says y, and reports what the user saw. */
export async function runAction(connection: ResolvedConnection, request: ActionRequest, answers: string[]): Promise<ActionResult> {
  const store = createPgtopStore({ screen: 'roles' });
  const runner = new ActionRunner(store, () => openConnection(connection, { purpose: 'action' }));
  try {
    runner.request(request, 'test');
    for (const answer of answers) runner.answer(answer);
    const overlay = store.getState().ui.overlay;
    if (overlay.kind !== 'confirm') throw new Error(`expected the confirmation, got ${overlay.kind}: ${JSON.stringify(store.getState().ui.status)}`);
    const shown = { sql: overlay.action.sql, details: overlay.action.details };
    await runner.confirm();
    const after = store.getState().ui;
    return { status: after.status, box: after.overlay.kind === 'result' ? { title: after.overlay.title, lines: after.overlay.lines } : null, shown };
  } finally {
    await runner.close();
  }
}

/** Logs in over TCP (SCRAM) as a role; the caller ends the client. */
export async function loginAs(server: Server, user: string, password: string, database: string): Promise<pg.Client> {
  return connected(new pg.Client({ host: server.host, port: server.port, user, password, database, application_name: 'pgtop-test-role' }));
}

/** The SQLSTATE a statement fails with, or 'ok'. */
export async function outcome(client: pg.Client, sql: string): Promise<string> {
  try {
    await client.query(sql);
    return 'ok';
  } catch (error) {
    return (error as { code?: string }).code ?? String(error);
  }
}

/** Runs a finding's fix as psql would: each statement on its own (ALTER SYSTEM refuses a multi-statement string), comments skipped. */
export async function runFix(client: Pick<pg.Client, 'query'>, fix: string): Promise<void> {
  for (const line of fix.split('\n')) {
    if (line.trim() && !line.trimStart().startsWith('--')) await client.query(line);
  }
}
