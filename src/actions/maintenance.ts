// VACUUM (ANALYZE), ANALYZE, VACUUM FULL and REINDEX on the table or index
// selected on the sizes and bloat screens. Identifiers are never pasted from
// input: the screens' queries return each name already quoted by the server
// (format('%I.%I')), and that text is the statement's only variable part.
// VACUUM cannot run in a transaction block or take bind parameters, so the
// statement is sent as one simple query on the actions connection, whose
// lock_timeout (5 s) keeps it from queueing behind other sessions for long.
// While it runs, the status line shows elapsed time and, after a second, the
// server's own progress (pg_stat_progress_*) read on a short-lived monitor
// connection. After a VACUUM of one table, the outcome says how many dead
// tuples it had to leave (the table's statistics, which VACUUM sets to what
// it could not remove) and what holds the horizon that kept them.
import { openConnection, type PgConnection } from '../db/connection.js';
import { progressText } from '../model/bloat.js';
import type { RawRow } from '../db/queries/row.js';
import type { TableRef } from '../model/sizes.js';
import { mapRows, sqlFor } from '../db/registry.js';
import { horizonText, oldestHolder, holderRemedy } from '../model/horizon.js';
import { ActionError, oneLine, sqlState } from '../errors.js';
import { duration } from '../format/format.js';
import { millis } from '../format/size.js';
import type { ActionRunContext, ActionSpec } from './action.js';
import type { ClientBase } from 'pg';

/** What a maintenance key aims at: a table, and the index when an index row is selected. */
export interface MaintenanceTarget {
  table: TableRef;
  index?: { name: string; qualified: string };
  /** REINDEX CONCURRENTLY needs PostgreSQL 12+. */
  serverVersionNum: number;
}

const PROGRESS_EVERY_MS = 500;
/** Quick commands finish before pgtop opens a connection to watch them. */
const PROGRESS_CONNECT_AFTER_MS = 1_000;

function tableLines(t: MaintenanceTarget): string[] {
  return [`table    ${t.table.qualified}`, ...(t.index ? [`index    ${t.index.qualified}`] : [])];
}

export const vacuumAnalyze: ActionSpec<MaintenanceTarget> = {
  id: 'vacuumAnalyze',
  danger: 'confirm',
  title: (t) => `VACUUM (ANALYZE) ${t.table.qualified}?`,
  sql: (t) => `VACUUM (ANALYZE) ${t.table.qualified};`,
  details: (t) => [
    ...tableLines(t),
    'Removes dead tuples so their space is reused, and refreshes the planner statistics.',
    'Reads and writes go on meanwhile (it takes a SHARE UPDATE EXCLUSIVE lock).',
  ],
  run: async (ctx, t) => {
    const client = await ctx.client();
    const started = (await client.query<{ at: string }>('SELECT clock_timestamp()::text AS at')).rows[0]?.at ?? null;
    const done = await runMaintenance(ctx, `VACUUM (ANALYZE) ${t.table.qualified}`, (e) => explain(e, t, 'VACUUM'));
    return started === null ? done : `${done}${await leftBehind(client, t, started)}`;
  },
};

/** How long to wait for VACUUM's figures to reach the statistics (13 and 14: the statistics collector sends them on). */
const STATS_WAIT_MS = 2_000;

/**
 * "; 700 dead tuples not yet removable: the oldest xmin is held by pid 4711
 * (…): 12 xids, 1m05s old; K ends pid 4711 …", or "" when VACUUM removed
 * them all (or its figures did not arrive in time: then nothing is claimed).
 */
