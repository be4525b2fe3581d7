// Part 4 of the seed's administration session: maintenance. Data only (see
// ../types.ts). The seed names tables of its author's database (users,
// users_email_idx); here the server says which table needs the work: the one
// with the most dead tuples, remembered for the part so every check asks
// about the same table.
import type { Part } from '../types.js';

export const maintenancePart: Part = {
  number: 4,
  id: 'maintenance',
  title: 'Maintenance',
  minutes: 8,
  intro:
    'Every UPDATE and DELETE leaves a dead row version behind. VACUUM makes the space reusable, ANALYZE keeps the planner informed, REINDEX rebuilds indexes. Autovacuum does most of it — when nothing stops it.',
  params: [
    {
      name: 'bloated_table',
      sql: `SELECT format('%I.%I', schemaname, relname) FROM pg_stat_user_tables
 ORDER BY n_dead_tup DESC, pg_total_relation_size(relid) DESC LIMIT 1`,
      missing: 'there is no table in {database} yet',
    },
    {
      name: 'index_nodes',
      sql: `SELECT string_agg(i.indexrelid || ':' || pg_relation_filenode(i.indexrelid) || ':' || pg_relation_size(i.indexrelid), ',')
  FROM pg_index i WHERE i.indrelid = {bloated_table:literal}::regclass`,
      missing: '{bloated_table} has no index',
    },
  ],
  steps: [
    {
      id: 'maintenance.dead-tuples',
      title: 'Which tables carry dead tuples',
      explain:
        'n_dead_tup counts row versions that no transaction can see any more: space VACUUM can reclaim. A table with ' +
        'many, and no recent (auto)vacuum, is the one to look at: here {bloated_table}.',
      seedFix:
        "pg_stat_user_tables names the table relname, not tablename: the seed's query fails. round(float, 2) does not " +
        'exist either (round with digits needs numeric), and a table whose counts are both 0 divides by zero.',
      screen: 'bloat',
      action: {
        kind: 'query',
        sql: [
          {
            minVersion: 0,
            sql: `SELECT format('%I.%I', schemaname, relname) AS table, n_live_tup AS live, n_dead_tup AS dead,
       round(100.0 * n_dead_tup / nullif(n_live_tup + n_dead_tup, 0), 1) AS dead_pct,
       date_trunc('second', greatest(last_vacuum, last_autovacuum)) AS last_vacuum,
       date_trunc('second', greatest(last_analyze, last_autoanalyze)) AS last_analyze
  FROM pg_stat_user_tables
 ORDER BY n_dead_tup DESC
 LIMIT 15`,
          },
        ],
      },
    },
    {
      id: 'maintenance.vacuum',
      title: 'VACUUM (ANALYZE) {bloated_table}',
      explain:
        'VACUUM marks the dead tuples’ space as free for new rows (the file does not shrink) and ANALYZE refreshes the ' +
        'statistics the planner uses. Both run alongside reads and writes. VACUUM cannot remove rows that an open ' +
        'transaction might still see: an old idle-in-transaction session keeps them.',
      seedFix:
        'The seed lists VACUUM FULL next to VACUUM as if it were routine: it rewrites the whole table under an ACCESS ' +
        'EXCLUSIVE lock (no reads, no writes) until it is done. pgtop asks you to type the table name for it (F on the bloat screen).',
      screen: 'bloat',
      action: {
        kind: 'change',
        statements: [{ sql: 'VACUUM (ANALYZE) {bloated_table}' }],
        show: `SELECT n_live_tup AS live, n_dead_tup AS dead, date_trunc('second', last_vacuum) AS last_vacuum,
       date_trunc('second', last_analyze) AS last_analyze
  FROM pg_stat_user_tables WHERE relid = {bloated_table:literal}::regclass`,
      },
      checks: [
        {
          kind: 'sql',
          criterion: 'the dead tuples of {bloated_table} dropped after VACUUM (at most 10 % dead)',
          sql: `SELECT n_dead_tup <= greatest(100, (n_live_tup + n_dead_tup) / 10) AS ok,
       format('%s dead of %s row versions; last vacuum: %s', n_dead_tup, n_live_tup + n_dead_tup,
              coalesce(to_char(greatest(last_vacuum, last_autovacuum), 'YYYY-MM-DD HH24:MI:SS'), 'never')) AS reason
  FROM pg_stat_user_tables WHERE relid = {bloated_table:literal}::regclass`,
        },
      ],
    },
    {
      id: 'maintenance.autovacuum',
      title: 'Why autovacuum left {bloated_table} alone',
      explain:
        'Autovacuum vacuums a table once its dead tuples pass autovacuum_vacuum_threshold + scale_factor × rows. It can ' +
        'be switched off for the whole server (autovacuum = off) or per table (ALTER TABLE … SET (autovacuum_enabled = ' +
        'false)); either way, the dead tuples pile up. This step switches it back on for {bloated_table}.',
      seedFix:
        'The seed shows last_autovacuum but never asks why it is empty: the answer is often a per-table setting ' +
        'somebody made years ago.',
      screen: 'bloat',
      action: {
        kind: 'change',
        statements: [{ sql: 'ALTER TABLE {bloated_table} RESET (autovacuum_enabled)' }],
        show: `SELECT c.oid::regclass AS table, coalesce(array_to_string(c.reloptions, ', '), '(none)') AS table_settings,
       current_setting('autovacuum') AS autovacuum,
       current_setting('autovacuum_vacuum_scale_factor') AS scale_factor
  FROM pg_class c WHERE c.oid = {bloated_table:literal}::regclass`,
      },
      checks: [
        {
          kind: 'sql',
          criterion: 'autovacuum is on for {bloated_table}',
          sql: `SELECT current_setting('autovacuum') = 'on' AND NOT off.exists AS ok,
       CASE WHEN current_setting('autovacuum') <> 'on' THEN 'autovacuum is off for the whole server (autovacuum = off)'
            WHEN off.exists THEN 'switched off on the table: ' || array_to_string(c.reloptions, ', ')
            ELSE format('on: it runs after %s + %s × rows dead tuples', current_setting('autovacuum_vacuum_threshold'),
                        current_setting('autovacuum_vacuum_scale_factor')) END AS reason
  FROM pg_class c
 CROSS JOIN LATERAL (SELECT EXISTS (SELECT 1 FROM unnest(c.reloptions) AS o
                                     WHERE o ~* '^autovacuum_enabled=(false|off|no|0)$') AS exists) AS off
 WHERE c.oid = {bloated_table:literal}::regclass`,
        },
      ],
    },
    {
      id: 'maintenance.reindex',
      title: 'REINDEX TABLE {bloated_table}',
      explain:
        'VACUUM frees space inside indexes but never shrinks them. REINDEX builds each index anew, compact. Plain ' +
        'REINDEX blocks writes to the table (and reads through the index) while it runs: fine on a quiet table.',
      seedFix:
        'The seed reindexes users_email_idx, an index of its author’s database. On a busy table use REINDEX TABLE ' +
        'CONCURRENTLY (PostgreSQL 12+): it does not block writes, but first waits for every older transaction in the ' +
        'database to end — with a session idle in transaction around (the demo has one), it would wait for that.',
      screen: 'sizes',
      action: {
        kind: 'change',
        statements: [{ sql: 'REINDEX TABLE {bloated_table}' }],
        show: `SELECT i.indexrelid::regclass AS index, pg_size_pretty(pg_relation_size(i.indexrelid)) AS size
  FROM pg_index i WHERE i.indrelid = {bloated_table:literal}::regclass`,
      },
      checks: [
        {
          kind: 'sql',
          criterion: 'every index of {bloated_table} was rebuilt since pgtop first looked',
          sql: `WITH before AS (
  SELECT split_part(e, ':', 1)::oid AS oid, split_part(e, ':', 2)::oid AS node, split_part(e, ':', 3)::bigint AS size
    FROM unnest(string_to_array({index_nodes:literal}, ',')) AS e
)
SELECT count(*) > 0 AND bool_and(pg_relation_filenode(oid) IS DISTINCT FROM node) AS ok,
       coalesce(string_agg(format('%s %s (%s → %s)', oid::regclass,
                                  CASE WHEN pg_relation_filenode(oid) IS DISTINCT FROM node THEN 'rebuilt' ELSE 'not rebuilt' END,
                                  pg_size_pretty(size), pg_size_pretty(pg_relation_size(oid))), ', '), 'no index') AS reason
  FROM before`,
        },
      ],
    },
    {
      id: 'maintenance.unused-indexes',
      title: 'Indexes nobody uses',
      explain:
        'Every index costs on each INSERT and UPDATE and takes space; one that no query scans only costs. idx_scan ' +
        'counts since the statistics were last reset, on this server only: check the replicas before you DROP one.',
      seedFix:
        'pg_stat_user_indexes names its columns relname and indexrelname, not tablename and indexname: the seed’s ' +
        'query fails. And a unique or primary-key index with idx_scan = 0 is not unused: it enforces the constraint.',
      screen: 'sizes',
      action: {
        kind: 'query',
        sql: [
          {
            minVersion: 0,
            sql: `SELECT format('%I.%I', s.schemaname, s.relname) AS table, s.indexrelname AS index, s.idx_scan AS scans,
       pg_size_pretty(pg_relation_size(s.indexrelid)) AS size
  FROM pg_stat_user_indexes s JOIN pg_index i ON i.indexrelid = s.indexrelid
 WHERE s.idx_scan = 0 AND NOT i.indisunique AND NOT i.indisprimary
 ORDER BY pg_relation_size(s.indexrelid) DESC`,
          },
        ],
      },
    },
    {
      id: 'maintenance.wraparound',
      title: 'Transaction ID wraparound: how far away',
      explain:
        'Transaction IDs are 32 bits. VACUUM "freezes" old rows so their IDs can be reused; when a database’s oldest ' +
        'unfrozen ID gets 2 billion old, PostgreSQL stops accepting writes. Autovacuum forces an aggressive vacuum ' +
        'long before, at autovacuum_freeze_max_age (200 million by default): that is the number to watch.',
      seedFix:
        "The seed's 2147483648 − age is the distance to the hard stop; the percentage of autovacuum_freeze_max_age " +
        'says when the aggressive vacuums begin, and they are what you will notice first.',
      screen: 'bloat',
      action: {
        kind: 'query',
        sql: [
          {
            minVersion: 0,
            sql: `SELECT datname AS database, age(datfrozenxid) AS xid_age,
       round(100.0 * age(datfrozenxid) / current_setting('autovacuum_freeze_max_age')::bigint, 1) AS pct_of_freeze_max_age,
       2147483647 - age(datfrozenxid) AS xids_to_stop
  FROM pg_database WHERE datallowconn
 ORDER BY age(datfrozenxid) DESC`,
          },
        ],
      },
    },
  ],
};
