-- Sizes: every table and materialized view with its heap, TOAST, index and total size, read from pg_class (PostgreSQL 14+)
-- Sizes are relpages × block size as of the last VACUUM, ANALYZE or CREATE INDEX. pg_total_relation_size()
-- would open every relation (5 times the server time for 10 000 tables, every refresh) and wait behind any
-- table lock. Indexes are summed per table through pg_index's index on indrelid.
-- Since PostgreSQL 14, reltuples is -1 until the first VACUUM or ANALYZE: such sizes are not known yet.
SELECT c.oid::int8 AS oid,
       n.nspname AS schema_name,
       c.relname AS table_name,
       format('%I.%I', n.nspname, c.relname) AS qualified_name,
       c.relkind::text AS kind,
       c.reltuples::float8 AS row_estimate,
       c.reltuples < 0 AS never_analyzed,
       (c.relpages::int8 * b.size)::float8 AS table_bytes,
       ((coalesce(t.relpages, 0)::int8 + coalesce(ti.relpages, 0)) * b.size)::float8 AS toast_bytes,
       (coalesce(ix.pages, 0) * b.size)::float8 AS index_bytes,
       ix.count AS index_count
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
CROSS JOIN (SELECT current_setting('block_size')::int8 AS size) b
LEFT JOIN pg_class t ON t.oid = c.reltoastrelid
CROSS JOIN LATERAL (SELECT sum(i.relpages)::int8 AS pages, count(*)::int AS count
                    FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid WHERE x.indrelid = c.oid) ix
-- A TOAST table has exactly one index: plain joins, no row is repeated.
LEFT JOIN pg_index tx ON tx.indrelid = c.reltoastrelid
LEFT JOIN pg_class ti ON ti.oid = tx.indexrelid
WHERE c.relkind IN ('r', 'm')
  AND n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND n.nspname !~ '^pg_(toast|temp_)'
