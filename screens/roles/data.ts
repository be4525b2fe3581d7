// The roles screen's selectors: what the audit and the role entries
// (src/model) are computed from, read from the store and remembered per
// refresh. Both of the screen's views read them.
import type { SecuritySettings } from '../../src/model/roles.js';
import { auditFindings, type AuditInput, type Finding } from '../../src/model/audit.js';
import type { PgtopState } from '../../src/store/store.js';
import { roleEntriesOf, type FindingRow, type RoleEntry } from '../../src/model/role-entries.js';

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
  const now = securitySettings(state)?.now ?? Date.now() / 1000;
  const entries = roleEntriesOf(auditInput(state), findings(state), user, now);
  lastEntries = { results: state.data.results, user, entries };
  return entries;
}

export function isAuditMode(state: PgtopState): boolean {
  return state.ui.screenMode?.roles === 'audit';
}

export type { FindingRow, RoleEntry };
