// The security audit: pure rules over what the roles screen's queries read
// (roles, privileges, settings, stored password kinds, pg_hba.conf rules).
// Each finding says how bad it is, the evidence, and the fix as SQL. A check
// that needs more than this role may read says so ("unchecked") instead of
// passing silently.
import { quoteIdent } from '../sql/quote.js';
import type { HbaRule, PrivilegeFact, Role, SecuritySettings, StoredPassword } from './roles.js';

export type Severity = 'high' | 'medium' | 'low' | 'info' | 'unchecked';
export const SEVERITIES: readonly Severity[] = ['high', 'medium', 'low', 'info', 'unchecked'];

export type CheckId =
  | 'superuser-login'
  | 'bootstrap-superuser-login'
  | 'login-without-password'
  | 'password-never-expires'
  | 'md5-password'
  | 'passwords-unchecked'
  | 'password-encryption'
  | 'ssl-off'
  | 'hba-trust'
  | 'hba-password'
  | 'hba-open-address'
  | 'hba-error'
  | 'hba-unchecked'
  | 'public-create'
  | 'database-public'
  | 'createrole'
  | 'bypassrls'
  | 'login-owns-objects';

/** What each check is called, and why it matters, in a line each. */
export const CHECKS: Record<CheckId, { title: string; why: string }> = {
  'superuser-login': { title: 'superuser that can log in', why: 'a superuser bypasses every privilege check; a leaked password gives away the whole server' },
  'bootstrap-superuser-login': { title: 'bootstrap superuser can log in', why: 'initdb\'s superuser is needed for administration: keep it off the network and away from applications' },
  'login-without-password': { title: 'login role without a password', why: 'it gets in only through trust, peer, ident or cert rules: with trust, anyone can be it' },
  'password-never-expires': { title: 'password never expires', why: 'other roles have VALID UNTIL, this one does not: the policy has a gap' },
  'md5-password': { title: 'md5 password hash', why: 'md5 hashes can be replayed and cracked; SCRAM-SHA-256 (PostgreSQL 10+) cannot be replayed' },
  'passwords-unchecked': { title: 'stored passwords not checked', why: 'reading pg_authid needs superuser' },
  'password-encryption': { title: 'password_encryption not scram', why: 'new passwords are stored as md5 hashes' },
  'ssl-off': { title: 'ssl is off', why: 'passwords of md5/password rules and all data cross the network in clear text' },
  'hba-trust': { title: 'pg_hba.conf rule with trust', why: 'trust lets anyone who reaches the server connect as any role, superusers too, without a password' },
  'hba-password': { title: 'pg_hba.conf rule with password', why: 'the password method sends the password in clear text' },
  'hba-open-address': { title: 'pg_hba.conf rule: any address', why: 'any host on any network may try to log in' },
  'hba-error': { title: 'pg_hba.conf line in error', why: 'the server keeps the rules it last loaded until the file parses' },
  'hba-unchecked': { title: 'pg_hba.conf not checked', why: 'pg_hba_file_rules needs superuser or a grant' },
  'public-create': { title: 'PUBLIC may CREATE in a schema', why: 'any role can plant tables or functions that others find through search_path (CVE-2018-1058); the default before PostgreSQL 15' },
  'database-public': { title: 'PUBLIC may connect to database', why: 'every role, present and future, may connect and create temporary tables' },
  createrole: { title: 'role with CREATEROLE', why: 'it can create roles and grant their memberships: close to superuser before PostgreSQL 16' },
  bypassrls: { title: 'role with BYPASSRLS', why: 'row-level security policies do not apply to it' },
  'login-owns-objects': { title: 'login role owns objects', why: 'an owner can ALTER and DROP its objects and grant them away: applications should not own their tables' },
};

export interface Finding {
  /** Stable across refreshes: check + subject. */
  id: string;
  check: CheckId;
  severity: Severity;
  title: string;
  /** What it is about: a role, a database, "pg_hba.conf line 89", "server". */
  subject: string;
  /** The role the finding is about, when it is one (P changes its password). */
  role?: string;
  evidence: string;
  why: string;
  /** The fix as SQL; comments say what SQL cannot do (edit a file, choose a role). */
  fix: string;
}

