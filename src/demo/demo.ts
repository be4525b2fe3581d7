// `pgtop --demo`: a throwaway PostgreSQL on a free local port, the demo
// database, and its workload. Everything lives in one temporary directory
// that is removed when pgtop quits, and also on Ctrl-C, SIGTERM or a crash
// (stopAllOnExit). Startup is about 1.5 s: initdb and start ~1 s, the data
// ~0.3 s, the lock scenario ~0.1 s.
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import pg from 'pg';
import { PgtopError } from '../errors.js';
import { findServerBinaries, startLocalCluster, stopAllOnExit, type LocalCluster } from '../localcluster/cluster.js';
import { DEMO_DATABASE, rolesSql, SCHEMA_SQL, statementsSql, type DemoPasswords } from './schema.js';
import { startWorkload, type Workload } from './workload.js';

export interface DemoOptions {
  /**
   * Create pg_stat_statements in the demo database (the dashboard demo). The
   * guided session's demo leaves it out: enabling it is one of its steps.
   */
  enableStatements: boolean;
  /** Server binaries; default findServerBinaries() (see README "Demo" for why). */
  binDir?: string;
  /** Pause before the lock scenario starts again after its blocker ended. */
  lockRestartMs?: number;
}

export interface Demo {
  cluster: LocalCluster;
  database: string;
  /** Where the guided session's backups of the demo go: inside the demo's directory, removed with it. */
  backupDir: string;
  /** Stops the workload and the server and removes the directory; safe to call twice. */
  stop(): Promise<void>;
}

const READY_TIMEOUT_MS = 3_000;

export async function startDemo(options: DemoOptions): Promise<Demo> {
  // Ctrl-C while the server is being made must not kill pgtop half-way (that
  // would leave the directory behind): note it, let initdb or pg_ctl fail
  // (they get the signal too), clean up, and stop with a clear line.
  let interrupted = false;
  const onSignal = () => {
    interrupted = true;
  };
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
  for (const signal of signals) process.on(signal, onSignal);
  try {
    return await startDemoServer(options, () => interrupted);
  } finally {
    for (const signal of signals) process.off(signal, onSignal);
  }
}

async function startDemoServer(options: DemoOptions, interrupted: () => boolean): Promise<Demo> {
  let cluster: LocalCluster;
  try {
    // A server's usual connection limit (the test cluster's 400 is for benchmarks).
    cluster = await startLocalCluster({ binDir: options.binDir ?? findServerBinaries().binDir, settings: { max_connections: '100' } });
  } catch (error) {
    if (interrupted()) throw new PgtopError('interrupted while the demo server was starting; nothing was left behind');
    throw error;
  }
  const removeExitHandlers = stopAllOnExit(cluster);
  let workload: Workload | undefined;
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      try {
        await workload?.stop();
        await cluster.stop();
      } finally {
        removeExitHandlers();
      }
    })());

  try {
    const passwords: DemoPasswords = { shopApp: secret(), shopReporting: secret(), legacyAdmin: secret() };
    await withClient(cluster, 'postgres', async (c) => {
      for (const sql of rolesSql(passwords, (v) => c.escapeLiteral(v))) await c.query(sql);
    });
    await withClient(cluster, DEMO_DATABASE, async (c) => {
      await c.query(SCHEMA_SQL);
      for (const sql of statementsSql(options.enableStatements)) await c.query(sql);
    });
    workload = startWorkload(
      { host: cluster.host, port: cluster.port, database: DEMO_DATABASE },
      {
        app: { user: 'shop_app', password: passwords.shopApp },
        reporting: { user: 'shop_reporting', password: passwords.shopReporting },
        lockRestartMs: options.lockRestartMs,
      },
    );
    // The dashboard should open on the lock tree, but never wait long for it.
    await Promise.race([workload.ready, new Promise((resolve) => setTimeout(resolve, READY_TIMEOUT_MS).unref())]);
    if (interrupted()) throw new PgtopError('interrupted while the demo was starting; its server was stopped and removed');
    return { cluster, database: DEMO_DATABASE, backupDir: path.join(path.dirname(cluster.dataDir), 'backups'), stop };
  } catch (error) {
    await stop();
    if (interrupted() && !(error instanceof PgtopError)) throw new PgtopError('interrupted while the demo was starting; its server was stopped and removed');
    throw error;
  }
}

function secret(): string {
  return randomBytes(18).toString('base64url');
}

async function withClient(cluster: LocalCluster, database: string, fn: (client: pg.Client) => Promise<void>): Promise<void> {
  const client = new pg.Client({ host: cluster.host, port: cluster.port, user: cluster.user, password: cluster.password, database });
  // A server stopped under it (Ctrl-C reaches postgres too) fails the query; it must not crash pgtop as well.
  client.on('error', () => undefined);
  await client.connect();
  try {
    await fn(client);
  } finally {
    await client.end();
  }
}
