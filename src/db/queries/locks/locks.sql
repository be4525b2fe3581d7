-- Locks: every session waiting on a lock, who blocks it, the blockers themselves, and every prepared transaction (PostgreSQL 13)
-- pg_locks has no waitstart before 14: the wait is timed from query_start.
-- pg_blocking_pids() names a prepared transaction as pid 0: a waiter's lock is matched with the granted
-- locks of prepared transactions (pid NULL) on the same object to say which one holds it.
WITH waiting AS (
  SELECT pid, pg_blocking_pids(pid) AS blocked_by
  FROM pg_stat_activity
  WHERE wait_event_type = 'Lock'
), involved AS (
  SELECT pid FROM waiting
  UNION
  SELECT b.pid FROM waiting w, unnest(w.blocked_by) AS b(pid) WHERE b.pid <> 0
), lock_rows AS (
  -- The lock table is read once, and only when someone waits: it is a scan of shared memory.
  SELECT l.pid, l.locktype, l.mode, l.database, l.relation, l.page, l.tuple, l.virtualxid, l.transactionid,
         l.classid, l.objid, l.objsubid, l.virtualtransaction, l.granted, NULL::timestamptz AS waitstart
  FROM pg_locks l
  WHERE (NOT l.granted OR l.locktype = 'tuple' OR l.pid IS NULL) AND EXISTS (SELECT 1 FROM waiting)
), wanted AS (
  SELECT DISTINCT ON (pid) pid, locktype, mode, database, relation, page, tuple, virtualxid, transactionid, classid, objid, objsubid, waitstart
  FROM lock_rows WHERE NOT granted AND pid IS NOT NULL ORDER BY pid
), tuple_target AS (
  -- A row-lock waiter waits on a transaction id; the row's table is in its tuple lock.
  SELECT DISTINCT ON (pid) pid, database, relation
  FROM lock_rows WHERE locktype = 'tuple' AND pid IS NOT NULL ORDER BY pid
), prepared_blocks AS (
  -- The prepared transactions holding what a waiter blocked by "pid 0" wants; each holds its own xid's lock.
  SELECT wl.pid, array_agg(DISTINCT px.gid) AS gids
  FROM waiting w
  JOIN wanted wl ON wl.pid = w.pid
  JOIN lock_rows held ON held.pid IS NULL AND held.granted AND held.locktype = wl.locktype
   AND held.database IS NOT DISTINCT FROM wl.database AND held.relation IS NOT DISTINCT FROM wl.relation
   AND held.page IS NOT DISTINCT FROM wl.page AND held.tuple IS NOT DISTINCT FROM wl.tuple
   AND held.virtualxid IS NOT DISTINCT FROM wl.virtualxid AND held.transactionid IS NOT DISTINCT FROM wl.transactionid
   AND held.classid IS NOT DISTINCT FROM wl.classid AND held.objid IS NOT DISTINCT FROM wl.objid AND held.objsubid IS NOT DISTINCT FROM wl.objsubid
  JOIN lock_rows own ON own.pid IS NULL AND own.locktype = 'transactionid' AND own.virtualtransaction = held.virtualtransaction
  JOIN pg_prepared_xacts px ON px.transaction = own.transactionid
  WHERE 0 = ANY (w.blocked_by)
  GROUP BY wl.pid
)
SELECT 'backend' AS kind,
       a.pid,
       a.usename AS user_name,
       a.datname AS database,
       a.application_name,
       a.state,
       a.wait_event_type,
       a.wait_event,
       coalesce(w.blocked_by, '{}') AS blocked_by,
       coalesce(pb.gids, '{}') AS blocked_by_prepared,
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
       a.query,
       NULL::text AS gid,
       NULL::text AS xid
FROM involved i
JOIN pg_stat_activity a ON a.pid = i.pid
LEFT JOIN waiting w ON w.pid = i.pid
LEFT JOIN wanted wl ON wl.pid = i.pid
LEFT JOIN tuple_target tt ON tt.pid = i.pid
LEFT JOIN prepared_blocks pb ON pb.pid = i.pid
LEFT JOIN LATERAL (SELECT coalesce(wl.relation, tt.relation) AS oid, coalesce(wl.database, tt.database) AS db) rel ON true
UNION ALL
-- Every prepared transaction, waited for or not: it holds its locks (and the vacuum horizon) with no session until COMMIT or ROLLBACK PREPARED.
SELECT 'prepared', NULL, p.owner, p.database, NULL, 'prepared', NULL, NULL, '{}', '{}', NULL, NULL, NULL, NULL,
       extract(epoch FROM now() - p.prepared)::float8, extract(epoch FROM now() - p.prepared)::float8, NULL,
       p.gid, p.transaction::text
FROM pg_prepared_xacts p
