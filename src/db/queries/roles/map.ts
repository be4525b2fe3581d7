import { bool, num, str, type RawRow } from '../row.js';

/** A role this role is a member of. */
export interface Membership {
  role: string;
  /** WITH ADMIN OPTION: may grant the role to others. */
  admin: boolean;
  /** Whether the member uses the role's privileges without SET ROLE (per grant since 16, per member before). */
  inherit: boolean;
}

/** A per-role setting (ALTER ROLE … SET), for every database or one. */
export interface RoleSetting {
  /** null: in every database. */
  database: string | null;
  /** "search_path=app_data, public" */
  setting: string;
}

/** One role from pg_roles, as the roles screen shows it. */
export interface Role {
  oid: number;
  name: string;
  superuser: boolean;
  inherit: boolean;
  createRole: boolean;
  createDb: boolean;
  canLogin: boolean;
  replication: boolean;
  bypassRls: boolean;
  /** -1: no limit. */
  connectionLimit: number;
  /** Epoch seconds the password expires; null when it never does. */
  validUntil: number | null;
  /** The bootstrap superuser (oid 10), made by initdb. */
  bootstrap: boolean;
  /** Sessions connected as this role now (as far as this role can see). */
  sessions: number;
  description: string | null;
  memberOf: Membership[];
  members: string[];
  settings: RoleSetting[];
}

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
