// The roles screen's data, from the store: the roles with what each may do,
// and the audit findings. Pure; both of the screen's views read it.
import type { PasswordKind, PrivilegeFact, Role, SecuritySettings } from '../../src/model/roles.js';
import { auditFindings, type AuditInput, type Finding } from '../../src/model/audit.js';
import type { PgtopState } from '../../src/store/store.js';
import { inheritedRoles } from '../../src/model/privileges.js';

/** One role with everything its details show. */
export interface RoleEntry {
  kind: 'role';
  role: Role;
  /** How its password is stored; null when this role may not see it (pg_authid). */
  password: PasswordKind | null;
  /** Its own grants, default privileges (as grantee or creator) and what it owns. */
  facts: PrivilegeFact[];
  /** Grants it uses through membership, per role it inherits from. */
  inherited: { via: string; facts: PrivilegeFact[] }[];
  /** What everyone has (PUBLIC). */
  publicFacts: PrivilegeFact[];
  findings: Finding[];
  /** pgtop is connected as this role. */
  current: boolean;
  /** Its password has expired (VALID UNTIL in the past). */
  expired: boolean;
}

export interface FindingRow {
  kind: 'finding';
  finding: Finding;
}

export function securitySettings(state: PgtopState): SecuritySettings | null {
  return state.data.results.rolesServer?.rows[0] ?? null;
}

/** What the audit reads; a superuser-only query that was refused, or that this role may not run, is null. */
export function auditInput(state: PgtopState): AuditInput {
  const results = state.data.results;
  const server = securitySettings(state);
  const readable = <T>(result: { rows: T[]; disabled: string | null } | undefined, allowed: boolean | undefined): T[] | null => {
    if (result?.disabled) return null;
    if (result) return result.rows;
    return server && !allowed ? null : [];
  };
  return {
    roles: results.roles?.rows ?? [],
    facts: results.rolesPrivileges?.rows ?? [],
    server,
    passwords: readable(results.rolesPasswords, server?.canReadAuthid),
    hba: readable(results.rolesHba, server?.canReadHba),
  };
}

// The views call these on every render and key: remember the last answer per data.
let lastFindings: { results: unknown; findings: Finding[] } | null = null;
let lastEntries: { results: unknown; user: string; entries: RoleEntry[] } | null = null;

export function findings(state: PgtopState): Finding[] {
  if (lastFindings?.results !== state.data.results) lastFindings = { results: state.data.results, findings: auditFindings(auditInput(state)) };
  return lastFindings.findings;
}

/** Who pgtop is connected as. */
export function currentUser(state: PgtopState): string {
  return securitySettings(state)?.user ?? state.data.header?.user ?? '';
}

export function roleEntries(state: PgtopState): RoleEntry[] {
  const user = currentUser(state);
  if (lastEntries?.results === state.data.results && lastEntries.user === user) return lastEntries.entries;
  const input = auditInput(state);
  const all = findings(state);
  const now = securitySettings(state)?.now ?? Date.now() / 1000;
  const passwordOf = new Map(input.passwords?.map((p) => [p.role, p.kind]) ?? []);
  const factsOf = new Map<string, PrivilegeFact[]>();
  const add = (name: string, fact: PrivilegeFact) => factsOf.set(name, [...(factsOf.get(name) ?? []), fact]);
  for (const fact of input.facts) {
    add(fact.role, fact);
    if (fact.kind === 'default' && fact.creator && fact.creator !== fact.role) add(fact.creator, fact);
  }
  const grantsOf = (name: string) => (factsOf.get(name) ?? []).filter((f) => f.kind === 'grant');
  const entries = input.roles.map((role): RoleEntry => ({
    kind: 'role',
    role,
    password: input.passwords ? (passwordOf.get(role.name) ?? (role.canLogin ? 'none' : null)) : null,
    facts: factsOf.get(role.name) ?? [],
    inherited: inheritedRoles(role, input.roles)
      .map((via) => ({ via, facts: grantsOf(via) }))
      .filter((i) => i.facts.length > 0 || i.via.startsWith('pg_')),
    publicFacts: grantsOf('PUBLIC'),
    findings: all.filter((f) => f.role === role.name),
    current: role.name === user,
    expired: role.validUntil !== null && role.validUntil < now,
  }));
  lastEntries = { results: state.data.results, user, entries };
  return entries;
}

export function isAuditMode(state: PgtopState): boolean {
  return state.ui.screenMode?.roles === 'audit';
}
