-- pg_hba.conf rules as the server parsed them, with the file of each (16 added include files); needs superuser or a grant on pg_hba_file_rules (PostgreSQL 16+)
SELECT line_number, file_name, type, database, user_name, address, netmask, auth_method, error
FROM pg_hba_file_rules
ORDER BY rule_number NULLS LAST, line_number
