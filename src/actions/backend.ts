// Cancel a backend's query, or terminate the backend. pgtop never signals
// its own connections: cancelling its monitor would blank the screen,
// terminating it would be pgtop killing itself.
import { oneLineSql, truncate } from '../format/format.js';
import type { ActionContext, ActionSpec } from './action.js';

/** The server process an action targets. */
export interface BackendTarget {
  pid: number;
  user: string | null;
  database: string | null;
  state: string | null;
  query: string;
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

function refuseOwn(verb: string) {
  return (target: BackendTarget, context: ActionContext): string | null =>
    context.ownPids.has(target.pid) ? `pid ${target.pid} is pgtop's own connection: pgtop does not ${verb} itself` : null;
}

export const cancelQuery: ActionSpec<BackendTarget> = {
  id: 'cancelQuery',
  danger: 'confirm',
  runsOnStandby: true,
  title: (t) => `Cancel the running query of pid ${t.pid}?`,
  sql: (t) => `SELECT pg_cancel_backend(${t.pid});`,
  details: describe,
  refuse: refuseOwn('cancel'),
  async run(context, t) {
    const client = await context.client();
    const result = await client.query<{ ok: boolean }>('SELECT pg_cancel_backend($1) AS ok', [t.pid]);
    return result.rows[0]?.ok ? `cancel sent to pid ${t.pid}` : `pid ${t.pid} was not signalled: it is no longer running`;
  },
};

export const terminateBackend: ActionSpec<BackendTarget> = {
  id: 'terminateBackend',
  danger: 'confirm',
  runsOnStandby: true,
  title: (t) => `Terminate backend pid ${t.pid} (its transaction rolls back, the client is disconnected)?`,
  sql: (t) => `SELECT pg_terminate_backend(${t.pid});`,
  details: describe,
  refuse: refuseOwn('terminate'),
  async run(context, t) {
    const client = await context.client();
    const result = await client.query<{ ok: boolean }>('SELECT pg_terminate_backend($1) AS ok', [t.pid]);
    return result.rows[0]?.ok ? `terminated pid ${t.pid}` : `pid ${t.pid} was not signalled: it is no longer running`;
  },
};
