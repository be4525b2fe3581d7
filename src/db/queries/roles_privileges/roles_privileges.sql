-- Privileges (aclexplode of the real ACLs), default privileges (pg_default_acl) and ownership, summed up per role, schema and kind: this database's schemas, tables and sequences, and every database (PostgreSQL 13+)
-- A NULL ACL means the built-in default (acldefault), e.g. CONNECT and TEMP for PUBLIC on a database.
-- An owner's own entries are left out: ownership is listed as kind 'owner'.
WITH schemas AS (
  SELECT n.oid, n.nspname, n.nspowner, coalesce(n.nspacl, acldefault('n', n.nspowner)) AS acl
  FROM pg_namespace n
  WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname !~ '^pg_(toast|temp_)'
), relation_groups AS (
  -- Tables sharing an owner and an ACL (most of them) are exploded once: cheap with many tables.
  SELECT s.nspname,
         CASE WHEN c.relkind = 'S' THEN 'sequence' ELSE 'table' END AS object_type,
         c.relowner,
         c.relacl,
         count(*)::int AS n
  FROM pg_class c JOIN schemas s ON s.oid = c.relnamespace
  WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S')
  GROUP BY 1, 2, 3, 4
), totals AS (
  SELECT nspname, object_type, sum(n)::int AS total FROM relation_groups GROUP BY nspname, object_type
), databases AS (
  SELECT d.datname, d.datdba, coalesce(d.datacl, acldefault('d', d.datdba)) AS acl
  FROM pg_database d
  WHERE NOT d.datistemplate
)
SELECT 'grant' AS kind, 'database' AS object_type, d.datname AS database, NULL::text AS schema,
       CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE pg_get_userbyid(a.grantee) END AS role,
       NULL::text AS creator, a.privilege_type AS privilege, a.is_grantable AS grantable, 1 AS objects, 1 AS total
FROM databases d CROSS JOIN LATERAL aclexplode(d.acl) a
WHERE a.grantee <> d.datdba
UNION ALL
SELECT 'grant', 'schema', current_database(), s.nspname,
       CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE pg_get_userbyid(a.grantee) END,
       NULL, a.privilege_type, a.is_grantable, 1, 1
FROM schemas s CROSS JOIN LATERAL aclexplode(s.acl) a
WHERE a.grantee <> s.nspowner
UNION ALL
SELECT 'grant', g.object_type, current_database(), g.nspname,
       CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE pg_get_userbyid(a.grantee) END,
       NULL, a.privilege_type, bool_or(a.is_grantable), sum(g.n)::int, min(t.total)
FROM relation_groups g
CROSS JOIN LATERAL aclexplode(coalesce(g.relacl, acldefault((CASE WHEN g.object_type = 'sequence' THEN 's' ELSE 'r' END)::"char", g.relowner))) a
JOIN totals t ON t.nspname = g.nspname AND t.object_type = g.object_type
WHERE a.grantee <> g.relowner
GROUP BY g.object_type, g.nspname, a.grantee, a.privilege_type
UNION ALL
SELECT 'default',
       CASE da.defaclobjtype WHEN 'r' THEN 'table' WHEN 'S' THEN 'sequence' WHEN 'f' THEN 'function' WHEN 'T' THEN 'type' WHEN 'n' THEN 'schema' ELSE da.defaclobjtype::text END,
       current_database(), n.nspname,
       CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE pg_get_userbyid(a.grantee) END,
       pg_get_userbyid(da.defaclrole), a.privilege_type, a.is_grantable, 0, 0
FROM pg_default_acl da
LEFT JOIN pg_namespace n ON n.oid = da.defaclnamespace
CROSS JOIN LATERAL aclexplode(da.defaclacl) a
WHERE a.grantee <> da.defaclrole
UNION ALL
SELECT 'owner', 'database', d.datname, NULL, pg_get_userbyid(d.datdba), NULL, NULL, false, 1, 1
FROM databases d
UNION ALL
SELECT 'owner', 'schema', current_database(), s.nspname, pg_get_userbyid(s.nspowner), NULL, NULL, false, 1, 1
FROM schemas s
UNION ALL
SELECT 'owner', g.object_type, current_database(), g.nspname, pg_get_userbyid(g.relowner), NULL, NULL, false, sum(g.n)::int, min(t.total)
FROM relation_groups g JOIN totals t ON t.nspname = g.nspname AND t.object_type = g.object_type
GROUP BY g.object_type, g.nspname, g.relowner
UNION ALL
SELECT 'owner', 'function', current_database(), s.nspname, pg_get_userbyid(p.proowner), NULL, NULL, false, count(*)::int, count(*)::int
FROM pg_proc p JOIN schemas s ON s.oid = p.pronamespace
GROUP BY s.nspname, p.proowner
