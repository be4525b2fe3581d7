// Vitest global setup: one throwaway PostgreSQL cluster for the whole run,
// shared by integration and e2e tests (each in its own database or roles).
import pg from 'pg';
import type { TestProject } from 'vitest/node';

import { startLocalCluster, stopAllOnExit } from '../../src/localcluster/cluster.js';
import type { PgInfo } from './pg.js';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const cluster = await startLocalCluster();
  // If vitest dies before teardown (Ctrl-C, a crash), still leave no server behind.
  const removeExitHandlers = stopAllOnExit(cluster);
  const teardown = async (): Promise<void> => {
    removeExitHandlers();
    await cluster.stop();
  };

  try {
    const client = new pg.Client({
      host: cluster.host,
      port: cluster.port,
      user: cluster.user,
      password: cluster.password,
      database: cluster.database,
    });
    await client.connect();
    try {
      await client.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
    } finally {
      await client.end();
    }
  } catch (error) {
    await teardown();
    throw error;
  }

  const info: PgInfo = {
    host: cluster.host,
    port: cluster.port,
    user: cluster.user,
    password: cluster.password,
    database: cluster.database,
    binDir: cluster.binDir,
    dataDir: cluster.dataDir,
    logFile: cluster.logFile,
    majorVersion: cluster.majorVersion,
    serverVersionNum: cluster.serverVersionNum,
  };
  project.provide('pg', info);
  return teardown;
}