async function leftBehind(client: ClientBase, t: MaintenanceTarget, started: string): Promise<string> {
  let dead: number | null = null;
  const deadline = Date.now() + STATS_WAIT_MS;
  for (;;) {
    // A fresh look at the statistics each time, not the transaction's cached one.
    await client.query('SELECT pg_stat_clear_snapshot()');
    const row = (
      await client.query<{ dead: number; arrived: boolean | null }>(
        `SELECT pg_stat_get_dead_tuples(c.oid)::float8 AS dead,
                pg_stat_get_last_vacuum_time(c.oid) >= $2::timestamptz AS arrived
         FROM pg_class c WHERE c.oid = to_regclass($1)`,
        [t.table.qualified, started],
      )
    ).rows[0];
    // Vacuumed since this VACUUM began: the figures are its own.
    if (row?.arrived) {
      dead = row.dead;
      break;
    }
    if (!row || Date.now() >= deadline) return '';
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  if (!dead) return '';
  const holders = mapRows('horizon', (await client.query(sqlFor('horizon', t.serverVersionNum))).rows as RawRow[]);
  const holder = oldestHolder(holders, 'here');
  const why = holder ? `${horizonText(holder)}; ${holderRemedy(holder)}` : 'no holder of an old xmin is visible to this role';
  return `; ${dead} dead tuples not yet removable: ${why}`;
}

export const analyzeTable: ActionSpec<MaintenanceTarget> = {
  id: 'analyzeTable',
  danger: 'confirm',
  title: (t) => `ANALYZE ${t.table.qualified}?`,
  sql: (t) => `ANALYZE ${t.table.qualified};`,
  details: (t) => [...tableLines(t), 'Samples the table to refresh the planner statistics (and its size estimate).'],
  run: (ctx, t) => runMaintenance(ctx, `ANALYZE ${t.table.qualified}`, (e) => explain(e, t, 'ANALYZE')),
};

export const vacuumFull: ActionSpec<MaintenanceTarget> = {
  id: 'vacuumFull',
  danger: 'typed',
  title: (t) => `VACUUM FULL ${t.table.qualified}: rewrite the table to give its free space back to the operating system?`,
  sql: (t) => `VACUUM FULL ${t.table.qualified};`,
  details: (t) => [
    ...tableLines(t),
    'Takes an ACCESS EXCLUSIVE lock: nobody can read or write the table until it finishes,',
    'and it needs free disk space for a full copy of the table and its indexes.',
  ],
  // The name as the screen shows it: typing it proves the right table is selected.
  typeToConfirm: (t) => t.table.table,
  run: (ctx, t) => runMaintenance(ctx, `VACUUM FULL ${t.table.qualified}`, (e) => explain(e, t, 'VACUUM FULL')),
};

function reindexStatement(t: MaintenanceTarget): string {
  const concurrently = t.serverVersionNum >= 120000 ? ' CONCURRENTLY' : '';
  return t.index ? `REINDEX INDEX${concurrently} ${t.index.qualified}` : `REINDEX TABLE${concurrently} ${t.table.qualified}`;
}

export const reindex: ActionSpec<MaintenanceTarget> = {
  id: 'reindex',
  danger: 'confirm',
  title: (t) => (t.index ? `Rebuild index ${t.index.qualified}?` : `Rebuild every index of ${t.table.qualified}?`),
  sql: (t) => `${reindexStatement(t)};`,
  details: (t) => [
    ...tableLines(t),
    t.serverVersionNum >= 120000
      ? 'CONCURRENTLY: builds a new copy beside the old one, so reads and writes go on; it waits for running transactions.'
      : 'This server cannot reindex concurrently (12+): writes to the table wait until it finishes.',
  ],
  run: (ctx, t) => runMaintenance(ctx, reindexStatement(t), (e) => explain(e, t, 'REINDEX')),
};

/** The connected database, for VACUUM and ANALYZE of all its tables (the seed's "ANALYZE;"). */
export interface DatabaseTarget {
  database: string;
  /** Is it the database pgtop is connected to? VACUUM works on that one only. */
  current: boolean;
  /** The database pgtop is connected to, to say so. */
  connectedTo: string;
}

function refuseOtherDatabase(t: DatabaseTarget): string | null {
  return t.current ? null : `pgtop is connected to ${t.connectedTo}; VACUUM works there only: pgtop -d ${t.database} maintains ${t.database}`;
}

export const vacuumDatabase: ActionSpec<DatabaseTarget> = {
  id: 'vacuumDatabase',
  danger: 'confirm',
  title: (t) => `VACUUM (ANALYZE) every table of database ${t.database}?`,
  sql: () => 'VACUUM (ANALYZE);',
  details: (t) => [`database ${t.database}`, 'Every table this role may maintain, one after another; reads and writes go on meanwhile.'],
  refuse: refuseOtherDatabase,
  run: (ctx, t) => runMaintenance(ctx, 'VACUUM (ANALYZE)', (e) => e as Error, { done: `VACUUM (ANALYZE) of database ${t.database}`, wholeDatabase: true }),
};

export const analyzeDatabase: ActionSpec<DatabaseTarget> = {
  id: 'analyzeDatabase',
  danger: 'confirm',
  title: (t) => `ANALYZE every table of database ${t.database}?`,
  sql: () => 'ANALYZE;',
  details: (t) => [`database ${t.database}`, 'Refreshes the planner statistics (and size estimates) of every table this role may analyze.'],
  refuse: refuseOtherDatabase,
  run: (ctx, t) => runMaintenance(ctx, 'ANALYZE', (e) => e as Error, { done: `ANALYZE of database ${t.database}`, wholeDatabase: true }),
};

interface RunOptions {
  /** What the status line calls it when done; default: the statement. */
  done?: string;
  /** A whole database: tables the role may not maintain are skipped, and that is said, not failed. */
  wholeDatabase?: boolean;
}

async function runMaintenance(ctx: ActionRunContext, statement: string, explainError: (error: unknown) => Error, options: RunOptions = {}): Promise<string> {
  const client = await ctx.client();
  const pid = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]?.pid ?? 0;
  // VACUUM and ANALYZE skip a table the role may not maintain with a WARNING, not an error.
  const warnings: string[] = [];
  const onNotice = (notice: { severity?: string; message?: string }) => {
    if (notice.severity === 'WARNING') warnings.push(notice.message ?? '');
  };
  client.on('notice', onNotice);
  const watch = watchProgress(ctx, pid, statement);
  const started = Date.now();
  try {
    await client.query(statement);
  } catch (error) {
    throw explainError(error);
  } finally {
    client.off('notice', onNotice);
    await watch.stop();
  }
  const done = `${options.done ?? statement} done in ${millis(Date.now() - started)}`;
  if (warnings.length === 0) return done;
  if (!options.wholeDatabase) throw new ActionError(`the server skipped it: ${warnings.join('; ')}`);
  return `${done}; skipped ${warnings.length} table(s) this role may not maintain (${warnings[0]})`;
}

