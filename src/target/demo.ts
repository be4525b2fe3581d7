// The demo as a connection target: pgtop connects to the demo database as
// its superuser, and closing the target stops the workload and the server
// and removes every file.
import type { ResolvedConnection } from '../db/connection-options.js';
import { startDemo, type Demo, type DemoOptions } from '../demo/demo.js';
import type { ConnectionTarget } from './target.js';

export async function openDemoTarget(options: DemoOptions, env: NodeJS.ProcessEnv = process.env): Promise<ConnectionTarget> {
  if (process.stderr.isTTY) process.stderr.write('pgtop: starting a throwaway PostgreSQL with a demo workload…\n');
  const demo = await startDemo(options);
  const connection = demoConnection(demo, env.PGAPPNAME || 'pgtop');
  return {
    connection,
    label: `demo ${connection.describe} (throwaway, removed on quit)`,
    backupDir: demo.backupDir,
    close: demo.stop,
  };
}

/** How pgtop (and the tests) connect to a running demo: its superuser, over TCP on loopback. */
export function demoConnection(demo: Demo, applicationName: string): ResolvedConnection {
  const { cluster } = demo;
  return {
    host: cluster.host,
    port: cluster.port,
    user: cluster.user,
    database: demo.database,
    password: cluster.password,
    sslMode: 'disable',
    applicationName,
    describe: `${cluster.host}:${cluster.port}`,
  };
}
