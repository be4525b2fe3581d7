-- The server's log files: whether the logging collector writes them, where, whether this role may read them (pg_read_binary_file: superuser or EXECUTE granted), and the newest file (pg_ls_logdir: pg_monitor or superuser; not listed when the collector is off)
SELECT current_setting('logging_collector') = 'on' AS collector,
       current_setting('log_destination') AS destination,
       current_setting('log_directory') AS directory,
       has_function_privilege('pg_catalog.pg_read_binary_file(text, bigint, bigint, boolean)', 'EXECUTE') AS readable,
       f.name, f.size, f.modification
FROM (SELECT 1) AS here
LEFT JOIN LATERAL (
  SELECT l.name, l.size, l.modification
  FROM pg_ls_logdir() AS l
  WHERE current_setting('logging_collector') = 'on'
  ORDER BY l.name LIKE '%.log' DESC, l.modification DESC, l.name DESC
  LIMIT 1
) AS f ON true
