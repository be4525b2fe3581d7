// Cancel a backend's query, or terminate the backend. pgtop never signals
// its own connections: cancelling its monitor would blank the screen,
// terminating it would be pgtop killing itself. Both run on the monitor
// connection (onMonitor): when every connection slot is taken, a new
// connection is refused ("sorry, too many clients already"), and the
// blocker to end is often what took them; pg_cancel_backend and
// pg_terminate_backend return at once, so a refresh waits one round trip at
// most, where keeping an actions connection open would hold a second slot
// for the whole session.
import { oneLineSql, truncate } from '../format/format.js';
import { poolerSignalNote } from '../model/pooler.js';
import type { ActionContext, ActionSpec } from './action.js';

/** The server process an action targets. */
export interface BackendTarget {
  pid: number;
  user: string | null;
  database: string | null;
  state: string | null;
  query: string;
  /** The pooler pgtop sees in between, if any: the pid is one of its server connections. */
  pooler?: string | null;
}

/** Idle in transaction (or aborted): nothing runs, so a cancel changes nothing; its transaction stays open. */
function idleInTransaction(target: BackendTarget): boolean {
  return target.state === 'idle in transaction' || target.state === 'idle in transaction (aborted)';
}

function describe(target: BackendTarget): string[] {
  return [
    `pid      ${target.pid}`,
    `user     ${target.user ?? '(hidden)'}`,
    `database ${target.database ?? ''}`,
    `state    ${target.state ?? ''}`,
    `query    ${truncate(oneLineSql(target.query), 200) || '(none)'}`,
  ];
}

function details(verb: 'cancel' | 'terminate') {
  return (target: BackendTarget): string[] => [...describe(target), ...(target.pooler ? ['', poolerSignalNote(target.pooler, verb)] : [])];
}

function refuseOwn(verb: string) {
  return (target: BackendTarget, context: ActionContext): string | null =>
    context.ownPids.has(target.pid) ? `pid ${target.pid} is pgtop's own connection: pgtop does not ${verb} itself` : null;
}

export const cancelQuery: ActionSpec<BackendTarget> = {
  id: 'cancelQuery',
  danger: 'confirm',
  runsOnStandby: true,
  onMonitor: true,
  title: (t) =>
    idleInTransaction(t)
      ? `Cancel pid ${t.pid}? It is ${t.state}: no query runs, so a cancel does not end it`
      : `Cancel the running query of pid ${t.pid}?`,
  sql: (t) => `SELECT pg_cancel_backend(${t.pid});`,
  details: details('cancel'),
  refuse: refuseOwn('cancel'),
  instead: (t) =>
    idleInTransaction(t)
      ? {
          spec: terminateBackend,
          why: `a cancel stops a running query; pid ${t.pid} runs none and its transaction stays open (its locks and snapshot too). Only terminate ends it: K terminates it instead`,
        }
      : null,
  async run(context, t) {
    const result = await context.onMonitor((client) => client.query<{ ok: boolean }>('SELECT pg_cancel_backend($1) AS ok', [t.pid]));
    return result.rows[0]?.ok ? `cancel sent to pid ${t.pid}` : `pid ${t.pid} was not signalled: it is no longer running`;
  },
};

export const terminateBackend: ActionSpec<BackendTarget> = {
  id: 'terminateBackend',
  danger: 'confirm',
  runsOnStandby: true,
  title: (t) => `Terminate backend pid ${t.pid} (its transaction rolls back, the client is disconnected)?`,
  onMonitor: true,
  sql: (t) => `SELECT pg_terminate_backend(${t.pid});`,
  details: details('terminate'),
  refuse: refuseOwn('terminate'),
  async run(context, t) {
    const result = await context.onMonitor((client) => client.query<{ ok: boolean }>('SELECT pg_terminate_backend($1) AS ok', [t.pid]));
    return result.rows[0]?.ok ? `terminated pid ${t.pid}` : `pid ${t.pid} was not signalled: it is no longer running`;
  },
};
