-- Horizon: who holds back the oldest xmin VACUUM may clean up to: sessions, prepared transactions, replication slots, standbys' feedback; oldest first (PostgreSQL 13+)
-- A session holds the horizon with its snapshot (backend_xmin) or its own transaction ID (backend_xid),
-- whichever is older. A lazy VACUUM's own xmin is ignored by the server, so its backend is left out here.
-- A walsender's backend_xmin is a standby's hot_standby_feedback (pg_stat_replication.backend_xmin).
-- A logical slot's catalog_xmin holds back the system catalogs only. Sessions and prepared transactions
-- hold back their own database's tables (and the shared catalogs), slots and standbys every database's.
WITH holders AS (
  SELECT CASE WHEN a.backend_type = 'walsender' THEN 'standby' ELSE 'backend' END AS kind,
         a.pid,
         a.usename AS user_name,
         a.datname AS database,
         a.application_name,
         host(a.client_addr) AS client_addr,
         a.state,
         NULL::text AS name,
         CASE WHEN a.backend_xmin IS NULL OR age(a.backend_xid) > age(a.backend_xmin) THEN a.backend_xid ELSE a.backend_xmin END AS xmin,
         extract(epoch FROM now() - a.xact_start)::float8 AS seconds
  FROM pg_stat_activity a
  WHERE (a.backend_xmin IS NOT NULL OR a.backend_xid IS NOT NULL)
    AND a.pid <> pg_backend_pid()
    AND NOT EXISTS (SELECT 1 FROM pg_stat_progress_vacuum v WHERE v.pid = a.pid)
  UNION ALL
  SELECT 'prepared', NULL, p.owner, p.database, NULL, NULL, NULL, p.gid, p.transaction,
         extract(epoch FROM now() - p.prepared)::float8
  FROM pg_prepared_xacts p
  UNION ALL
  SELECT 'slot', s.active_pid, NULL, s.database, NULL, NULL, CASE WHEN s.active THEN 'active' ELSE 'inactive' END, s.slot_name, s.xmin, NULL
  FROM pg_replication_slots s
  WHERE s.xmin IS NOT NULL
  UNION ALL
  SELECT 'catalog slot', s.active_pid, NULL, s.database, NULL, NULL, CASE WHEN s.active THEN 'active' ELSE 'inactive' END, s.slot_name, s.catalog_xmin, NULL
  FROM pg_replication_slots s
  WHERE s.catalog_xmin IS NOT NULL
)
SELECT h.kind,
       h.pid,
       h.user_name,
       h.database,
       h.application_name,
       h.client_addr,
       h.state,
       h.name,
       h.xmin::text AS xmin,
       age(h.xmin)::float8 AS xid_age,
       h.seconds,
       -- Does it hold back the dead tuples of this database's own tables?
       (h.kind IN ('slot', 'standby') OR (h.kind <> 'catalog slot' AND (h.database IS NULL OR h.database = current_database()))) AS holds_here
FROM holders h
-- A handful is enough to name the oldest here and on the server.
ORDER BY age(h.xmin) DESC, h.pid
LIMIT 20
