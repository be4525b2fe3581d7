-- Locks: every session waiting on a lock, who blocks it, and the blockers themselves (PostgreSQL 13)
-- pg_locks has no waitstart before 14: the wait is timed from query_start.
WITH waiting AS (
  SELECT pid, pg_blocking_pids(pid) AS blocked_by
  FROM pg_stat_activity
  WHERE wait_event_type = 'Lock'
), involved AS (
  SELECT pid FROM waiting
  UNION
  SELECT unnest(blocked_by) FROM waiting
), lock_rows AS (
  -- The lock table is read once, and only when someone waits: it is a scan of shared memory.
  SELECT l.pid, l.locktype, l.mode, l.database, l.relation, l.granted, NULL::timestamptz AS waitstart
  FROM pg_locks l
  WHERE (NOT l.granted OR l.locktype = 'tuple') AND EXISTS (SELECT 1 FROM waiting)
), wanted AS (
  SELECT DISTINCT ON (pid) pid, locktype, mode, database, relation, waitstart
  FROM lock_rows WHERE NOT granted ORDER BY pid
), tuple_target AS (
  -- A row-lock waiter waits on a transaction id; the row's table is in its tuple lock.
  SELECT DISTINCT ON (pid) pid, database, relation
  FROM lock_rows WHERE locktype = 'tuple' ORDER BY pid
)
SELECT a.pid,
       a.usename AS user_name,
       a.datname AS database,
       a.application_name,
       a.state,
       a.wait_event_type,
       a.wait_event,
       coalesce(w.blocked_by, '{}') AS blocked_by,
       wl.locktype,
       wl.mode,
       -- A name resolves only in the connected database (or for shared catalogs, database 0).
       CASE WHEN rel.oid IS NULL THEN NULL
            WHEN rel.db = 0 OR rel.db = (SELECT oid FROM pg_database WHERE datname = current_database()) THEN rel.oid::regclass::text
            ELSE 'oid ' || rel.oid || ' in ' || coalesce((SELECT datname FROM pg_database WHERE oid = rel.db), 'db ' || rel.db)
       END AS relation,
       CASE WHEN w.pid IS NOT NULL THEN extract(epoch FROM now() - coalesce(wl.waitstart, a.query_start))::float8 END AS wait_seconds,
       extract(epoch FROM now() - a.xact_start)::float8 AS xact_seconds,
       extract(epoch FROM now() - a.state_change)::float8 AS state_seconds,
       a.query
FROM involved i
JOIN pg_stat_activity a ON a.pid = i.pid
LEFT JOIN waiting w ON w.pid = i.pid
LEFT JOIN wanted wl ON wl.pid = i.pid
LEFT JOIN tuple_target tt ON tt.pid = i.pid
LEFT JOIN LATERAL (SELECT coalesce(wl.relation, tt.relation) AS oid, coalesce(wl.database, tt.database) AS db) rel ON true
