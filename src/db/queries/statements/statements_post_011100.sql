-- Statements: pg_stat_statements 1.11 and later (PostgreSQL 17+: blk_*_time became shared_blk_*_time): the top 50 by total time, mean time, calls and rows
-- No texts: pg_stat_statements(false) costs the same whether the texts are 40 bytes or 30 MB each; statement_texts reads the
-- first characters of a statement new to the list once. A row without queryid is another user's (needs pg_read_all_stats).
WITH s AS (
  SELECT s.userid, s.dbid, s.queryid, s.toplevel, s.calls, s.rows,
         s.total_exec_time + s.total_plan_time AS total_ms, s.total_exec_time AS exec_ms, s.total_plan_time AS plan_ms,
         s.min_exec_time AS min_ms, s.max_exec_time AS max_ms, s.stddev_exec_time AS stddev_ms,
         s.shared_blks_hit, s.shared_blks_read, s.shared_blks_dirtied, s.shared_blks_written,
         s.temp_blks_read, s.temp_blks_written, s.shared_blk_read_time + s.shared_blk_write_time AS io_ms
  FROM @extschema@.pg_stat_statements(false) s
), ranked AS (
  SELECT s.*,
         rank() OVER (ORDER BY s.total_ms DESC) AS by_total,
         rank() OVER (ORDER BY s.total_ms / nullif(s.calls, 0) DESC NULLS LAST) AS by_mean,
         rank() OVER (ORDER BY s.calls DESC) AS by_calls,
         rank() OVER (ORDER BY s.rows DESC) AS by_rows
  FROM s
)
SELECT r.userid::text AS userid, r.dbid::text AS dbid, r.queryid::text AS queryid, r.toplevel, d.datname AS database, u.rolname AS user_name,
       r.calls::float8 AS calls, r.rows::float8 AS rows,
       r.total_ms::float8 AS total_ms, r.exec_ms::float8 AS exec_ms, r.plan_ms::float8 AS plan_ms,
       r.min_ms::float8 AS min_ms, r.max_ms::float8 AS max_ms, r.stddev_ms::float8 AS stddev_ms,
       r.shared_blks_hit::float8 AS shared_blks_hit, r.shared_blks_read::float8 AS shared_blks_read,
       r.shared_blks_dirtied::float8 AS shared_blks_dirtied, r.shared_blks_written::float8 AS shared_blks_written,
       r.temp_blks_read::float8 AS temp_blks_read, r.temp_blks_written::float8 AS temp_blks_written, r.io_ms::float8 AS io_ms
FROM ranked r
LEFT JOIN pg_database d ON d.oid = r.dbid
LEFT JOIN pg_roles u ON u.oid = r.userid
WHERE least(r.by_total, r.by_mean, r.by_calls, r.by_rows) <= 50
