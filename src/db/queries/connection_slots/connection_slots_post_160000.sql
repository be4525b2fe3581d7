-- Connection slots: client backends against max_connections less the slots reserved for superusers and for pg_use_reserved_connections, and who holds the most (PostgreSQL 16+)
-- Ordinary roles are refused at max_connections - superuser_reserved_connections - reserved_connections; every backend's row is listed without pg_read_all_stats.
WITH clients AS (
  SELECT coalesce(a.usename::text, '') AS user_name, coalesce(a.application_name, '') AS application
  FROM pg_stat_activity a
  WHERE a.backend_type = 'client backend'
)
SELECT (SELECT count(*) FROM clients)::int AS client_backends,
       current_setting('max_connections')::int AS max_connections,
       current_setting('superuser_reserved_connections')::int AS superuser_reserved,
       current_setting('reserved_connections')::int AS reserved,
       (SELECT coalesce(json_agg(json_build_array(t.name, t.n) ORDER BY t.n DESC, t.name), '[]'::json)
          FROM (SELECT c.user_name AS name, count(*)::int AS n FROM clients c GROUP BY c.user_name ORDER BY n DESC, name LIMIT 3) t) AS top_users,
       (SELECT coalesce(json_agg(json_build_array(t.name, t.n) ORDER BY t.n DESC, t.name), '[]'::json)
          FROM (SELECT c.application AS name, count(*)::int AS n FROM clients c GROUP BY c.application ORDER BY n DESC, name LIMIT 3) t) AS top_applications
