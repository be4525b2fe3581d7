// Benchmark (not a test): the server time of the sizes, bloat, health and
// config queries, as shipped, on a throwaway database of 10 000 tables (each
// with a primary key and a TOAST table, 1 000 of them with rows), next to
// what the naive alternatives cost. Run with `npm run bench:queries`; the
// figures go in the README (BENCH_TABLES=100 for a small database).
// EXPLAIN (ANALYZE, TIMING OFF), median of BENCH_ROUNDS (default 9) rounds in
// which every query runs once, so a busy moment of the machine hits all of
// them alike. Autovacuum is off so it does not analyze the new tables meanwhile.
import { loadavg } from 'node:os';
import pg from 'pg';
import { sqlFor, type QueryId } from '../src/db/registry.js';
import { startLocalCluster, stopAllOnExit } from '../src/localcluster/cluster.js';

const rounds = Number(process.env.BENCH_ROUNDS ?? 9);
const TABLES = Number(process.env.BENCH_TABLES ?? 10_000);

const NAIVE: Record<string, string> = {
  'tables with pg_table_size/pg_indexes_size/pg_total_relation_size': `
    SELECT n.nspname, c.relname, pg_table_size(c.oid), pg_indexes_size(c.oid),
           CASE WHEN c.reltoastrelid <> 0 THEN pg_total_relation_size(c.reltoastrelid) END, pg_total_relation_size(c.oid)
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind IN ('r', 'm') AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname !~ '^pg_(toast|temp_)'`,
  'SELECT * FROM pg_stat_user_tables': 'SELECT * FROM pg_stat_user_tables',
};
const SHIPPED: QueryId[] = ['sizeTables', 'sizeIndexes', 'sizeDatabases', 'bloatTables', 'bloatOverview', 'bloatProgress', 'health', 'config'];

const cluster = await startLocalCluster({ settings: { autovacuum: 'off' } });
stopAllOnExit(cluster);
const client = new pg.Client({ host: cluster.host, port: cluster.port, user: cluster.user, password: cluster.password, database: 'postgres' });
await client.connect();
try {
  await client.query(`DO $$ BEGIN FOR i IN 1..${TABLES} LOOP EXECUTE format('CREATE TABLE t%s (id int PRIMARY KEY, v text)', i); END LOOP; END $$`);
  await client.query(`DO $$ BEGIN FOR i IN 1..${TABLES} BY 10 LOOP EXECUTE format('INSERT INTO t%s SELECT g, repeat(''x'', 100) FROM generate_series(1, 100) g', i); END LOOP; END $$`);
  await client.query('ANALYZE');
  const queries: Record<string, string> = {
    ...Object.fromEntries(SHIPPED.map((id) => [id, sqlFor(id, cluster.serverVersionNum)])),
    ...NAIVE,
  };
  const rowCounts: Record<string, number> = {};
  for (const [name, sql] of Object.entries(queries)) rowCounts[name] = (await client.query(sql)).rowCount ?? 0; // warms the caches too
  const times: Record<string, number[]> = {};
  for (let round = 0; round < rounds; round++) {
    for (const [name, sql] of Object.entries(queries)) {
      const plan = (await client.query(`EXPLAIN (ANALYZE, TIMING OFF, FORMAT JSON) ${sql}`)).rows[0]['QUERY PLAN'][0];
      (times[name] ??= []).push(plan['Execution Time'] + plan['Planning Time']);
    }
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  console.log(`PostgreSQL ${cluster.serverVersionNum}, ${TABLES} tables, load average ${loadavg()[0]!.toFixed(1)}`);
  for (const name of Object.keys(queries)) {
    console.log(`${name.padEnd(68)} ${String(rowCounts[name]).padStart(6)} rows ${median(times[name]!).toFixed(1).padStart(7)} ms`);
  }
} finally {
  await client.end();
  await cluster.stop();
}
