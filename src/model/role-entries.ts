// The roles screen's entries: each role with what it may do (its own
// grants, what it inherits, what PUBLIC has), how its password is stored,
// and the audit findings about it. Pure: the screen's selectors hand it the
// rows and the findings (screens/roles/data.ts).
import type { AuditInput, Finding } from './audit.js';
import { inheritedRoles } from './privileges.js';
import type { PasswordKind, PrivilegeFact, Role } from './roles.js';

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

/** Every role with its facts and findings; `user` is who pgtop is connected as, `now` the server's time (epoch s). */
export function roleEntriesOf(input: AuditInput, all: readonly Finding[], user: string, now: number): RoleEntry[] {
  const passwordOf = new Map(input.passwords?.map((p) => [p.role, p.kind]) ?? []);
  const factsOf = new Map<string, PrivilegeFact[]>();
  const add = (name: string, fact: PrivilegeFact) => factsOf.set(name, [...(factsOf.get(name) ?? []), fact]);
  for (const fact of input.facts) {
    add(fact.role, fact);
    if (fact.kind === 'default' && fact.creator && fact.creator !== fact.role) add(fact.creator, fact);
  }
  const grantsOf = (name: string) => (factsOf.get(name) ?? []).filter((f) => f.kind === 'grant');
  return input.roles.map((role): RoleEntry => ({
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
}
