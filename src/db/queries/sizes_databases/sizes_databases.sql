-- Sizes: every database (not templates) by size, as the administration session lists them (PostgreSQL 13+)
-- pg_database_size() needs CONNECT on the database or pg_read_all_stats; the others show no size instead of failing the query.
SELECT d.datname AS database,
       d.datname = current_database() AS current,
       d.datallowconn AS allow_connections,
       CASE WHEN has_database_privilege(d.oid, 'CONNECT') OR pg_has_role('pg_read_all_stats', 'USAGE')
            THEN pg_database_size(d.oid) END::float8 AS bytes,
       s.numbackends AS connections,
       extract(epoch FROM now() - s.stats_reset)::float8 AS stats_reset_seconds
FROM pg_database d
LEFT JOIN pg_stat_database s ON s.datid = d.oid
WHERE NOT d.datistemplate
