-- Bloat: maintenance running now: VACUUM (pg_stat_progress_vacuum), VACUUM FULL and CLUSTER, ANALYZE, CREATE INDEX and REINDEX (PostgreSQL 17+: VACUUM reports its index progress)
-- A relation of another database shows as its oid: regclass only knows this database's names.
SELECT p.pid, 'VACUUM' AS command, p.datname AS database,
       CASE WHEN p.datname = current_database() THEN p.relid::regclass::text ELSE p.relid::text END AS relation,
       p.phase, p.heap_blks_total::float8 AS blocks_total, p.heap_blks_scanned::float8 AS blocks_done,
       p.heap_blks_vacuumed::float8 AS blocks_vacuumed, p.index_vacuum_count::float8 AS index_passes,
       p.indexes_total::float8 AS indexes_total, p.indexes_processed::float8 AS indexes_done,
       a.backend_type = 'autovacuum worker' AS automatic,
       extract(epoch FROM now() - a.xact_start)::float8 AS seconds
FROM pg_stat_progress_vacuum p LEFT JOIN pg_stat_activity a ON a.pid = p.pid
UNION ALL
SELECT p.pid, p.command, p.datname,
       CASE WHEN p.datname = current_database() THEN p.relid::regclass::text ELSE p.relid::text END,
       p.phase, p.heap_blks_total, p.heap_blks_scanned, NULL, NULL, NULL, NULL, false,
       extract(epoch FROM now() - a.xact_start)::float8
FROM pg_stat_progress_cluster p LEFT JOIN pg_stat_activity a ON a.pid = p.pid
UNION ALL
SELECT p.pid, 'ANALYZE', p.datname,
       CASE WHEN p.datname = current_database() THEN p.relid::regclass::text ELSE p.relid::text END,
       p.phase, p.sample_blks_total, p.sample_blks_scanned, NULL, NULL, NULL, NULL,
       a.backend_type = 'autovacuum worker',
       extract(epoch FROM now() - a.xact_start)::float8
FROM pg_stat_progress_analyze p LEFT JOIN pg_stat_activity a ON a.pid = p.pid
UNION ALL
SELECT p.pid, p.command, p.datname,
       CASE WHEN p.datname = current_database() THEN coalesce(nullif(p.index_relid, 0), p.relid)::regclass::text ELSE p.relid::text END,
       p.phase, p.blocks_total, p.blocks_done, NULL, NULL, NULL, NULL, false,
       extract(epoch FROM now() - a.query_start)::float8
FROM pg_stat_progress_create_index p LEFT JOIN pg_stat_activity a ON a.pid = p.pid
