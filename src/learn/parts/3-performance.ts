// Part 3 of the seed's administration session: performance monitoring and
// tuning. Data only (see ../types.ts). Every query here is the seed's, fixed.
import type { Part } from '../types.js';

export const performancePart: Part = {
  number: 3,
  id: 'performance',
  title: 'Performance monitoring',
  minutes: 12,
  intro:
    'Where does the time go? Which statements, which sessions, which locks, how much memory. The dashboard screens show all of it live; here you see the queries behind them.',
  params: [
    {
      // pgtop runs with search_path = pg_catalog, pg_temp (nothing another role can plant in): the view is named with the schema it lives in.
      name: 'statements_view',
      sql: `SELECT format('%I.pg_stat_statements', n.nspname)
  FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
 WHERE e.extname = 'pg_stat_statements'`,
      missing: 'pg_stat_statements is not created in {database} yet: step 3.1 creates it',
    },
  ],
  steps: [
    {
      id: 'performance.statements',
      title: 'Turn on pg_stat_statements',
      explain:
        'pg_stat_statements counts every statement the server runs: calls, total and mean time, rows, cache hits. ' +
        "It needs two things: the library in shared_preload_libraries (a server restart) and the extension created in " +
        'the database you query it from. This step creates the extension; the check says whether the library is loaded.\n\n' +
        'It names the schema, public: pgtop runs with search_path set to pg_catalog alone (so that no function another role ' +
        'planted in public is ever picked by its queries), and an extension goes to the first schema of the search_path.',
      seedFix:
        'The seed only runs CREATE EXTENSION. Without the library preloaded, that succeeds and every query of the view ' +
        "then fails with 'pg_stat_statements must be loaded via shared_preload_libraries'.",
      screen: 'statements',
      action: {
        kind: 'change',
        statements: [
          {
            sql: 'CREATE EXTENSION pg_stat_statements SCHEMA public',
            unless: "SELECT 1 FROM pg_extension WHERE extname = 'pg_stat_statements'",
            creates: { label: 'extension pg_stat_statements', undo: ['DROP EXTENSION pg_stat_statements'] },
          },
        ],
      },
      checks: [
        {
          kind: 'sql',
          criterion: 'pg_stat_statements is enabled (library loaded, extension created in {database})',
          sql: `WITH s AS (
  SELECT 'pg_stat_statements' = ANY (string_to_array(replace(current_setting('shared_preload_libraries'), ' ', ''), ',')) AS loaded,
         EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_stat_statements') AS created
)
SELECT loaded AND created AS ok,
       CASE WHEN NOT loaded THEN 'not in shared_preload_libraries: add it in postgresql.conf and restart the server'
            WHEN NOT created THEN 'the library is loaded, but the extension is not created in this database'
            ELSE 'loaded and created: the statements screen shows what it counts' END AS reason
  FROM s`,
        },
      ],
    },
    {
      id: 'performance.sessions',
      title: 'Who is connected, and what they are doing',
      explain:
        "Every session that is not idle, oldest transaction first. Watch the 'idle in transaction' ones: they do " +
        'nothing, yet hold their locks and keep VACUUM from removing dead rows for as long as they stay open.',
      seedFix:
        "The seed's state = 'active' hides exactly those idle-in-transaction sessions, and its 'oldest_connection' is " +
        'max(backend_start): the newest. min() is the oldest.',
      screen: 'activity',
      action: {
        kind: 'query',
        sql: [
          {
            minVersion: 0,
            sql: `SELECT pid, usename AS user, application_name AS app, client_addr AS client, state,
       date_trunc('second', now() - xact_start) AS xact_age, date_trunc('second', now() - query_start) AS query_age,
       wait_event_type || ':' || wait_event AS waiting, left(regexp_replace(query, '\\s+', ' ', 'g'), 60) AS query
  FROM pg_stat_activity
 WHERE backend_type = 'client backend' AND state <> 'idle' AND pid <> pg_backend_pid()
 ORDER BY xact_start NULLS LAST`,
          },
        ],
      },
    },
    {
      id: 'performance.locks',
      title: 'Who blocks whom',
      explain:
        'pg_blocking_pids(pid) names the sessions a waiting session waits for. A blocker that is idle in transaction ' +
        'will never finish by itself: on the locks screen, select it and press K to end it (after y/n).',
      seedFix:
        "The seed's 'lock conflicts' query joins pg_locks to itself on locktype only: every waiting lock pairs with " +
        'every lock of the same type, including its own, so it lists innocent sessions as blockers. pg_blocking_pids() ' +
        '(PostgreSQL 9.6+) knows the real conflicts, queue order included.',
      screen: 'locks',
      action: {
        kind: 'query',
        sql: [
          {
            minVersion: 0,
            sql: `WITH waiting AS (
  SELECT pid, usename, query_start, query FROM pg_stat_activity WHERE wait_event_type = 'Lock'
)
SELECT w.pid AS waiting_pid, w.usename AS waiting_user, date_trunc('second', now() - w.query_start) AS waiting_for,
       b.pid AS blocking_pid, b.usename AS blocking_user, b.state AS blocking_state,
       left(regexp_replace(b.query, '\\s+', ' ', 'g'), 50) AS blocking_query
  FROM waiting w
  CROSS JOIN LATERAL unnest(pg_blocking_pids(w.pid)) AS blocker(pid)
  JOIN pg_stat_activity b ON b.pid = blocker.pid
 ORDER BY waiting_for DESC`,
          },
        ],
      },
    },
    {
      id: 'performance.idle-timeout',
      title: 'Stop idle transactions from holding locks forever',
      explain:
        'idle_in_transaction_session_timeout ends a session that sits in an open transaction doing nothing for longer ' +
        'than the limit, releasing its locks. Set for {database}, it applies to sessions that connect from now on ' +
        '(the blocker already there keeps running until you end it). Five minutes leaves room for slow clients.',
      seedFix: 'The seed finds long-running queries but never prevents the worst kind: the transaction nobody closes.',
      screen: 'locks',
      action: {
        kind: 'change',
        statements: [
          {
            sql: "ALTER DATABASE {database} SET idle_in_transaction_session_timeout = '5min'",
            unless: `SELECT 1 FROM pg_db_role_setting s, unnest(s.setconfig) AS c
 WHERE s.setrole = 0 AND s.setdatabase = (SELECT oid FROM pg_database WHERE datname = current_database())
   AND c LIKE 'idle_in_transaction_session_timeout=%'`,
            creates: {
              label: 'idle_in_transaction_session_timeout on {database}',
              undo: ['ALTER DATABASE {database} RESET idle_in_transaction_session_timeout'],
            },
          },
        ],
      },
      checks: [
        {
          kind: 'sql',
          criterion: 'sessions idle in transaction in {database} are ended after a timeout',
          sql: `WITH db AS (
  SELECT split_part(c, '=', 2) AS value
    FROM pg_db_role_setting s, unnest(s.setconfig) AS c
   WHERE s.setrole = 0 AND s.setdatabase = (SELECT oid FROM pg_database WHERE datname = current_database())
     AND c LIKE 'idle_in_transaction_session_timeout=%'
)
SELECT coalesce((SELECT value NOT IN ('0', '0ms') FROM db), current_setting('idle_in_transaction_session_timeout') <> '0') AS ok,
       coalesce('set for this database: ' || (SELECT value FROM db),
                'server-wide: ' || current_setting('idle_in_transaction_session_timeout') || ' (0 = never)') AS reason`,
        },
      ],
    },
    {
      id: 'performance.databases',
      title: 'Databases: size, connections, cache hit ratio',
      explain:
        "The cache hit ratio is the share of block reads served from PostgreSQL's shared buffers. Below about 99 % on a " +
        'busy OLTP database, the working set may not fit in shared_buffers (a read from the OS page cache still counts as a miss).',
      seedFix:
        'blks_hit / (blks_hit + blks_read) divides by zero for a database nobody has read yet; nullif() makes that NULL. ' +
        'And round() has no (double precision, integer) form: the seed’s ::float then round(…, 2) fails; numeric works.',
      screen: 'health',
      action: {
        kind: 'query',
        sql: [
          {
            minVersion: 0,
            sql: `SELECT d.datname AS database, pg_size_pretty(pg_database_size(d.oid)) AS size, s.numbackends AS connections,
       round(100.0 * s.blks_hit / nullif(s.blks_hit + s.blks_read, 0), 2) AS cache_hit_pct,
       s.xact_commit AS commits, s.xact_rollback AS rollbacks, s.deadlocks
  FROM pg_database d JOIN pg_stat_database s ON s.datid = d.oid
 WHERE d.datallowconn AND NOT d.datistemplate
 ORDER BY pg_database_size(d.oid) DESC`,
          },
        ],
      },
    },
    {
      id: 'performance.tables',
      title: 'The biggest tables, and what their size is made of',
      explain:
        'A table is its heap (the rows), its indexes, and TOAST (long values stored aside). An index part much larger ' +
        'than the heap usually means too many indexes, or bloated ones.',
      seedFix:
        "schemaname||'.'||tablename breaks on any name that needs quotes (\"Orders\", my-table), and the seed's " +
        "'index_size' was total minus heap, which counts TOAST as index. The table's oid and pg_indexes_size() avoid both.",
      screen: 'sizes',
      action: {
        kind: 'query',
        sql: [
          {
            minVersion: 0,
            sql: `SELECT format('%I.%I', n.nspname, c.relname) AS table,
       pg_size_pretty(pg_total_relation_size(c.oid)) AS total, pg_size_pretty(pg_relation_size(c.oid)) AS heap,
       pg_size_pretty(pg_indexes_size(c.oid)) AS indexes,
       pg_size_pretty(pg_total_relation_size(c.oid) - pg_relation_size(c.oid) - pg_indexes_size(c.oid)) AS toast
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE c.relkind IN ('r', 'p', 'm') AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname !~ '^pg_toast'
 ORDER BY pg_total_relation_size(c.oid) DESC
 LIMIT 20`,
          },
        ],
      },
    },
    {
      id: 'performance.top-statements',
      title: 'The statements that cost the most',
      explain:
        'Sorted by total time: where the server spends its time. A 2 ms query run a million times costs more than a ' +
        '2 s report run once; the mean alone hides it. hit_pct is the cache hit ratio of each statement.',
      seedFix:
        'PostgreSQL 13 renamed total_time, mean_time and stddev_time to total_exec_time, mean_exec_time and ' +
        "stddev_exec_time (planning has its own columns since): the seed's query fails on every current server. pgtop " +
        'picks the names by server version.',
      screen: 'statements',
      action: {
        kind: 'query',
        sql: [
          {
            minVersion: 130000,
            sql: `SELECT left(regexp_replace(query, '\\s+', ' ', 'g'), 60) AS query, calls,
       round(total_exec_time::numeric, 1) AS total_ms, round(mean_exec_time::numeric, 2) AS mean_ms,
       round(stddev_exec_time::numeric, 2) AS stddev_ms, rows,
       round(100.0 * shared_blks_hit / nullif(shared_blks_hit + shared_blks_read, 0), 1) AS hit_pct
  FROM {statements_view}
 WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
 ORDER BY total_exec_time DESC
 LIMIT 10`,
          },
          {
            minVersion: 0,
            sql: `SELECT left(regexp_replace(query, '\\s+', ' ', 'g'), 60) AS query, calls,
       round(total_time::numeric, 1) AS total_ms, round(mean_time::numeric, 2) AS mean_ms,
       round(stddev_time::numeric, 2) AS stddev_ms, rows,
       round(100.0 * shared_blks_hit / nullif(shared_blks_hit + shared_blks_read, 0), 1) AS hit_pct
  FROM {statements_view}
 WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
 ORDER BY total_time DESC
 LIMIT 10`,
          },
        ],
      },
    },
    {
      id: 'performance.config',
      title: 'The settings that matter most, in readable units',
      explain:
        'shared_buffers (PostgreSQL’s cache, often 25 % of RAM), effective_cache_size (what the planner assumes the OS ' +
        'caches), work_mem (per sort or hash, per query node: many at once), maintenance_work_mem (VACUUM, CREATE INDEX). ' +
        "'changed' marks values not at their default; 'restart' a change that waits for a restart.",
      seedFix:
        "The seed's size conversion knows the unit 'kB' but not '8kB': shared_buffers and wal_buffers are counted in 8 kB " +
        'pages, so their sizes came out 8192 times too small.',
      screen: 'config',
      action: {
        kind: 'query',
        sql: [
          {
            minVersion: 0,
            sql: `SELECT name, setting, unit,
       CASE unit WHEN 'B' THEN pg_size_pretty(setting::numeric) WHEN 'kB' THEN pg_size_pretty(setting::numeric * 1024)
                 WHEN '8kB' THEN pg_size_pretty(setting::numeric * 8192) WHEN 'MB' THEN pg_size_pretty(setting::numeric * 1048576)
                 WHEN '16MB' THEN pg_size_pretty(setting::numeric * 16777216) END AS size,
       source <> 'default' AS changed, pending_restart AS restart
  FROM pg_settings
 WHERE name IN ('max_connections', 'shared_buffers', 'effective_cache_size', 'work_mem', 'maintenance_work_mem',
                'checkpoint_completion_target', 'wal_buffers', 'default_statistics_target', 'random_page_cost', 'max_wal_size')
 ORDER BY name`,
          },
        ],
      },
    },
  ],
};
