// Part 1 of the seed's administration session: users and permissions.
// Data only (see ../types.ts): a role is created once and remembered, so a
// reset can drop it; a role that existed before keeps its password.
import type { Part } from '../types.js';

export const usersPart: Part = {
  number: 1,
  id: 'users',
  title: 'Users and permissions',
  minutes: 8,
  intro:
    'One role per job: the application writes, reporting reads, monitoring watches. Each gets exactly what it needs, on this database only.',
  steps: [
    {
      id: 'users.roles',
      title: 'Who is here: the roles of this server',
      explain:
        'Roles are server-wide (every database sees the same ones). A role with LOGIN is a user; without, a group. ' +
        'Look for superusers that are not the one you administer with: they bypass every permission.',
      seedFix:
        '\\du and \\z are psql commands, not SQL: no program but psql can send them. This is the query behind \\du.',
      screen: 'roles',
      action: {
        kind: 'query',
        sql: [
          {
            minVersion: 0,
            sql: `SELECT r.rolname AS role, r.rolsuper AS superuser, r.rolcreaterole AS create_role, r.rolcreatedb AS create_db,
       r.rolcanlogin AS login, r.rolconnlimit AS conn_limit, r.rolvaliduntil AS valid_until,
       array_to_string(ARRAY(SELECT g.rolname FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid
                             WHERE m.member = r.oid ORDER BY 1), ', ') AS member_of
  FROM pg_roles r
 WHERE r.rolname !~ '^pg_'
 ORDER BY r.rolname`,
          },
        ],
      },
    },
    {
      id: 'users.app-user',
      title: 'The application role: app_user',
      explain:
        'The application connects as app_user: it may connect to {database}, use and create in schema public, and read and ' +
        'write the tables and sequences that exist there now (default privileges, two steps on, cover tables made later).\n\n' +
        'The password is generated here and shown once. Only its SCRAM verifier is sent, so the password itself never ' +
        'reaches the server log, pg_stat_statements or pg_stat_activity.',
      seedFix:
        "The seed's passwords ('app_secure_pass_123'…) are printed in every copy of the seed: anyone can guess them. " +
        'And CREATE USER fails the second time you run it; here an existing role is kept (and a role someone else made keeps its password).',
      screen: 'roles',
      action: {
        kind: 'change',
        passwords: ['app_user'],
        statements: [
          {
            sql: 'CREATE ROLE app_user LOGIN PASSWORD {password:app_user}',
            unless: "SELECT 1 FROM pg_roles WHERE rolname = 'app_user'",
            creates: { label: 'role app_user', undo: ['DROP OWNED BY app_user', 'DROP ROLE app_user'] },
          },
          { sql: 'ALTER ROLE app_user LOGIN PASSWORD {password:app_user}', onlyIfCreatedBefore: 'role app_user' },
          { sql: 'GRANT CONNECT ON DATABASE {database} TO app_user' },
          { sql: 'GRANT USAGE, CREATE ON SCHEMA public TO app_user' },
          { sql: 'GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO app_user' },
          { sql: 'GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO app_user' },
        ],
      },
      checks: [
        {
          kind: 'role',
          criterion: 'app_user can log in and INSERT into the tables of public',
          role: 'app_user',
          login: true,
          probe: { kind: 'tables', privilege: 'INSERT', schema: 'public' },
          expect: 'allowed',
        },
      ],
    },
    {
      id: 'users.readonly-user',
      title: 'The reporting role: readonly_user',
      explain:
        'Reports and dashboards connect as readonly_user: SELECT on the tables of public, nothing else. ' +
        'A read-only role that can write is a bug waiting for a typo in a report.',
      seedFix: "Same as app_user: a generated password instead of the seed's 'readonly_pass_123'.",
      screen: 'roles',
      action: {
        kind: 'change',
        passwords: ['readonly_user'],
        statements: [
          {
            sql: 'CREATE ROLE readonly_user LOGIN PASSWORD {password:readonly_user}',
            unless: "SELECT 1 FROM pg_roles WHERE rolname = 'readonly_user'",
            creates: { label: 'role readonly_user', undo: ['DROP OWNED BY readonly_user', 'DROP ROLE readonly_user'] },
          },
          { sql: 'ALTER ROLE readonly_user LOGIN PASSWORD {password:readonly_user}', onlyIfCreatedBefore: 'role readonly_user' },
          { sql: 'GRANT CONNECT ON DATABASE {database} TO readonly_user' },
          { sql: 'GRANT USAGE ON SCHEMA public TO readonly_user' },
          { sql: 'GRANT SELECT ON ALL TABLES IN SCHEMA public TO readonly_user' },
        ],
      },
      checks: [
        {
          kind: 'role',
          criterion: 'readonly_user can log in and SELECT from the tables of public',
          role: 'readonly_user',
          login: true,
          probe: { kind: 'tables', privilege: 'SELECT', schema: 'public' },
          expect: 'allowed',
        },
        {
          kind: 'role',
          criterion: 'readonly_user cannot INSERT into any table of public',
          role: 'readonly_user',
          probe: { kind: 'tables', privilege: 'INSERT', schema: 'public' },
          expect: 'denied',
        },
      ],
    },
    {
      id: 'users.monitor-user',
      title: 'The monitoring role: monitor_user, a member of pg_monitor',
      explain:
        "Monitoring needs to see every session's query and every setting, and nothing more. PostgreSQL has a role for " +
        'exactly that: pg_monitor (pg_read_all_stats, pg_read_all_settings, pg_stat_scan_tables). pgtop itself runs well as such a role.',
      seedFix:
        'The seed grants SELECT on pg_stat_database and pg_stat_activity: every role can read those views already, and ' +
        "the grant does not show other users' queries (they stay <insufficient privilege>). pg_monitor does.",
      screen: 'activity',
      action: {
        kind: 'change',
        passwords: ['monitor_user'],
        statements: [
          {
            sql: 'CREATE ROLE monitor_user LOGIN PASSWORD {password:monitor_user}',
            unless: "SELECT 1 FROM pg_roles WHERE rolname = 'monitor_user'",
            creates: { label: 'role monitor_user', undo: ['DROP OWNED BY monitor_user', 'DROP ROLE monitor_user'] },
          },
          { sql: 'ALTER ROLE monitor_user LOGIN PASSWORD {password:monitor_user}', onlyIfCreatedBefore: 'role monitor_user' },
          { sql: 'GRANT CONNECT ON DATABASE {database} TO monitor_user' },
          { sql: 'GRANT pg_monitor TO monitor_user' },
        ],
      },
      checks: [
        {
          kind: 'role',
          criterion: "monitor_user can log in and see every session's query",
          role: 'monitor_user',
          login: true,
          probe: {
            kind: 'privileges',
            sql: `SELECT pg_has_role($1::name, 'pg_read_all_stats', 'USAGE') AS ok,
       CASE WHEN pg_has_role($1::name, 'pg_read_all_stats', 'USAGE')
            THEN 'it has pg_read_all_stats (through pg_monitor): every session''s query is visible to it (pg_has_role())'
            ELSE 'it lacks pg_read_all_stats: other roles'' queries show to it as <insufficient privilege> (pg_has_role())' END AS reason`,
          },
          expect: 'allowed',
        },
      ],
    },
    {
      id: 'users.default-privileges',
      title: 'Default privileges: tables created later',
      explain:
        'GRANT … ON ALL TABLES covers the tables that exist now. ALTER DEFAULT PRIVILEGES makes the grants for tables ' +
        'created later — but only for tables created by the role that ran it: here {user}. Tables a migration tool ' +
        'creates as another role need the same statement run as (or FOR ROLE) that role.',
      seedFix: "The seed's statements are right; what it does not say is the 'created by whom' catch above.",
      screen: 'roles',
      action: {
        kind: 'change',
        statements: [
          { sql: 'ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO app_user' },
          { sql: 'ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO app_user' },
          { sql: 'ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON TABLES TO readonly_user' },
        ],
      },
      checks: [
        {
          kind: 'sql',
          criterion: 'a table you create in public is writable by app_user and readable (only) by readonly_user',
          // Read from the default privileges themselves: a check never creates anything, not even in a transaction it rolls back.
          sql: `WITH acl AS (
  SELECT a.grantee, a.privilege_type
    FROM pg_default_acl d CROSS JOIN LATERAL aclexplode(d.defaclacl) AS a
   WHERE d.defaclrole = (SELECT oid FROM pg_roles WHERE rolname = current_user)
     AND d.defaclobjtype = 'r'
     AND d.defaclnamespace IN (0, (SELECT oid FROM pg_namespace WHERE nspname = 'public'))
), may AS (
  SELECT bool_or(a.privilege_type = 'INSERT' AND r.rolname = 'app_user') AS app_insert,
         bool_or(a.privilege_type = 'SELECT' AND r.rolname = 'readonly_user') AS readonly_select,
         bool_or(a.privilege_type = 'INSERT' AND r.rolname = 'readonly_user') AS readonly_insert
    FROM pg_roles r JOIN acl a ON a.grantee = 0 OR pg_has_role(r.oid, a.grantee, 'USAGE')
   WHERE r.rolname IN ('app_user', 'readonly_user')
)
SELECT coalesce(app_insert AND readonly_select AND NOT coalesce(readonly_insert, false), false) AS ok,
       format('tables %s creates in public get: app_user %s INSERT, readonly_user %s SELECT and %s INSERT (pg_default_acl)',
              current_user,
              CASE WHEN app_insert THEN 'may' ELSE 'may not' END,
              CASE WHEN readonly_select THEN 'may' ELSE 'may not' END,
              CASE WHEN readonly_insert THEN 'may' ELSE 'may not' END) AS reason
  FROM may`,
        },
      ],
    },
    {
      id: 'users.schemas',
      title: 'Schemas for the application, the audit log and reports',
      explain:
        'Schemas split a database into name spaces with their own permissions: app_user owns its work in app_data, ' +
        'readonly_user may look into app_data, audit_log and reporting. app_user finds its tables first in app_data ' +
        '(search_path), in {database} only.\n\n' +
        'A schema that exists already is used only when it is yours: the owner of a schema may drop and replace what is ' +
        'in it, so one made by another role stops this step (CREATE SCHEMA fails) instead of holding your objects.',
      seedFix:
        "The seed grants ALL on reporting to readonly_user: ALL includes CREATE, so the 'read-only' role could create " +
        'tables. USAGE is what reading needs. And ALTER USER … SET search_path applies in every database, where ' +
        'app_data may not exist: IN DATABASE {database} limits it to this one.',
      screen: 'roles',
      action: {
        kind: 'change',
        statements: [
          {
            sql: 'CREATE SCHEMA app_data',
            unless: "SELECT 1 FROM pg_namespace WHERE nspname = 'app_data' AND nspowner = (SELECT oid FROM pg_roles WHERE rolname = current_user)",
            creates: { label: 'schema app_data', undo: ['DROP SCHEMA app_data'] },
          },
          {
            sql: 'CREATE SCHEMA audit_log',
            unless: "SELECT 1 FROM pg_namespace WHERE nspname = 'audit_log' AND nspowner = (SELECT oid FROM pg_roles WHERE rolname = current_user)",
            creates: { label: 'schema audit_log', undo: ['DROP SCHEMA audit_log'] },
          },
          {
            sql: 'CREATE SCHEMA reporting',
            unless: "SELECT 1 FROM pg_namespace WHERE nspname = 'reporting' AND nspowner = (SELECT oid FROM pg_roles WHERE rolname = current_user)",
            creates: { label: 'schema reporting', undo: ['DROP SCHEMA reporting'] },
          },
          { sql: 'GRANT USAGE, CREATE ON SCHEMA app_data TO app_user' },
          { sql: 'GRANT USAGE ON SCHEMA app_data, audit_log, reporting TO readonly_user' },
          { sql: 'ALTER ROLE app_user IN DATABASE {database} SET search_path TO app_data, public' },
        ],
      },
      checks: [
        {
          kind: 'role',
          criterion: 'app_user can create tables in app_data',
          role: 'app_user',
          probe: { kind: 'create', schema: 'app_data' },
          expect: 'allowed',
        },
        {
          kind: 'role',
          criterion: 'readonly_user cannot create tables in reporting',
          role: 'readonly_user',
          probe: { kind: 'create', schema: 'reporting' },
          expect: 'denied',
        },
        {
          kind: 'sql',
          criterion: "app_user's search_path in {database} is app_data, public",
          sql: `SELECT coalesce(bool_or(c = 'search_path=app_data, public'), false) AS ok,
       coalesce(string_agg(c, '; '), 'app_user has no settings in this database') AS reason
  FROM pg_db_role_setting s CROSS JOIN unnest(s.setconfig) AS c
 WHERE s.setrole = (SELECT oid FROM pg_roles WHERE rolname = 'app_user')
   AND s.setdatabase = (SELECT oid FROM pg_database WHERE datname = current_database())`,
        },
      ],
    },
  ],
};
