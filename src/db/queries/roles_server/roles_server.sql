-- Security settings and what this role may read, for the audit: one row (PostgreSQL 13+)
-- pg_settings, not current_setting(), for hba_file: it hides what the role may not read instead of failing.
SELECT current_user AS user_name,
       current_database() AS database,
       (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) AS superuser,
       current_setting('ssl') AS ssl,
       current_setting('password_encryption') AS password_encryption,
       (SELECT setting FROM pg_settings WHERE name = 'hba_file') AS hba_file,
       has_table_privilege('pg_authid', 'SELECT') AS can_read_authid,
       has_table_privilege('pg_hba_file_rules', 'SELECT') AND has_function_privilege('pg_hba_file_rules()', 'EXECUTE') AS can_read_hba,
       current_setting('server_version_num')::int AS server_version_num,
       extract(epoch FROM now())::float8 AS now
