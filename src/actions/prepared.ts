// COMMIT PREPARED and ROLLBACK PREPARED: the only ways to end a prepared
// transaction, which holds its locks and the vacuum horizon with no session
// to cancel or terminate. Either must run in the prepared transaction's own
// database: when the actions connection is on another one, a connection of
// the same settings to that database is opened for the statement and closed.
import { openConnection } from '../db/connection.js';
import { ActionError, sqlState } from '../errors.js';
import { duration } from '../format/format.js';
import { quoteLiteral } from '../sql/quote.js';
import type { ActionRunContext, ActionSpec } from './action.js';

/** A prepared transaction as the locks screen shows it. */
export interface PreparedTarget {
  gid: string;
  owner: string | null;
  database: string | null;
  xid: string;
  /** How long ago it was prepared. */
  seconds: number | null;
  /** Sessions waiting behind it. */
  waiters: number;
}

type Verb = 'COMMIT' | 'ROLLBACK';

function statement(verb: Verb, t: PreparedTarget): string {
  // A gid is a string literal here: no bind parameter in a utility statement.
  return `${verb} PREPARED ${quoteLiteral(t.gid).trim()}`;
}

function describe(t: PreparedTarget): string[] {
  return [
    `gid      ${t.gid}`,
    `owner    ${t.owner ?? '?'}`,
    `database ${t.database ?? '?'}`,
    `xid      ${t.xid}, prepared ${t.seconds !== null ? `${duration(t.seconds)} ago` : '?'}`,
    `blocks   ${t.waiters} session(s)`,
  ];
}

function refuseWithoutDatabase(t: PreparedTarget): string | null {
  return t.database ? null : `prepared transaction '${t.gid}' has no database pgtop can see`;
}

export const rollbackPrepared: ActionSpec<PreparedTarget> = {
  id: 'rollbackPrepared',
  danger: 'confirm',
  title: (t) => `Roll back prepared transaction '${t.gid}' (its changes are discarded, its locks and xmin released)?`,
  sql: (t) => `${statement('ROLLBACK', t)};`,
  details: (t) => [...describe(t), 'The application that prepared it (its transaction manager) will find it gone.'],
  refuse: refuseWithoutDatabase,
  run: (ctx, t) => finishPrepared(ctx, t, 'ROLLBACK'),
};

export const commitPrepared: ActionSpec<PreparedTarget> = {
  id: 'commitPrepared',
  danger: 'confirm',
  title: (t) => `Commit prepared transaction '${t.gid}' (its changes become permanent, its locks and xmin released)?`,
  sql: (t) => `${statement('COMMIT', t)};`,
  details: (t) => [...describe(t), 'Commit only when the other participants of its distributed transaction committed too.'],
  refuse: refuseWithoutDatabase,
  run: (ctx, t) => finishPrepared(ctx, t, 'COMMIT'),
};

async function finishPrepared(ctx: ActionRunContext, t: PreparedTarget, verb: Verb): Promise<string> {
  const database = t.database!;
  const client = await ctx.client();
  const here = (await client.query<{ db: string }>('SELECT current_database() AS db')).rows[0]?.db;
  try {
    if (here === database) {
      await client.query(statement(verb, t));
    } else {
      if (!ctx.env.connection) throw new ActionError(`${verb} PREPARED must run in database ${database}, and pgtop has no connection settings to open one there`);
      const there = await openConnection({ ...ctx.env.connection, database }, { purpose: 'action' });
      try {
        await there.client.query(statement(verb, t));
      } finally {
        await there.close();
      }
    }
  } catch (error) {
    // 42704: committed or rolled back since the last refresh.
    if (sqlState(error) === '42704') throw new ActionError(`prepared transaction '${t.gid}' no longer exists: it was committed or rolled back since the last refresh`);
    throw error;
  }
  return `${verb === 'COMMIT' ? 'committed' : 'rolled back'} prepared transaction '${t.gid}' in ${database}`;
}
