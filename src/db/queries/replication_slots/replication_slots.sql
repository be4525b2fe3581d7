-- Replication: every replication slot, physical and logical, with the WAL it keeps and the xmin it holds back (PostgreSQL 13+)
-- Retained WAL is measured from restart_lsn to where this server writes (or, in recovery, replays).
WITH here AS (
  SELECT CASE WHEN pg_is_in_recovery() THEN pg_last_wal_replay_lsn() ELSE pg_current_wal_lsn() END AS lsn
)
SELECT s.slot_name,
       s.slot_type,
       s.plugin,
       s.database,
       s.temporary,
       s.active,
       s.active_pid,
       s.xmin::text AS xmin,
       age(s.xmin)::float8 AS xmin_age,
       s.catalog_xmin::text AS catalog_xmin,
       age(s.catalog_xmin)::float8 AS catalog_xmin_age,
       s.restart_lsn::text AS restart_lsn,
       s.confirmed_flush_lsn::text AS confirmed_flush_lsn,
       pg_wal_lsn_diff(here.lsn, s.restart_lsn)::float8 AS retained_bytes,
       s.wal_status,
       s.safe_wal_size::float8 AS safe_wal_size
FROM pg_replication_slots s, here
ORDER BY s.slot_name