export interface AuditInput {
  roles: readonly Role[];
  facts: readonly PrivilegeFact[];
  server: SecuritySettings | null;
  /** null: not readable by this role (or not loaded). */
  passwords: readonly StoredPassword[] | null;
  hba: readonly HbaRule[] | null;
}

const RELOAD = 'SELECT pg_reload_conf();';

function finding(check: CheckId, severity: Severity, subject: string, evidence: string, fix: string, role?: string): Finding {
  return { id: `${check}:${subject}`, check, severity, title: CHECKS[check].title, subject, role, evidence, why: CHECKS[check].why, fix };
}

const ident = quoteIdent;

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function isoDate(epochSeconds: number): string {
  return new Date(epochSeconds * 1000).toISOString().slice(0, 10);
}

function roleFindings(input: AuditInput): Finding[] {
  const out: Finding[] = [];
  const passwordOf = new Map(input.passwords?.map((p) => [p.role, p.kind]) ?? []);
  const now = input.server?.now ?? Date.now() / 1000;
  const login = input.roles.filter((r) => r.canLogin);
  // Roles that may log in by password: with the stored kinds, those that have one; without, every login role.
  const withPassword = login.filter((r) => (input.passwords ? (passwordOf.get(r.name) ?? 'none') !== 'none' : true));
  // The bootstrap superuser has its own finding; an expiring password could lock the administrator out.
  const expiring = withPassword.filter((r) => r.validUntil !== null);

  for (const r of input.roles) {
    const name = ident(r.name);
    if (r.superuser && r.canLogin) {
      if (r.bootstrap) {
        out.push(finding('bootstrap-superuser-login', 'info', r.name, `${name} (made by initdb) is SUPERUSER and LOGIN`,
          `-- keep ${name} for administration from trusted hosts; give applications their own roles (n)`, r.name));
      } else {
        out.push(finding('superuser-login', 'high', r.name, `${name} is SUPERUSER and LOGIN`,
          `ALTER ROLE ${name} NOSUPERUSER;\n-- then grant it only what it needs (CREATEDB, pg_monitor, a read-write profile…)`, r.name));
      }
    }
    if (!r.superuser && r.createRole) {
      out.push(finding('createrole', 'medium', r.name, `${name} has CREATEROLE`, `ALTER ROLE ${name} NOCREATEROLE;`, r.name));
    }
    if (!r.superuser && r.bypassRls) {
      out.push(finding('bypassrls', 'medium', r.name, `${name} has BYPASSRLS`, `ALTER ROLE ${name} NOBYPASSRLS;`, r.name));
    }
    if (!r.canLogin) continue;
    const stored = input.passwords ? (passwordOf.get(r.name) ?? 'none') : null;
    if (stored === 'none') {
      out.push(finding('login-without-password', 'medium', r.name, `${name} can log in and has no password`,
        `-- press P on ${name} to set one (pgtop sends a SCRAM verifier), or, if it should not log in:\nALTER ROLE ${name} NOLOGIN;`, r.name));
    }
    if (stored === 'md5') {
      out.push(finding('md5-password', 'medium', r.name, `${name} has an md5 password hash`,
        `-- press P on ${name}: pgtop stores a new password as a SCRAM-SHA-256 verifier (psql: \\password ${name})`, r.name));
    }
    if (stored !== 'none' && r.validUntil === null && expiring.length > 0 && !r.bootstrap) {
      const others = expiring.slice(0, 3).map((e) => ident(e.name)).join(', ') + (expiring.length > 3 ? '…' : '');
      out.push(finding('password-never-expires', 'low', r.name, `${name} has no VALID UNTIL while ${others} ${expiring.length === 1 ? 'expires' : 'expire'}`,
        `ALTER ROLE ${name} VALID UNTIL '${isoDate(now + 365 * 86400)}';`, r.name));
    }
  }
  if (input.passwords === null && input.server) {
    out.push(finding('passwords-unchecked', 'unchecked', 'pg_authid',
      `${ident(input.server.user)} is not a superuser: login roles without a password and md5 hashes are not checked`,
      '-- run the audit as a superuser to check stored passwords'));
  }
  return out;
}

