// pg_roles rows into Roles (src/model/roles.ts).
import { bool, num, str, type RawRow } from '../row.js';
import type { Role } from '../../../model/roles.js';

function jsonArray(row: RawRow, column: string): Record<string, unknown>[] {
  const value = row[column];
  const parsed = typeof value === 'string' ? (JSON.parse(value) as unknown) : value;
  return Array.isArray(parsed) ? (parsed as Record<string, unknown>[]) : [];
}

function textArray(row: RawRow, column: string): string[] {
  const value = row[column];
  return Array.isArray(value) ? value.map(String) : [];
}

export function mapRole(row: RawRow): Role {
  return {
    oid: num(row, 'oid') ?? 0,
    name: str(row, 'name') ?? '',
    superuser: bool(row, 'superuser') ?? false,
    inherit: bool(row, 'inherit') ?? true,
    createRole: bool(row, 'create_role') ?? false,
    createDb: bool(row, 'create_db') ?? false,
    canLogin: bool(row, 'can_login') ?? false,
    replication: bool(row, 'replication') ?? false,
    bypassRls: bool(row, 'bypass_rls') ?? false,
    connectionLimit: num(row, 'connection_limit') ?? -1,
    validUntil: num(row, 'valid_until'),
    bootstrap: bool(row, 'bootstrap') ?? false,
    sessions: num(row, 'sessions') ?? 0,
    description: str(row, 'description'),
    memberOf: jsonArray(row, 'member_of').map((m) => ({ role: String(m.role), admin: m.admin === true, inherit: m.inherit !== false })),
    members: textArray(row, 'members'),
    settings: jsonArray(row, 'settings').map((s) => ({ database: s.database == null ? null : String(s.database), setting: String(s.setting) })),
  };
}
