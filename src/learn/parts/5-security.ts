// Part 5 of the seed's administration session: security audit and
// hardening. Data only (see ../types.ts).
import type { Part } from '../types.js';

export const securityPart: Part = {
  number: 5,
  id: 'security',
  title: 'Security audit',
  minutes: 5,
  intro:
    'Who may do what, from where, and what PUBLIC — every role, including ones created tomorrow — may do without anyone granting it.',
  params: [
    {
      name: 'public_only_roles',
      // Login roles (not superusers, not the owner) whose CONNECT comes only from PUBLIC: the harden step would lock them out.
      sql: `SELECT string_agg(r.rolname, ', ' ORDER BY r.rolname)
  FROM pg_roles r, pg_database d
 WHERE d.datname = current_database() AND r.rolcanlogin AND NOT r.rolsuper AND r.oid <> d.datdba
   AND NOT EXISTS (SELECT 1 FROM aclexplode(coalesce(d.datacl, acldefault('d', d.datdba))) AS a
                    WHERE a.privilege_type = 'CONNECT' AND a.grantee <> 0 AND pg_has_role(r.oid, a.grantee, 'USAGE'))`,
      missing: 'none',
    },
  ],
  steps: [
    {
      id: 'security.roles',
      title: 'Roles and their powers',
      explain:
        'SUPERUSER bypasses every check; CREATEROLE can make (and in older versions take over) other roles; a role ' +
        'without VALID UNTIL keeps its password forever. The finding column says what deserves a second look.',
      seedFix: "The seed's role query is right; it just leaves the reading to you.",
      screen: 'roles',
      action: {
        kind: 'query',
        sql: [
          {
            minVersion: 0,
            sql: `SELECT rolname AS role, rolsuper AS superuser, rolcreaterole AS create_role, rolcreatedb AS create_db,
       rolcanlogin AS login, rolconnlimit AS conn_limit, rolvaliduntil AS valid_until,
       CASE WHEN rolsuper AND rolcanlogin AND oid <> 10 THEN 'a second login superuser: work as a normal role'
            WHEN rolcreaterole AND NOT rolsuper THEN 'can create and manage roles'
            WHEN rolcanlogin AND rolvaliduntil IS NULL AND NOT rolsuper THEN 'password never expires'
       END AS finding
  FROM pg_roles
 WHERE rolname !~ '^pg_'
 ORDER BY rolsuper DESC, rolname`,
          },
        ],
      },
    },
    {
      id: 'security.privileges',
      title: 'What each login role may do with the tables of public',
      explain:
        'has_table_privilege() asks the server the real question, counting privileges that come through group roles ' +
        'and through PUBLIC. Superusers are left out: they may do everything.',
      seedFix:
        'pg_stat_user_tables has no tableowner, hasselect, hasinsert… columns (no view has them): the seed’s ' +
        'privilege query fails.',
      screen: 'roles',
      action: {
        kind: 'query',
        sql: [
          {
            minVersion: 0,
            sql: `SELECT r.rolname AS role, format('%I.%I', n.nspname, c.relname) AS table,
       has_table_privilege(r.oid, c.oid, 'SELECT') AS "select", has_table_privilege(r.oid, c.oid, 'INSERT') AS "insert",
       has_table_privilege(r.oid, c.oid, 'UPDATE') AS "update", has_table_privilege(r.oid, c.oid, 'DELETE') AS "delete"
  FROM pg_roles r CROSS JOIN pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE r.rolcanlogin AND NOT r.rolsuper AND c.relkind IN ('r', 'p', 'v', 'm') AND n.nspname = 'public'
 ORDER BY 1, 2
 LIMIT 200`,
          },
        ],
      },
    },
    {
      id: 'security.connections',
      title: 'How clients may connect: pg_hba.conf as the server read it',
      explain:
        "Each line says which users may reach which databases from where, and how they prove who they are. 'trust' " +
        "asks for nothing; 'md5' and 'password' are weaker than 'scram-sha-256'; 'host' (rather than 'hostssl') also " +
        'accepts unencrypted connections.',
      seedFix:
        'kubectl exec … cat pg_hba.conf needs a shell in the pod and shows a file, maybe not the one loaded. The view ' +
        'pg_hba_file_rules (PostgreSQL 10+) shows what the server parsed, with any errors (superusers, or pg_read_server_files).',
      screen: 'roles',
      action: {
        kind: 'query',
        sql: [
          {
            minVersion: 0,
            sql: `SELECT line_number AS line, type, array_to_string(database, ',') AS database, array_to_string(user_name, ',') AS users,
       coalesce(address, '') AS address, auth_method AS method,
       CASE WHEN error IS NOT NULL THEN 'error: ' || error
            WHEN auth_method = 'trust' AND type <> 'local' THEN 'no password at all, over the network'
            WHEN auth_method = 'trust' THEN 'no password for local connections'
            WHEN auth_method IN ('md5', 'password') THEN 'use scram-sha-256'
            WHEN type = 'host' AND coalesce(address, '') NOT IN ('127.0.0.1', '::1') THEN 'unencrypted connections accepted'
       END AS finding
  FROM pg_hba_file_rules
 ORDER BY line_number`,
          },
        ],
      },
    },
    {
      id: 'security.harden',
      title: "Take away PUBLIC's defaults",
      explain:
        'Every role is a member of PUBLIC. By default PUBLIC may connect to every database and (before PostgreSQL 15, ' +
        'and in databases upgraded from then) create tables in schema public. This step revokes both for {database} ' +
        'and grants CONNECT to you. Login roles that connect only through PUBLIC today lose access: {public_only_roles}.',
      seedFix:
        'The seed revokes PUBLIC’s privileges on the database and grants CONNECT back to nobody: every role that relied ' +
        'on PUBLIC is locked out, possibly you. pgtop names them first, and the roles of part 1 got their own CONNECT.',
      screen: 'roles',
      action: {
        kind: 'change',
        statements: [
          { sql: 'REVOKE CREATE ON SCHEMA public FROM PUBLIC' },
          { sql: 'REVOKE ALL ON DATABASE {database} FROM PUBLIC' },
          { sql: 'GRANT CONNECT ON DATABASE {database} TO {user}' },
        ],
      },
      checks: [
        {
          kind: 'sql',
          criterion: 'PUBLIC has no privileges on database {database}',
          sql: `SELECT NOT EXISTS (SELECT 1 FROM aclexplode(coalesce(d.datacl, acldefault('d', d.datdba))) AS a WHERE a.grantee = 0) AS ok,
       coalesce((SELECT 'PUBLIC may still ' || string_agg(a.privilege_type, ', ')
                   FROM aclexplode(coalesce(d.datacl, acldefault('d', d.datdba))) AS a WHERE a.grantee = 0),
                'only roles granted by name may connect') AS reason
  FROM pg_database d WHERE d.datname = current_database()`,
        },
        {
          kind: 'role',
          criterion: 'readonly_user cannot create tables in schema public',
          role: 'readonly_user',
          probe: { kind: 'create', schema: 'public' },
          expect: 'denied',
        },
      ],
    },
    {
      id: 'security.audit-view',
      title: 'A security audit view for the monitoring role',
      explain:
        'A view that lists the login roles and their powers, in the reporting schema, readable by monitor_user: the ' +
        'audit above as one SELECT, for whatever watches this server.',
      seedFix:
        'The seed creates the view in public, where every role can use it (and, with the default privileges of part 1, ' +
        'readonly_user gets it too). A schema of its own and one grant say who it is for.',
      screen: 'roles',
      action: {
        kind: 'change',
        statements: [
          {
            sql: `CREATE VIEW reporting.security_audit AS
SELECT rolname, rolsuper, rolcreaterole, rolcreatedb, rolcanlogin, rolconnlimit, rolvaliduntil
  FROM pg_roles WHERE rolcanlogin`,
            unless: "SELECT 1 FROM pg_views WHERE schemaname = 'reporting' AND viewname = 'security_audit' AND viewowner = current_user",
            creates: { label: 'view reporting.security_audit', undo: ['DROP VIEW reporting.security_audit'] },
          },
          { sql: 'GRANT USAGE ON SCHEMA reporting TO monitor_user' },
          { sql: 'GRANT SELECT ON reporting.security_audit TO monitor_user' },
        ],
        show: 'SELECT * FROM reporting.security_audit ORDER BY rolname',
      },
      checks: [
        {
          kind: 'role',
          criterion: 'monitor_user can read reporting.security_audit',
          role: 'monitor_user',
          // Asked of the privileges, not by reading the view as monitor_user: nothing runs as another role on pgtop's connection.
          probe: {
            kind: 'privileges',
            sql: `SELECT CASE WHEN to_regclass('reporting.security_audit') IS NULL THEN false
            ELSE has_schema_privilege($1::name, 'reporting', 'USAGE') AND has_table_privilege($1::name, 'reporting.security_audit', 'SELECT') END AS ok,
       CASE WHEN to_regclass('reporting.security_audit') IS NULL THEN 'reporting.security_audit does not exist'
            WHEN NOT has_schema_privilege($1::name, 'reporting', 'USAGE') THEN 'no USAGE on schema reporting (has_schema_privilege())'
            WHEN has_table_privilege($1::name, 'reporting.security_audit', 'SELECT') THEN 'USAGE on reporting and SELECT on the view (has_table_privilege())'
            ELSE 'no SELECT on reporting.security_audit (has_table_privilege())' END AS reason`,
          },
          expect: 'allowed',
        },
      ],
    },
  ],
};
