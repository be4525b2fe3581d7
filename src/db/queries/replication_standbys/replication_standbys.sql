-- Replication: each standby (or pg_receivewal) streaming from this server, its positions and how far behind it is (PostgreSQL 13+)
-- On a cascading standby the WAL to compare with is what it received, not pg_current_wal_lsn() (an error in recovery).
WITH here AS (
  SELECT CASE WHEN pg_is_in_recovery() THEN pg_last_wal_receive_lsn() ELSE pg_current_wal_lsn() END AS lsn
)
SELECT r.pid,
       r.application_name,
       host(r.client_addr) AS client_addr,
       r.client_hostname,
       r.client_port,
       r.state,
       r.sync_state,
       r.sync_priority,
       r.sent_lsn::text AS sent_lsn,
       r.write_lsn::text AS write_lsn,
       r.flush_lsn::text AS flush_lsn,
       r.replay_lsn::text AS replay_lsn,
       pg_wal_lsn_diff(here.lsn, r.sent_lsn)::float8 AS sent_lag_bytes,
       pg_wal_lsn_diff(here.lsn, r.replay_lsn)::float8 AS replay_lag_bytes,
       extract(epoch FROM r.write_lag)::float8 AS write_lag_seconds,
       extract(epoch FROM r.flush_lag)::float8 AS flush_lag_seconds,
       extract(epoch FROM r.replay_lag)::float8 AS replay_lag_seconds,
       r.backend_xmin::text AS backend_xmin,
       age(r.backend_xmin)::float8 AS backend_xmin_age,
       extract(epoch FROM now() - r.backend_start)::float8 AS connected_seconds,
       extract(epoch FROM now() - r.reply_time)::float8 AS reply_seconds_ago
FROM pg_stat_replication r, here
ORDER BY r.application_name, r.pid
