-- Health: the administration session's checks in one row: long queries, idle transactions, lock waits, wraparound, database size (PostgreSQL 13+)
-- Without pg_read_all_stats (pg_monitor), other users' sessions have no state here: sees_all says so.
SELECT count(*) FILTER (WHERE a.state = 'active' AND a.query_start < now() - interval '30 seconds')::int AS long_queries,
       max(extract(epoch FROM now() - a.query_start)) FILTER (WHERE a.state = 'active')::float8 AS longest_query_seconds,
       count(*) FILTER (WHERE a.state LIKE 'idle in transaction%')::int AS idle_in_transaction,
       max(extract(epoch FROM now() - a.state_change)) FILTER (WHERE a.state LIKE 'idle in transaction%')::float8 AS longest_idle_seconds,
       count(*) FILTER (WHERE a.wait_event_type = 'Lock')::int AS lock_waits,
       max(extract(epoch FROM now() - a.query_start)) FILTER (WHERE a.wait_event_type = 'Lock')::float8 AS longest_lock_wait_seconds,
       (SELECT max(age(d.datfrozenxid)) FROM pg_database d WHERE d.datallowconn)::float8 AS oldest_xid_age,
       (SELECT d.datname FROM pg_database d WHERE d.datallowconn ORDER BY age(d.datfrozenxid) DESC LIMIT 1) AS oldest_xid_database,
       current_setting('autovacuum_freeze_max_age')::float8 AS freeze_max_age,
       pg_database_size(current_database())::float8 AS database_bytes,
       pg_has_role('pg_read_all_stats', 'USAGE') AS sees_all
FROM pg_stat_activity a
WHERE a.backend_type = 'client backend' AND a.pid <> pg_backend_pid()
