// The roles screen: two views of one screen. First the roles (attributes,
// memberships; Enter: privileges, default privileges, owned objects); `A`
// switches to the security audit (findings, worst first; Enter: evidence and
// the fix as SQL) and back. `n` creates a role with a profile, `P` sets the
// selected role's password. Pure: rendered by RolesScreen and by --once
// (which prints the roles, the audit's summary above them).
import { actionRequest } from '../../src/actions/action.js';
import { changePassword, newRole, type NewRoleTarget } from '../../src/actions/roles.js';
import type { ScreenView } from '../../src/render/screen-view.js';
import { auditSummary } from '../../src/model/audit.js';
import { quoteIdent } from '../../src/sql/quote.js';
import type { PgtopState } from '../../src/store/store.js';
import { findingColumns, findingDetail, findingMatches } from './audit-view.js';
import { currentUser, findings, isAuditMode, roleEntries, securitySettings, type FindingRow, type RoleEntry } from './data.js';
import { roleColumns, roleDetail, roleJson, roleMatches } from './roles-view.js';

export type RolesRow = RoleEntry | FindingRow;

function filterOf(state: PgtopState): string {
  return state.ui.filter.roles ?? '';
}

export const rolesTableView: ScreenView<RoleEntry> = {
  rows: (state) => roleEntries(state).filter((e) => roleMatches(e, filterOf(state))),
  rowKey: (e) => `role:${e.role.name}`,
  columns: roleColumns,
  detail: roleDetail,
  json: roleJson,
  notice(state) {
    if (!state.data.results.rolesServer) return null;
    return `security audit: ${auditSummary(findings(state))} — A shows it`;
  },
  emptyText: (state) => (filterOf(state) ? `no role matches "${filterOf(state)}"` : 'no roles'),
};

export const auditTableView: ScreenView<FindingRow> = {
  rows: (state) => findings(state).map((finding): FindingRow => ({ kind: 'finding', finding })).filter((r) => findingMatches(r, filterOf(state))),
  rowKey: (r) => `finding:${r.finding.id}`,
  columns: findingColumns,
  detail: findingDetail,
  json: (r) => r.finding,
  notice(state) {
    const server = securitySettings(state);
    if (!server) return null;
    return `checked as ${quoteIdent(server.user)}${server.superuser ? ' (superuser)' : ''}; schemas, tables and owners of database ${quoteIdent(server.database)} only · A: roles`;
  },
  emptyText: (state) => (filterOf(state) ? `no finding matches "${filterOf(state)}"` : 'no findings'),
};

function newRoleTarget(state: PgtopState): NewRoleTarget | null {
  const database = securitySettings(state)?.database ?? state.data.header?.database;
  if (!database) return null;
  const facts = state.data.results.rolesPrivileges?.rows ?? [];
  return {
    database,
    currentUser: currentUser(state),
    existingRoles: (state.data.results.roles?.rows ?? []).map((r) => r.name),
    schemas: [...new Set(facts.filter((f) => f.kind === 'owner' && f.objectType === 'schema' && f.schema).map((f) => f.schema!))],
  };
}

function passwordTargetOf(row: RolesRow | undefined, state: PgtopState) {
  if (!row) return null;
  // A finding not about a role gets an empty one, which P refuses with why.
  const name = (row.kind === 'role' ? row.role.name : row.finding.role) ?? '';
  const role = (state.data.results.roles?.rows ?? []).find((r) => r.name === name);
  return { role: name, canLogin: role?.canLogin ?? true, isCurrentUser: name === currentUser(state) };
}

/** The registry's view: whichever of the two the screen shows. */
export const rolesView: ScreenView<RolesRow> = {
  rows: (state) => (isAuditMode(state) ? auditTableView.rows(state) : rolesTableView.rows(state)),
  rowKey: (row) => (row.kind === 'role' ? rolesTableView.rowKey(row) : auditTableView.rowKey(row)),
  // --once prints the roles; the dashboard's RolesScreen picks the columns of the view it shows.
  columns: roleColumns,
  detail: (row) => (row.kind === 'role' ? roleDetail(row) : findingDetail(row)),
  json: (row) => (row.kind === 'role' ? roleJson(row) : row.finding),
  notice: (state) => (isAuditMode(state) ? auditTableView.notice!(state) : rolesTableView.notice!(state)),
  emptyText: (state) => (isAuditMode(state) ? auditTableView.emptyText!(state) : rolesTableView.emptyText!(state)),
  commands: {
    securityAudit: (state) => {
      const audit = !isAuditMode(state);
      return {
        ui: { screenMode: { ...state.ui.screenMode, roles: audit ? 'audit' : 'roles' }, cursor: { ...state.ui.cursor, roles: { key: null, index: 0 } } },
        status: audit ? `security audit: ${auditSummary(findings(state))} · Enter: evidence and fix` : 'roles',
      };
    },
  },
  actions: {
    newRole: (_row, state) => {
      const target = newRoleTarget(state);
      return target ? actionRequest(newRole, target) : null;
    },
    changePassword: (row, state) => {
      const target = passwordTargetOf(row, state);
      return target ? actionRequest(changePassword, target) : null;
    },
  },
};
