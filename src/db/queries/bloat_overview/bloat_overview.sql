-- Bloat: the autovacuum settings, and every database's transaction ID age against autovacuum_freeze_max_age and wraparound (PostgreSQL 13+)
SELECT (SELECT json_object_agg(s.name, s.setting || coalesce(s.unit, ''))
        FROM pg_settings s
        WHERE s.name LIKE 'autovacuum%' OR s.name IN ('track_counts', 'vacuum_cost_delay', 'vacuum_cost_limit')) AS settings,
       current_setting('autovacuum_freeze_max_age')::float8 AS freeze_max_age,
       current_setting('autovacuum_multixact_freeze_max_age')::float8 AS multixact_freeze_max_age,
       (SELECT json_agg(json_build_object(
                 'database', d.datname,
                 'current', d.datname = current_database(),
                 'allow_connections', d.datallowconn,
                 'xid_age', age(d.datfrozenxid),
                 'mxid_age', mxid_age(d.datminmxid)) ORDER BY age(d.datfrozenxid) DESC)
        FROM pg_database d) AS databases
