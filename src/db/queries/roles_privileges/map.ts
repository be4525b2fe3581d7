import { bool, num, str, type RawRow } from '../row.js';

export type PrivilegeKind = 'grant' | 'default' | 'owner';
export type PrivilegeObject = 'database' | 'schema' | 'table' | 'sequence' | 'function' | 'type';

/**
 * One line of "who may do what": a privilege granted to a role (or PUBLIC)
 * on a database, a schema, or some of a schema's tables or sequences; a
 * default privilege for objects a role creates later; or what a role owns.
 */
export interface PrivilegeFact {
  kind: PrivilegeKind;
  objectType: PrivilegeObject;
  database: string;
  /** The schema of schema, table and sequence facts; null for databases and for defaults in every schema. */
  schema: string | null;
  /** The grantee (or 'PUBLIC'), or the owner for 'owner' facts. */
  role: string;
  /** For default privileges: whose new objects they apply to. */
  creator: string | null;
  /** SELECT, CONNECT, USAGE…; null for 'owner'. */
  privilege: string | null;
  grantable: boolean;
  /** How many of the schema's objects of this type it holds for (tables, sequences), of `total`. */
  objects: number;
  total: number;
}

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
