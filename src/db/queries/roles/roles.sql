-- Roles: attributes, memberships, members and per-role settings, one row per role; the predefined pg_* roles show only as memberships (PostgreSQL 13-15)
WITH sessions AS (
  SELECT usesysid, count(*)::int AS n FROM pg_stat_activity WHERE usesysid IS NOT NULL GROUP BY usesysid
)
SELECT r.oid::int8 AS oid,
       r.rolname AS name,
       r.rolsuper AS superuser,
       r.rolinherit AS inherit,
       r.rolcreaterole AS create_role,
       r.rolcreatedb AS create_db,
       r.rolcanlogin AS can_login,
       r.rolreplication AS replication,
       r.rolbypassrls AS bypass_rls,
       r.rolconnlimit AS connection_limit,
       -- 'infinity' reads as no expiry; the epoch is null then.
       CASE WHEN r.rolvaliduntil = 'infinity' THEN NULL ELSE extract(epoch FROM r.rolvaliduntil)::float8 END AS valid_until,
       r.oid = 10 AS bootstrap,
       coalesce(s.n, 0) AS sessions,
       shobj_description(r.oid, 'pg_authid') AS description,
       coalesce((SELECT json_agg(json_build_object('role', g.rolname, 'admin', m.admin_option, 'inherit', r.rolinherit) ORDER BY g.rolname)
                 FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid
                 WHERE m.member = r.oid), '[]') AS member_of,
       ARRAY(SELECT u.rolname FROM pg_auth_members m JOIN pg_roles u ON u.oid = m.member
             WHERE m.roleid = r.oid ORDER BY u.rolname) AS members,
       coalesce((SELECT json_agg(json_build_object('database', d.datname, 'setting', c) ORDER BY d.datname NULLS FIRST, c)
                 FROM pg_db_role_setting rs
                 LEFT JOIN pg_database d ON d.oid = rs.setdatabase
                 CROSS JOIN LATERAL unnest(rs.setconfig) AS c
                 WHERE rs.setrole = r.oid), '[]') AS settings
FROM pg_roles r
LEFT JOIN sessions s ON s.usesysid = r.oid
WHERE r.rolname !~ '^pg_'
ORDER BY r.rolname
