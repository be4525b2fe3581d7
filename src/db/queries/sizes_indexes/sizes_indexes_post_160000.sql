-- Sizes: every index with its usage (scans, tuples read and fetched), size, and whether it looks unused or duplicates another (PostgreSQL 16+: with the time of the last scan)
-- "Unused": no scan since the statistics were reset, not unique, not backing a constraint.
-- "Duplicate": same table and signature (columns, operator classes, collations, expressions and predicate,
-- expressions without their source positions) as another index. pgtop groups the signatures itself
-- (withDuplicates in sizes/map.ts): a third less server time than comparing them here.
SELECT i.oid::int8 AS oid,
       n.nspname AS schema_name,
       t.relname AS table_name,
       i.relname AS index_name,
       format('%I.%I', n.nspname, t.relname) AS qualified_table,
       format('%I.%I', n.nspname, i.relname) AS qualified_index,
       am.amname AS method,
       x.indisunique AS is_unique,
       x.indisprimary AS is_primary,
       x.indisvalid AS is_valid,
       k.conindid IS NOT NULL AS backs_constraint,
       pg_stat_get_numscans(i.oid)::float8 AS scans,
       pg_stat_get_tuples_returned(i.oid)::float8 AS tuples_read,
       pg_stat_get_tuples_fetched(i.oid)::float8 AS tuples_fetched,
       extract(epoch FROM now() - pg_stat_get_lastscan(i.oid))::float8 AS last_scan_seconds,
       (i.relpages::int8 * b.size)::float8 AS bytes,
       x.indrelid::int8 AS table_oid,
       concat_ws(' ', x.indkey::text, x.indclass::text, x.indcollation::text,
                 regexp_replace(x.indexprs::text, ' :location -?\d+', '', 'g'),
                 regexp_replace(x.indpred::text, ' :location -?\d+', '', 'g')) AS signature
FROM pg_index x
JOIN pg_class i ON i.oid = x.indexrelid
JOIN pg_class t ON t.oid = x.indrelid
JOIN pg_namespace n ON n.oid = t.relnamespace
JOIN pg_am am ON am.oid = i.relam
CROSS JOIN (SELECT current_setting('block_size')::int8 AS size) b
LEFT JOIN (SELECT DISTINCT k.conindid FROM pg_constraint k WHERE k.conindid <> 0) k ON k.conindid = x.indexrelid
WHERE t.relkind IN ('r', 'm')
  AND n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND n.nspname !~ '^pg_(toast|temp_)'
