-- Header: server-wide counters for the header line, one row, one round trip (PostgreSQL 13+)
SELECT current_database() AS database,
       current_user AS user_name,
       extract(epoch FROM now() - pg_postmaster_start_time())::float8 AS uptime_seconds,
       -- numbackends, not pg_stat_activity: a role without pg_read_all_stats sees every backend there.
       sum(d.numbackends)::int AS connections,
       current_setting('max_connections')::int AS max_connections,
       sum(d.xact_commit + d.xact_rollback)::float8 AS xacts,
       sum(d.blks_hit)::float8 AS blks_hit,
       sum(d.blks_read)::float8 AS blks_read,
       extract(epoch FROM clock_timestamp())::float8 AS sampled_at,
       pg_is_in_recovery() AS in_recovery
FROM pg_stat_database d
