-- Activity: every session that runs queries, with waits and durations (PostgreSQL 13+)
-- pg_blocking_pids() is only called for sessions waiting on a lock: it takes
-- the lock manager's partition locks, so calling it for every row is costly.
-- Durations by date_part(), a float8: extract() makes a numeric on 14+ and
-- the cast back cost ~20 % of this query's time at 300 sessions
-- (bench/refresh-sql.ts: 1.30 → 1.03 ms).
SELECT a.pid,
       a.usename AS user_name,
       a.datname AS database,
       a.application_name,
       host(a.client_addr) AS client_addr,
       a.client_port,
       a.backend_type,
       a.state,
       a.wait_event_type,
       a.wait_event,
       date_part('epoch', now() - a.xact_start) AS xact_seconds,
       date_part('epoch', now() - a.query_start) AS query_seconds,
       date_part('epoch', now() - a.state_change) AS state_seconds,
       date_part('epoch', now() - a.backend_start) AS backend_seconds,
       a.backend_xid::text AS backend_xid,
       a.backend_xmin::text AS backend_xmin,
       -- How far back it holds the vacuum horizon: its snapshot or its own transaction ID, the older.
       greatest(age(a.backend_xmin), age(a.backend_xid))::float8 AS xmin_age,
       a.leader_pid,
       CASE WHEN a.wait_event_type = 'Lock' THEN pg_blocking_pids(a.pid) END AS blocked_by,
       a.query
FROM pg_stat_activity a
WHERE a.backend_type IN ('client backend', 'autovacuum worker', 'parallel worker', 'walsender', 'background worker')
   -- Other users' sessions, to a role without pg_read_all_stats: only pid and user are shown.
   OR (a.backend_type IS NULL AND a.usesysid IS NOT NULL)
