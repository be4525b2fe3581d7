-- pg_hba.conf rules as the server parsed them, for the audit; needs superuser or a grant on pg_hba_file_rules (PostgreSQL 13-15)
SELECT line_number, NULL::text AS file_name, type, database, user_name, address, netmask, auth_method, error
FROM pg_hba_file_rules
ORDER BY line_number
