// The roles screen's first view: every role (but PostgreSQL's predefined
// pg_* ones) with its attributes; Enter shows what it may do.
import type { Column } from '../../src/render/table.js';
import { ownedSummary, SEVERITIES, type Severity } from '../../src/model/audit.js';
import { quoteIdent } from '../../src/sql/quote.js';
import type { RoleEntry } from './data.js';
import { attributeFlags, attributeWords, defaultPrivilegeLines, grantLines, PREDEFINED_ROLES } from '../../src/model/privileges.js';

function date(epochSeconds: number): string {
  return new Date(epochSeconds * 1000).toISOString().slice(0, 10);
}

/** The worst finding about a role, and how many there are: "high 2". */
function worst(entry: RoleEntry): { severity: Severity; count: number } | null {
  for (const severity of SEVERITIES) {
    const count = entry.findings.filter((f) => f.severity === severity).length;
    if (count) return { severity, count: entry.findings.length };
  }
  return null;
}

function membership(entry: RoleEntry): string {
  return entry.role.memberOf.map((m) => m.role).join(', ');
}

export const roleColumns: readonly Column<RoleEntry>[] = [
  {
    id: 'role',
    title: 'ROLE',
    width: 20,
    // A star marks the role pgtop is connected as, as it marks its own sessions.
    text: (e) => `${e.current ? '*' : ''}${e.role.name}`,
    tone: (e) => (e.role.canLogin ? 'normal' : 'dim'),
  },
  {
    id: 'attributes',
    title: 'ATTRIBUTES',
    width: 'flex',
    minWidth: 16,
    text: (e) => attributeFlags(e.role),
    tone: (e) => (e.role.superuser ? 'warn' : 'normal'),
  },
  { id: 'limit', title: 'LIMIT', width: 5, align: 'right', priority: 3, text: (e) => (e.role.connectionLimit >= 0 ? String(e.role.connectionLimit) : '') },
  {
    id: 'expires',
    title: 'EXPIRES',
    width: 10,
    priority: 2,
    text: (e) => (e.role.validUntil === null ? '' : date(e.role.validUntil)),
    tone: (e) => (e.expired ? 'alert' : 'normal'),
  },
  { id: 'memberOf', title: 'MEMBER OF', width: 18, priority: 4, text: membership },
  { id: 'sessions', title: 'SESS', width: 4, align: 'right', priority: 5, text: (e) => (e.role.sessions ? String(e.role.sessions) : '') },
  {
    id: 'audit',
    title: 'AUDIT',
    width: 9,
    priority: 1,
    text: (e) => {
      const w = worst(e);
      return w ? `${w.severity === 'unchecked' ? '?' : w.severity}${w.count > 1 ? ` +${w.count - 1}` : ''}` : '';
    },
    tone: (e) => {
      const severity = worst(e)?.severity;
      return severity === 'high' ? 'alert' : severity === 'medium' ? 'warn' : 'dim';
    },
  },
];

/** What `/` matches: name, attributes, memberships, settings. */
export function roleMatches(entry: RoleEntry, filter: string): boolean {
  if (!filter) return true;
  const needle = filter.toLowerCase();
  return [entry.role.name, attributeFlags(entry.role), membership(entry), ...entry.role.settings.map((s) => s.setting)].some((field) =>
    field.toLowerCase().includes(needle),
  );
}

function passwordText(entry: RoleEntry): string {
  const r = entry.role;
  const stored = entry.password === null ? 'not visible (pg_authid needs superuser)' : entry.password === 'none' ? 'none' : entry.password;
  const until = r.validUntil === null ? 'never expires' : `${entry.expired ? 'expired' : 'valid until'} ${date(r.validUntil)}`;
  return r.canLogin || entry.password !== null ? `${stored}; ${until}` : `(no login) ${until}`;
}

/**
 * The Enter view of a role: what it is, what it may do and where that comes
 * from, what it owns. Lines that would say "none" are left out, so that a
 * role's details fit an 80x24 terminal.
 */
export function roleDetail(entry: RoleEntry): [string, string][] {
  const r = entry.role;
  const own = entry.facts.filter((f) => f.kind === 'grant');
  const byType = (...types: string[]) => grantLines(own.filter((f) => types.includes(f.objectType)));
  const fields: [string, string][] = [];
  const add = (label: string, lines: readonly string[], always = false) => {
    if (lines.length || always) fields.push([label, lines.length ? lines.join('; ') : '–']);
  };
  const notes = [r.bootstrap ? 'bootstrap superuser, made by initdb' : '', entry.current ? 'pgtop is connected as it' : ''].filter(Boolean);
  add('role', [`${quoteIdent(r.name)}${notes.length ? ` (${notes.join(', ')})` : ''}`]);
  add('comment', r.description ? [r.description] : []);
  add('attributes', [
    `${attributeWords(r).join(', ')}; ${r.connectionLimit >= 0 ? `at most ${r.connectionLimit} connections` : 'no connection limit'}, ${r.sessions} now`,
  ]);
  add('password', [passwordText(entry)]);
  add(
    'member of',
    r.memberOf.map((m) => `${m.role}${m.admin ? ' (admin)' : ''}${m.inherit ? '' : ' (SET ROLE only)'}${PREDEFINED_ROLES[m.role] ? `: ${PREDEFINED_ROLES[m.role]}` : ''}`),
  );
  add('members', r.members);
  add('settings', r.settings.map((s) => (s.database ? `in ${s.database}: ${s.setting}` : s.setting)));
  if (r.superuser) add('privileges', ['superuser: every privilege check is bypassed']);
  add('databases', byType('database'), !r.superuser);
  add('schemas', byType('schema'), !r.superuser);
  add('tables', byType('table'), !r.superuser);
  add('sequences', byType('sequence'));
  add('default privileges', defaultPrivilegeLines(entry.facts.filter((f) => f.kind === 'default' && f.role === r.name)));
  add('grants on new objects', defaultPrivilegeLines(entry.facts.filter((f) => f.kind === 'default' && f.creator === r.name && f.role !== r.name), 'creator'));
  const owned = entry.facts.filter((f) => f.kind === 'owner');
  add('owns', owned.length ? [ownedSummary(owned)] : []);
  for (const { via, facts } of entry.inherited) add(`via ${via}`, facts.length ? grantLines(facts) : [PREDEFINED_ROLES[via] ?? '–']);
  add('via PUBLIC', grantLines(entry.publicFacts));
  fields.push([
    'audit',
    entry.findings.length
      ? entry.findings.map((f) => `${f.severity}: ${f.title} — ${f.evidence}`).join('\n') + '\n(A shows the whole audit, with the fixes)'
      : 'no findings about this role (A shows the whole audit)',
  ]);
  return fields;
}

export function roleJson(entry: RoleEntry): unknown {
  return {
    ...entry.role,
    current: entry.current,
    expired: entry.expired,
    password: entry.password,
    privileges: entry.facts,
    inheritedFrom: entry.inherited.map((i) => i.via),
    findings: entry.findings,
  };
}
