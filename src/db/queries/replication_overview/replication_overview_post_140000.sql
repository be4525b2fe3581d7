-- Replication: this server's role and WAL in one row: pg_wal's size, archiving, the slots' and standbys' worst, and on a standby its receiver and replay (PostgreSQL 14+: pg_get_wal_replay_pause_state says "pause requested" too)
-- pg_ls_waldir() and pg_ls_archive_statusdir() are granted to pg_monitor. Functions that fail on the other
-- role (pg_current_wal_lsn() in recovery, pg_is_wal_replay_paused() outside it) sit behind CASE.
WITH here AS (
  SELECT pg_is_in_recovery() AS in_recovery,
         CASE WHEN pg_is_in_recovery() THEN pg_last_wal_replay_lsn() ELSE pg_current_wal_lsn() END AS lsn
),
slots AS (
  SELECT count(*) FILTER (WHERE NOT s.active)::int AS inactive_slots,
         max(pg_wal_lsn_diff(here.lsn, s.restart_lsn)) FILTER (WHERE NOT s.active)::float8 AS inactive_retained_bytes,
         (array_agg(s.slot_name ORDER BY pg_wal_lsn_diff(here.lsn, s.restart_lsn) DESC NULLS LAST) FILTER (WHERE NOT s.active))[1] AS inactive_worst_slot,
         count(*) FILTER (WHERE s.wal_status IN ('unreserved', 'lost'))::int AS endangered_slots
  FROM pg_replication_slots s, here
),
standbys AS (
  SELECT count(*)::int AS standbys,
         max(pg_wal_lsn_diff(CASE WHEN here.in_recovery THEN pg_last_wal_receive_lsn() ELSE pg_current_wal_lsn() END, r.replay_lsn))::float8 AS worst_standby_lag_bytes,
         max(extract(epoch FROM r.replay_lag))::float8 AS worst_standby_lag_seconds
  FROM pg_stat_replication r, here
),
wal AS (
  SELECT coalesce(sum(w.size), 0)::float8 AS wal_bytes, count(*)::int AS wal_files FROM pg_ls_waldir() w
),
ready AS (
  SELECT count(*) FILTER (WHERE a.name LIKE '%.ready')::int AS archive_ready FROM pg_ls_archive_statusdir() a
)
SELECT here.in_recovery,
       here.lsn::text AS current_lsn,
       wal.wal_bytes,
       wal.wal_files,
       pg_size_bytes(current_setting('wal_segment_size'))::float8 AS wal_segment_bytes,
       current_setting('archive_mode') AS archive_mode,
       ar.archived_count::float8 AS archived_count,
       ar.last_archived_wal,
       extract(epoch FROM now() - ar.last_archived_time)::float8 AS last_archived_seconds_ago,
       ar.failed_count::float8 AS failed_count,
       ar.last_failed_wal,
       extract(epoch FROM now() - ar.last_failed_time)::float8 AS last_failed_seconds_ago,
       ready.archive_ready,
       slots.inactive_slots,
       slots.inactive_retained_bytes,
       slots.inactive_worst_slot,
       slots.endangered_slots,
       standbys.standbys,
       standbys.worst_standby_lag_bytes,
       standbys.worst_standby_lag_seconds,
       -- On a standby: its WAL receiver and its replay.
       rcv.status AS receiver_status,
       rcv.sender_host,
       rcv.sender_port,
       rcv.slot_name AS receiver_slot,
       rcv.flushed_lsn::text AS received_lsn,
       extract(epoch FROM now() - rcv.last_msg_receipt_time)::float8 AS receiver_last_message_seconds_ago,
       CASE WHEN here.in_recovery THEN pg_last_wal_receive_lsn()::text END AS receive_lsn,
       CASE WHEN here.in_recovery THEN pg_last_wal_replay_lsn()::text END AS replay_lsn,
       CASE WHEN here.in_recovery THEN pg_wal_lsn_diff(pg_last_wal_receive_lsn(), pg_last_wal_replay_lsn())::float8 END AS replay_lag_bytes,
       CASE WHEN here.in_recovery THEN extract(epoch FROM now() - pg_last_xact_replay_timestamp())::float8 END AS replay_lag_seconds,
       CASE WHEN here.in_recovery THEN pg_get_wal_replay_pause_state() <> 'not paused' END AS replay_paused,
       CASE WHEN here.in_recovery THEN pg_get_wal_replay_pause_state() END AS replay_pause_state
FROM here, wal, ready, slots, standbys, pg_stat_archiver ar
LEFT JOIN pg_stat_wal_receiver rcv ON true
