// What a role may do, in words: the privilege facts of the roles screen's
// queries grouped into lines ("SELECT, INSERT on 12/12 tables in public").
// Pure; used by the role details and their tests.
import type { PrivilegeFact, Role } from './roles.js';

/** What the predefined roles a role may be a member of give it. */
export const PREDEFINED_ROLES: Record<string, string> = {
  pg_monitor: 'reads all statistics and settings (pg_read_all_settings, pg_read_all_stats, pg_stat_scan_tables)',
  pg_read_all_data: 'SELECT on every table, view and sequence (14+)',
  pg_write_all_data: 'INSERT, UPDATE, DELETE on every table (14+)',
  pg_read_all_settings: 'reads every setting, even superuser-only ones',
  pg_read_all_stats: "sees every session's query and all statistics",
  pg_stat_scan_tables: 'runs monitoring functions that may lock tables',
  pg_signal_backend: "cancels and terminates other roles' sessions (not superusers')",
  pg_database_owner: 'owner of the current database (implicit)',
  pg_checkpoint: 'runs CHECKPOINT (15+)',
  pg_maintain: 'VACUUM, ANALYZE, REINDEX… on every table (17+)',
  pg_use_reserved_connections: 'uses reserved_connections slots (16+)',
  pg_create_subscription: 'creates subscriptions (16+)',
  pg_read_server_files: "reads the server's files (COPY FROM a file): close to superuser",
  pg_write_server_files: "writes the server's files (COPY TO a file): close to superuser",
  pg_execute_server_program: 'runs programs on the server (COPY … PROGRAM): close to superuser',
};

const PRIVILEGE_ORDER = ['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'REFERENCES', 'TRIGGER', 'MAINTAIN', 'USAGE', 'CREATE', 'CONNECT', 'TEMPORARY', 'EXECUTE'];

function byPrivilegeOrder(a: string, b: string): number {
  return (PRIVILEGE_ORDER.indexOf(a) + 1 || 99) - (PRIVILEGE_ORDER.indexOf(b) + 1 || 99) || a.localeCompare(b);
}

function plural(word: string, n: number): string {
  return n === 1 ? word : `${word}s`;
}

/** "SELECT, INSERT on 12/12 tables in public", one per group of privileges that cover the same objects. */
export function grantLines(facts: readonly PrivilegeFact[]): string[] {
  const groups = new Map<string, { label: string; privileges: string[] }>();
  for (const f of facts) {
    if (f.kind !== 'grant' || !f.privilege) continue;
    let label: string;
    if (f.objectType === 'database') label = `database ${f.database}`;
    else if (f.objectType === 'schema') label = `schema ${f.schema ?? ''}`;
    else label = `${f.objects}/${f.total} ${plural(f.objectType, f.total)} in ${f.schema ?? ''}`;
    const group = groups.get(label) ?? { label, privileges: [] };
    group.privileges.push(f.privilege + (f.grantable ? ' (grantable)' : ''));
    groups.set(label, group);
  }
  return [...groups.values()].map((g) => `${g.privileges.sort(byPrivilegeOrder).join(', ')} on ${g.label}`);
}

/**
 * Default privileges, from the grantee's side ("SELECT on tables postgres
 * creates in public") or from the creator's ("SELECT to app on its new tables
 * in public").
 */
export function defaultPrivilegeLines(facts: readonly PrivilegeFact[], side: 'grantee' | 'creator' = 'grantee'): string[] {
  const groups = new Map<string, string[]>();
  for (const f of facts) {
    if (f.kind !== 'default' || !f.privilege) continue;
    const where = f.schema ? ` in ${f.schema}` : ' in every schema';
    const label = side === 'grantee' ? `${f.objectType}s ${f.creator ?? '?'} creates${where}` : `to ${f.role} on its new ${f.objectType}s${where}`;
    groups.set(label, [...(groups.get(label) ?? []), f.privilege]);
  }
  return [...groups].map(([label, privileges]) => `${privileges.sort(byPrivilegeOrder).join(', ')} ${side === 'grantee' ? 'on ' : ''}${label}`);
}

/** The roles a role inherits privileges from, directly or through others (SET ROLE-only memberships excluded). */
export function inheritedRoles(role: Role, roles: readonly Role[]): string[] {
  const byName = new Map(roles.map((r) => [r.name, r]));
  const seen = new Set<string>();
  const walk = (r: Role | undefined) => {
    if (!r || !r.inherit) return;
    for (const m of r.memberOf) {
      if (!m.inherit || seen.has(m.role)) continue;
      seen.add(m.role);
      walk(byName.get(m.role));
    }
  };
  walk(role);
  return [...seen];
}

/** "superuser, login, create role…", in words. */
export function attributeWords(role: Role): string[] {
  return [
    role.superuser ? 'superuser' : '',
    role.canLogin ? 'login' : 'no login',
    role.createRole ? 'create role' : '',
    role.createDb ? 'create db' : '',
    role.replication ? 'replication' : '',
    role.bypassRls ? 'bypass RLS' : '',
    role.inherit ? '' : 'no inherit',
  ].filter(Boolean);
}

/** The same, short, for the table; a superuser is just that (it bypasses every other check). */
export function attributeFlags(role: Role): string {
  if (role.superuser) return role.canLogin ? 'superuser login' : 'superuser';
  return [
    role.canLogin ? 'login' : '',
    role.createRole ? 'createrole' : '',
    role.createDb ? 'createdb' : '',
    role.replication ? 'replication' : '',
    role.bypassRls ? 'bypassrls' : '',
    role.inherit ? '' : 'noinherit',
  ]
    .filter(Boolean)
    .join(' ');
}