function serverFindings(server: SecuritySettings | null): Finding[] {
  if (!server) return [];
  const out: Finding[] = [];
  if (server.passwordEncryption !== 'scram-sha-256') {
    out.push(finding('password-encryption', 'medium', 'server', `password_encryption = ${server.passwordEncryption}`,
      `ALTER SYSTEM SET password_encryption = 'scram-sha-256';\n${RELOAD}\n-- then set new passwords for roles with md5 hashes (P)`));
  }
  if (!server.ssl) {
    out.push(finding('ssl-off', 'medium', 'server', 'ssl = off',
      `-- put server.crt and server.key in the data directory (or set ssl_cert_file, ssl_key_file), then:\nALTER SYSTEM SET ssl = on;\n${RELOAD}`));
  }
  return out;
}

/** "host all all 0.0.0.0/0 trust", as the line reads in pg_hba.conf. */
export function hbaLine(rule: HbaRule): string {
  const address = rule.address === null ? '' : rule.netmask && rule.address !== 'all' ? `${rule.address}/${maskBits(rule.netmask)}` : rule.address;
  return [rule.type, rule.databases.join(','), rule.users.join(','), address, rule.method ?? ''].filter(Boolean).join(' ');
}

function maskBits(netmask: string): string {
  if (netmask.includes(':')) {
    const bits = netmask.split(':').reduce((n, part) => n + (part === '' ? 0 : popcount(parseInt(part, 16))), 0);
    return String(bits);
  }
  return String(netmask.split('.').reduce((n, part) => n + popcount(Number(part)), 0));
}

function popcount(n: number): number {
  let bits = 0;
  for (let v = n; v > 0; v >>= 1) bits += v & 1;
  return bits;
}

function isOpenAddress(rule: HbaRule): boolean {
  if (!rule.type.startsWith('host') || rule.method === 'reject') return false;
  if (rule.address === 'all') return true;
  return (rule.address === '0.0.0.0' && rule.netmask === '0.0.0.0') || (rule.address === '::' && rule.netmask === '::');
}

function hbaFindings(input: AuditInput): Finding[] {
  const server = input.server;
  if (!server) return [];
  if (input.hba === null) {
    const who = ident(server.user);
    return [finding('hba-unchecked', 'unchecked', 'pg_hba.conf',
      `${who} may not read pg_hba_file_rules: trust, password and open-address rules are not checked`,
      `-- run the audit as a superuser, or let ${who} read the rules:\nGRANT SELECT ON pg_hba_file_rules TO ${who};\nGRANT EXECUTE ON FUNCTION pg_hba_file_rules() TO ${who};`)];
  }
  const out: Finding[] = [];
  for (const rule of input.hba) {
    const file = rule.file ?? server.hbaFile ?? 'pg_hba.conf';
    const where = `pg_hba.conf line ${rule.line ?? '?'}`;
    const subject = rule.file && server.hbaFile && rule.file !== server.hbaFile ? `${rule.file} line ${rule.line ?? '?'}` : where;
    const edit = (change: string) => `-- in ${file} line ${rule.line ?? '?'}: ${change}, then:\n${RELOAD}`;
    const text = hbaLine(rule);
    if (rule.error) {
      out.push(finding('hba-error', 'medium', subject, `${text ? `${text}: ` : ''}${rule.error}`, edit('correct the line')));
      continue;
    }
    const remote = rule.type === 'host' || rule.type === 'hostnossl' || rule.type === 'hostgssenc';
    if (rule.method === 'trust') {
      out.push(finding('hba-trust', rule.type === 'local' ? 'medium' : 'high', subject, text,
        edit(`replace trust with ${rule.type === 'local' ? 'peer (or scram-sha-256)' : 'scram-sha-256'}`)));
    }
    if (rule.method === 'password') {
      out.push(finding('hba-password', remote ? 'high' : 'low', subject, text, edit('replace password with scram-sha-256')));
    }
    if (isOpenAddress(rule)) {
      out.push(finding('hba-open-address', 'medium', subject, text,
        edit(`replace ${rule.address === 'all' ? 'all' : `${rule.address}/0`} with the clients' network (e.g. the pods' CIDR)`)));
    }
  }
  return out;
}

