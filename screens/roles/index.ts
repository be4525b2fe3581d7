// The roles screen: roles with their powers, and the security audit (A).
import { defineScreen } from '../definition.js';
import { auditTableView, rolesTableView, rolesView } from './view.js';

export const rolesScreen = defineScreen({
  id: 'roles',
  title: 'Roles',
  // The two superuser-only queries are switched off on their first 42501; the audit then says what it could not check.
  sources: ['roles', 'rolesPrivileges', 'rolesServer', 'rolesPasswords', 'rolesHba'],
  view: rolesView,
  component: () => import('./RolesScreen.js').then((m) => m.RolesScreen),
  keys: {
    filter: { text: 'filter roles (name, attribute, membership) or audit findings; Esc clears' },
    details: { text: "details: the role's privileges, default privileges and owned objects; a finding's evidence and fix" },
    // No hint: the line under the roles says "A shows it", and the hint bar must fit 80 columns.
    securityAudit: {},
    newRole: {},
    changePassword: {},
  },
  // A script (cron, CI) wants the findings, not a key to press for them.
  onceParts: [
    { title: 'roles', key: 'roles', view: rolesTableView, source: 'roles' },
    { title: 'security audit', key: 'audit', view: auditTableView },
  ],
  optionalSources: ['rolesPasswords', 'rolesHba'],
});
