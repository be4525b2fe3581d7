-- Statements: can pg_stat_statements be read here? The version created in this database, the version the server ships, the preload list (PostgreSQL 13+)
-- Run once per connection (and while the extension is missing) to choose the statements SQL by extension version, not server version.
SELECT current_database() AS database,
       (SELECT e.extversion FROM pg_extension e WHERE e.extname = 'pg_stat_statements') AS installed_version,
       (SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'pg_stat_statements') AS schema_name,
       (SELECT a.default_version FROM pg_available_extensions a WHERE a.name = 'pg_stat_statements') AS available_version,
       -- NULL when this role may not read it (needs pg_read_all_settings, part of pg_monitor).
       (SELECT s.setting FROM pg_settings s WHERE s.name = 'shared_preload_libraries') AS preload_libraries,
       pg_has_role('pg_read_all_stats', 'USAGE') AS sees_all