/** The server's error, said so a person knows what happened and that nothing is half done. */
function explain(error: unknown, target: MaintenanceTarget, verb: string): Error {
  const code = sqlState(error);
  const subject = target.index && verb === 'REINDEX' ? `index ${target.index.qualified}` : `table ${target.table.qualified}`;
  if (code === '42P01' || code === '42704') {
    return new ActionError(`${subject} no longer exists (dropped or renamed since the last refresh); nothing was run`);
  }
  if (code === '55P03') {
    const leftover =
      verb === 'REINDEX' && target.serverVersionNum >= 120000
        ? '; if it got as far as building, an invalid index named …_ccnew is left behind (sizes flags it invalid): drop it'
        : '; nothing was changed';
    return new ActionError(`lock timeout: another session holds a lock on ${subject} that ${verb} must wait for, and pgtop gave up after the actions connection's lock_timeout${leftover}`);
  }
  return error instanceof Error ? error : new Error(oneLine(error));
}

interface ProgressWatch {
  stop(): Promise<void>;
}

/**
 * Elapsed time in the status line every half second; after the first
 * second, the server's progress for the action's backend, read on a
 * connection of its own (the actions connection is busy running it).
 */
function watchProgress(ctx: ActionRunContext, pid: number, statement: string): ProgressWatch {
  const started = Date.now();
  let session: PgConnection | null = null;
  let opening: Promise<void> | null = null;
  let detail = '';
  let stopped = false;
  let busy = false;
  const tick = async () => {
    if (busy || stopped) return;
    busy = true;
    try {
      const elapsed = Date.now() - started;
      if (!session && !opening && ctx.env.connection && elapsed >= PROGRESS_CONNECT_AFTER_MS) {
        opening = openConnection(ctx.env.connection, { purpose: 'monitor' })
          .then((s) => {
            if (stopped) void s.close();
            else session = s;
          })
          .catch(() => undefined); // no progress detail, elapsed time still shows
      }
      if (session) detail = await readProgress(session, pid).catch(() => detail);
      if (!stopped) ctx.progress(`running ${statement}: ${duration(elapsed / 1000)}${detail ? ` · ${detail}` : ''}`);
    } finally {
      busy = false;
    }
  };
  const timer = setInterval(() => void tick(), PROGRESS_EVERY_MS);
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await opening;
      const open = session;
      session = null;
      await open?.close();
    },
  };
}

async function readProgress(session: PgConnection, pid: number): Promise<string> {
  const result = await session.client.query(sqlFor('bloatProgress', session.serverVersionNum));
  const mine = mapRows('bloatProgress', result.rows as RawRow[]).find((p) => p.pid === pid);
  return mine ? progressText(mine) : '';
}
