// Privilege facts (grants, default privileges, ownership) into src/model/roles.ts.
import { bool, num, str, type RawRow } from '../row.js';
import type { PrivilegeFact, PrivilegeKind, PrivilegeObject } from '../../../model/roles.js';

export function mapPrivilegeFact(row: RawRow): PrivilegeFact {
  return {
    kind: (str(row, 'kind') ?? 'grant') as PrivilegeKind,
    objectType: (str(row, 'object_type') ?? 'table') as PrivilegeObject,
    database: str(row, 'database') ?? '',
    schema: str(row, 'schema'),
    role: str(row, 'role') ?? '',
    creator: str(row, 'creator'),
    privilege: str(row, 'privilege'),
    grantable: bool(row, 'grantable') ?? false,
    objects: num(row, 'objects') ?? 0,
    total: num(row, 'total') ?? 0,
  };
}
