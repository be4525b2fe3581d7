// Benchmark (not a test): what the statements list costs when pg_stat_statements
// holds six statements of 30 MB each (BENCH_MB) among a few hundred ordinary
// ones, as shipped and as the alternatives would. Run with
// `npm run bench:statements` after `npm run build`; the figures go in the README.
//   server: mean execution time of the query itself, from pg_stat_statements
//   client: median wall time of BENCH_ROUNDS runs, bytes the server sent for one
//           run, and the largest RSS of a client process that only runs it
//   --once: wall time and largest RSS of `pgtop --once --screen statements`
// Reading any text (pg_stat_statements(true)) makes the server load the whole
// texts file and copy every text, whatever the query keeps of it: the list
// reads none (the stats only), and the first 400 characters of the statements
// new to it once.
import { spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';
import pg from 'pg';
import { statementTextParams, QUERY_PREFIX_CHARS } from '../src/db/queries/statements/texts.js';
import { sqlFor } from '../src/db/registry.js';
import { withExtensionSchema } from '../src/db/variants.js';
import { startLocalCluster, stopAllOnExit } from '../src/localcluster/cluster.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const BIG = Number(process.env.BENCH_MB ?? 30) * 1024 * 1024;
const ROOT = new URL('..', import.meta.url).pathname;

const cluster = await startLocalCluster();
stopAllOnExit(cluster);
const conn = { host: cluster.host, port: cluster.port, user: cluster.user, password: cluster.password, database: 'postgres' };
const client = new pg.Client(conn);
await client.connect();
try {
  await client.query('CREATE EXTENSION pg_stat_statements');
  const variant = Number((await client.query("SELECT (regexp_match(extversion, '^(\\d+)\\.(\\d+)'))[1]::int * 10000 + (regexp_match(extversion, '^(\\d+)\\.(\\d+)'))[2]::int * 100 AS v FROM pg_extension WHERE extname = 'pg_stat_statements'")).rows[0].v);
  await client.query('CREATE TABLE t (id int PRIMARY KEY, v text)');
  for (let i = 1; i <= 300; i++) await client.query(`SELECT id${', v'.repeat(i % 30)} FROM t WHERE id = $1${' OR id = 1'.repeat(Math.floor(i / 30))}`, [i]);
  if (BIG > 0) {
    const comment = `/* ${'x'.repeat(BIG)} */`;
    for (let columns = 1; columns <= 6; columns++) await client.query(`SELECT ${Array.from({ length: columns }, (_, i) => i + 1).join(', ')} ${comment}`);
  }

  const list = withExtensionSchema(sqlFor('statements', variant), 'public')!;
  const texts = withExtensionSchema(sqlFor('statementTexts', variant), 'public')!;
  const listed = (await client.query(list)).rows.filter((r) => r.queryid !== null);
  const refs = listed.map((r) => ({ userId: r.userid, dbId: r.dbid, queryId: r.queryid, toplevel: r.toplevel }));
  const bigId = (await client.query('SELECT queryid::text AS q FROM public.pg_stat_statements(true) ORDER BY length(query) DESC LIMIT 1')).rows[0].q as string;
  const biggest = refs.filter((r) => r.queryId === bigId);
  // The alternatives, made from the shipped list query.
  const withTexts = (column: string) =>
    list
      .replace('pg_stat_statements(false) s', 'pg_stat_statements(true) s')
      .replace(/(toplevel, )(s\.calls)/, `$1${column} AS query, length(s.query) AS query_length, $2`)
      .replace('u.rolname AS user_name,', 'u.rolname AS user_name, r.query, r.query_length,');
  const shapes: { name: string; sql: string; params?: unknown[] }[] = [
    { name: 'shipped: list, no texts (every refresh)', sql: list },
    { name: `shipped: ${QUERY_PREFIX_CHARS} chars of ${refs.length} new statements (once each)`, sql: texts, params: statementTextParams(refs, QUERY_PREFIX_CHARS) },
    { name: 'shipped: one whole text (Enter)', sql: texts, params: statementTextParams(biggest, null) },
    { name: `alternative: list with left(query, ${QUERY_PREFIX_CHARS}) every refresh`, sql: withTexts(`left(s.query, ${QUERY_PREFIX_CHARS})`) },
    { name: 'before: list with whole texts every refresh', sql: withTexts('s.query') },
  ];
  console.log(`PostgreSQL ${cluster.serverVersionNum}, pg_stat_statements ${variant}, ${listed.length} listed, six texts of ${BIG / 1024 / 1024} MB, load average ${loadavg()[0]!.toFixed(1)}`);
  for (const [i, shape] of shapes.entries()) {
    // A role per shape: its own pg_stat_statements entries (a comment would not tell two runs of one query apart).
    const role = `bench_${i}`;
    await client.query(`CREATE ROLE ${role} LOGIN PASSWORD '${role}' IN ROLE pg_read_all_stats`);
    const tagged = shape.sql;
    const child = `
      import pg from 'pg';
      const c = new pg.Client(${JSON.stringify({ ...conn, user: role, password: role })}); await c.connect();
      await c.query("SET statement_timeout = 0");
      const sock = c.connection.stream; const times = []; let bytes = 0;
      for (let i = 0; i < ${ROUNDS}; i++) { const b = sock.bytesRead; const s = performance.now(); await c.query(${JSON.stringify(tagged)}, ${JSON.stringify(shape.params ?? [])}); times.push(performance.now() - s); bytes = sock.bytesRead - b; }
      times.sort((a, b) => a - b);
      console.log(JSON.stringify({ ms: times[Math.floor(times.length / 2)], bytes }));
      await c.end();`;
    const run = spawnSync('/usr/bin/time', ['-f', '%M', process.execPath, '--input-type=module', '-e', child], { cwd: ROOT, encoding: 'utf8' });
    const measured = JSON.parse(run.stdout.trim()) as { ms: number; bytes: number };
    const rssMb = Number(run.stderr.trim().split('\n').at(-1)) / 1024;
    const server = (await client.query(`SELECT s.mean_exec_time AS ms FROM public.pg_stat_statements(false) s JOIN pg_roles r ON r.oid = s.userid WHERE r.rolname = $1 ORDER BY s.total_exec_time DESC LIMIT 1`, [role])).rows[0]?.ms as number;
    console.log(
      `${shape.name.padEnd(62)} server ${server.toFixed(0).padStart(6)} ms  client ${measured.ms.toFixed(0).padStart(6)} ms ${(measured.bytes / 1024).toFixed(0).padStart(8)} kB  rss ${rssMb.toFixed(0).padStart(4)} MB`,
    );
  }
  // BENCH_BEFORE: another built checkout (the commit before, say) whose --once runs too, for comparison.
  const checkouts = [ROOT, ...(process.env.BENCH_BEFORE ? [process.env.BENCH_BEFORE] : [])];
  for (const [root, args] of checkouts.flatMap((root) => [['--once', '--screen', 'statements'], ['--once', '--json', '--screen', 'statements']].map((a) => [root, a] as const))) {
    const run = spawnSync('/usr/bin/time', ['-f', '%e %M', process.execPath, 'bin/pgtop.js', ...args, '-h', cluster.host, '-p', String(cluster.port), '-U', cluster.user, '-d', 'postgres'], {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, PGPASSWORD: cluster.password },
      maxBuffer: 1 << 30,
    });
    const [wall, rss] = run.stderr.trim().split('\n').at(-1)!.split(' ').map(Number);
    const notRead = run.stdout.includes('texts not read') || run.stdout.includes('"textError": "canceling');
    console.log(`${root === ROOT ? 'pgtop' : 'before'} ${args.join(' ').padEnd(56)} exit ${run.status}  ${wall!.toFixed(2)} s  rss ${(rss! / 1024).toFixed(0)} MB  ${(run.stdout.length / 1024).toFixed(0)} kB out${notRead ? '  (texts not read: past the 3 s timeout)' : ''}`);
  }
} finally {
  await client.end();
  await cluster.stop();
}