function privilegeFindings(input: AuditInput): Finding[] {
  const out: Finding[] = [];
  const publicGrants = input.facts.filter((f) => f.kind === 'grant' && f.role === 'PUBLIC');
  for (const f of publicGrants) {
    if (f.objectType === 'schema' && f.privilege === 'CREATE' && f.schema) {
      out.push(finding('public-create', 'high', `schema ${f.schema}`, `PUBLIC has CREATE on schema ${ident(f.schema)} in database ${ident(f.database)}`,
        `REVOKE CREATE ON SCHEMA ${ident(f.schema)} FROM PUBLIC;`));
    }
  }
  const byDatabase = new Map<string, string[]>();
  for (const f of publicGrants) {
    if (f.objectType !== 'database' || (f.privilege !== 'CONNECT' && f.privilege !== 'TEMPORARY')) continue;
    byDatabase.set(f.database, [...(byDatabase.get(f.database) ?? []), f.privilege]);
  }
  for (const [database, privileges] of byDatabase) {
    const list = privileges.sort().join(', ');
    out.push(finding('database-public', 'low', `database ${database}`, `PUBLIC has ${list} on database ${ident(database)}`,
      `-- first GRANT CONNECT ON DATABASE ${ident(database)} TO each role that uses it (n does for new roles), then:\nREVOKE ${list} ON DATABASE ${ident(database)} FROM PUBLIC;`));
  }
  // Ownership by roles that log in (superusers own everything anyway).
  const loginRoles = new Map(input.roles.filter((r) => r.canLogin && !r.superuser).map((r) => [r.name, r]));
  const owned = new Map<string, PrivilegeFact[]>();
  for (const f of input.facts) {
    if (f.kind === 'owner' && loginRoles.has(f.role)) owned.set(f.role, [...(owned.get(f.role) ?? []), f]);
  }
  for (const [role, facts] of owned) {
    const name = ident(role);
    out.push(finding('login-owns-objects', 'low', role, `${name} can log in and owns ${ownedSummary(facts)}`,
      `CREATE ROLE ${ident(`${role}_owner`)} NOLOGIN;\nREASSIGN OWNED BY ${name} TO ${ident(`${role}_owner`)};\n-- then give ${name} back what it uses: GRANT … TO ${name} (or a profile of n)`, role));
  }
  return out;
}

/** "3 tables, 1 sequence in public; database shop". */
export function ownedSummary(facts: readonly PrivilegeFact[]): string {
  const bySchema = new Map<string, string[]>();
  const databases: string[] = [];
  for (const f of facts) {
    if (f.objectType === 'database') databases.push(f.database);
    else if (f.objectType === 'schema') bySchema.set(f.schema ?? '', [...(bySchema.get(f.schema ?? '') ?? []), 'the schema']);
    else bySchema.set(f.schema ?? '', [...(bySchema.get(f.schema ?? '') ?? []), plural(f.objects, f.objectType)]);
  }
  const parts = [...bySchema].map(([schema, things]) => `${things.join(', ')} in ${schema}`);
  if (databases.length) parts.push(`database ${databases.join(', ')}`);
  return parts.join('; ');
}

const RANK: Record<Severity, number> = { high: 0, medium: 1, unchecked: 2, low: 3, info: 4 };
const CHECK_ORDER = Object.keys(CHECKS) as CheckId[];

/** Every finding, worst first. */
export function auditFindings(input: AuditInput): Finding[] {
  const all = [...roleFindings(input), ...serverFindings(input.server), ...hbaFindings(input), ...privilegeFindings(input)];
  return all.sort(
    (a, b) => RANK[a.severity] - RANK[b.severity] || CHECK_ORDER.indexOf(a.check) - CHECK_ORDER.indexOf(b.check) || a.subject.localeCompare(b.subject),
  );
}

/** "2 high · 3 medium · 1 not checked" (nothing for severities without findings). */
export function auditSummary(findings: readonly Finding[]): string {
  const parts = SEVERITIES.map((s) => [s, findings.filter((f) => f.severity === s).length] as const)
    .filter(([, n]) => n > 0)
    .map(([s, n]) => `${n} ${s === 'unchecked' ? 'not checked' : s}`);
  return parts.length ? parts.join(' · ') : 'no findings';
}
