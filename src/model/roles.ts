// Roles, their memberships, settings and privileges, stored passwords,
// pg_hba.conf rules and the server's security settings: what the security
// audit (audit.ts) judges.

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

/** One rule of pg_hba.conf, as the server parsed it. */
export interface HbaRule {
  line: number | null;
  /** The file the rule is in (16+; null before, when it is always hba_file). */
  file: string | null;
  /** local, host, hostssl, hostnossl, hostgssenc… */
  type: string;
  databases: string[];
  users: string[];
  address: string | null;
  netmask: string | null;
  method: string | null;
  /** Why the server could not use this line, if it could not. */
  error: string | null;
}

export type PasswordKind = 'none' | 'md5' | 'scram-sha-256' | 'other';

/** How a login role's password is stored; the hash itself is never read. */
export interface StoredPassword {
  role: string;
  kind: PasswordKind;
}

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

/** The server's security settings and what the connected role may read, for the audit. */
export interface SecuritySettings {
  user: string;
  database: string;
  superuser: boolean;
  ssl: boolean;
  passwordEncryption: string;
  /** null when this role may not see it. */
  hbaFile: string | null;
  canReadAuthid: boolean;
  canReadHba: boolean;
  serverVersionNum: number;
  /** The server's clock, epoch seconds. */
  now: number;
}
