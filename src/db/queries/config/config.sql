-- Config: the settings the administration session checks, memory and buffer settings, and every setting changed from its built-in default (PostgreSQL 13+)
-- Settings a client set for its own session (source client or session: pgtop's own timeouts) are not the server's configuration and are left out.
SELECT s.name, s.setting, s.unit, s.category, s.short_desc AS description, s.context, s.vartype, s.source,
       s.boot_val AS default_value, s.reset_val AS reset_value, s.min_val, s.max_val, s.enumvals::text AS choices,
       s.sourcefile AS source_file, s.sourceline AS source_line, s.pending_restart,
       s.name IN ('max_connections', 'shared_buffers', 'effective_cache_size', 'work_mem', 'maintenance_work_mem',
                  'checkpoint_completion_target', 'wal_buffers', 'default_statistics_target') AS key_setting
FROM pg_settings s
WHERE s.name IN ('max_connections', 'shared_buffers', 'effective_cache_size', 'work_mem', 'maintenance_work_mem',
                 'checkpoint_completion_target', 'wal_buffers', 'default_statistics_target')
   OR s.name LIKE '%mem%' OR s.name LIKE '%buffer%'
   OR s.source NOT IN ('default', 'override', 'client', 'session')
   OR s.pending_restart
