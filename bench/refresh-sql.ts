// What each statement of pgtop's refresh costs the server (not a test): the
// header's, the activity screen's and the locks screen's SQL, as shipped,
// run BENCH_RUNS times (default 50) on the large scale's server (2 000
// tables, 300 sessions, 10 waiting on a lock) as a pg_monitor role, with
// pg_stat_statements' mean execution time of each. Server time is CPU of
// the backend, so ratios hold on a loaded machine better than wall times.
//
//   vite-node bench/refresh-sql.ts [extra.sql…]   (a file of one statement: tried beside them)
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { sessionSettingsSql } from '../src/db/connection.js';
import { sqlFor } from '../src/db/registry.js';
import { startLocalCluster, stopAllOnExit } from '../src/localcluster/cluster.js';
import { BENCH_DATABASE, createExtension, createMonitorRole, createSchema, SCALES, startWorkload, superuserClient } from './dashboard/workload.js';

const runs = Number(process.env.BENCH_RUNS ?? 50);
const cluster = await startLocalCluster({ settings: { 'pg_stat_statements.max': '20000' } });
stopAllOnExit(cluster);
const password = randomBytes(18).toString('base64url');
try {
  await createExtension(cluster);
  await createMonitorRole(cluster, 'bench_sql', password);
  const scale = SCALES.large;
  await createSchema(cluster, scale.tables);
  const workload = await startWorkload(cluster, scale, 600_000);
  try {
    const monitor = new pg.Client({ host: cluster.host, port: cluster.port, user: 'bench_sql', password, database: BENCH_DATABASE });
    await monitor.connect();
    await monitor.query(sessionSettingsSql('monitor'));
    const version = (await monitor.query<{ v: number }>('SELECT current_setting(\'server_version_num\')::int AS v')).rows[0]!.v;
    const statements: [string, string][] = [
      ['header', sqlFor('header', version)],
      ['activity', sqlFor('activity', version)],
      ['locks', sqlFor('locks', version)],
      ...process.argv.slice(2).map((file) => [path.basename(file), readFileSync(file, 'utf8')] as [string, string]),
    ];
    const admin = superuserClient(cluster, 'postgres', 'bench-stats');
    await admin.connect();
    // Twice: the first pass runs while the workload's sessions are still starting; the second is reported.
    for (const [pass, [name, sql]] of [...statements, ...statements].entries()) {
      await monitor.query(sql); // planned and cached once
      await admin.query('SELECT pg_stat_statements_reset()');
      for (let i = 0; i < runs; i += 1) await monitor.query(sql);
      const r = await admin.query<{ calls: string; mean: number; rows: string }>(
        `SELECT sum(calls) AS calls, sum(total_exec_time) / sum(calls) AS mean, sum(rows) / sum(calls) AS rows
         FROM pg_stat_statements s JOIN pg_roles r ON r.oid = s.userid WHERE r.rolname = 'bench_sql' AND s.toplevel`,
      );
      const row = r.rows[0]!;
      // A file of several statements (one round trip): each statement's own figure too.
      const each = await admin.query<{ query: string; mean: number }>(
        `SELECT left(regexp_replace(s.query, '\\s+', ' ', 'g'), 40) AS query, s.total_exec_time / s.calls AS mean
         FROM pg_stat_statements s JOIN pg_roles r ON r.oid = s.userid WHERE r.rolname = 'bench_sql' AND s.toplevel ORDER BY s.query`,
      );
      if (pass >= statements.length && each.rows.length > 1) for (const e of each.rows) console.log(`  ${Number(e.mean).toFixed(3)} ms  ${e.query}`);
      if (pass >= statements.length) console.log(`${name.padEnd(24)} ${Number(row.mean).toFixed(3)} ms exec, ${Number(row.rows).toFixed(0)} rows (mean of ${row.calls})`);
    }
    await admin.end();
    await monitor.end();
  } finally {
    await workload.stop();
  }
} finally {
  await cluster.stop();
}
