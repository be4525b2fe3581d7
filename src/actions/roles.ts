// New roles and new passwords: the roles screen's `n` and `P`.
//
// `n` creates a login role with one of three profiles — the corrected SQL of
// the seed session's Step 1 — in one transaction: a read-write application
// user, a read-only reporting user, or a monitoring user (pg_monitor instead
// of grants on single views). Default privileges make tables created later
// work too. Given the name of a role that exists, `n` adds the profile's
// grants to it (on another schema, say), and keeps its password unless one is
// typed. `P` sets a new password.
//
// Passwords are generated (24 random bytes) unless the user types one, are
// hashed here into a SCRAM-SHA-256 verifier, and only the verifier is sent:
// the confirmation shows the statements with the password redacted, and a
// generated password is shown once, in the box after success.
import { generatePassword, passwordProblem, scramVerifier } from '../security/scram.js';
import { quoteIdent, quoteLiteral } from '../sql/quote.js';
import type { ActionRunContext, ActionSpec, InputField, InputValues } from './action.js';

export type RoleProfile = 'read-write' | 'read-only' | 'monitor';

// What each profile gives, said where it is chosen. Default privileges extend
// the grants to tables the connected role creates later in the schema.
export const ROLE_PROFILES: readonly { value: RoleProfile; label: string }[] = [
  { value: 'read-write', label: 'read-write application user: SELECT, INSERT, UPDATE, DELETE; no CREATE' },
  { value: 'read-only', label: 'read-only reporting user: SELECT' },
  { value: 'monitor', label: 'monitoring user: pg_monitor (all statistics and settings, no table data)' },
];

/** What `n` needs to know about where it runs, taken from the screen's data. */
export interface NewRoleTarget {
  database: string;
  /** The role the statements run as: default privileges cover the tables it creates later. */
  currentUser: string;
  existingRoles: readonly string[];
  /** The schemas of this database; a schema not among them is created. */
  schemas: readonly string[];
}

/** The role `P` changes the password of. */
export interface PasswordTarget {
  role: string;
  canLogin: boolean;
  /** pgtop is connected as this role: its next reconnect needs the new password. */
  isCurrentUser: boolean;
}

/** How the password appears in what pgtop shows: never the password, never the verifier. */
export const REDACTED_PASSWORD = "'‹redacted›'";

const MAX_NAME_BYTES = 63;

function nameProblem(what: string, value: string): string | null {
  if (!value) return `type a ${what} name`;
  if (/[\u0000-\u001f\u007f]/.test(value)) return `a ${what} name cannot contain control characters`;
  if (Buffer.byteLength(value, 'utf8') > MAX_NAME_BYTES) return `a ${what} name has at most ${MAX_NAME_BYTES} bytes (PostgreSQL would cut it short)`;
  if (value.startsWith('pg_')) return `names starting with pg_ are reserved for PostgreSQL's own ${what}s`;
  return null;
}

/** Why this name will not do for a role, or null. Quotes, spaces and capitals are fine: pgtop quotes names. */
export function roleNameProblem(name: string): string | null {
  const problem = nameProblem('role', name);
  if (problem) return problem;
  if (name === 'public' || name === 'none') return `"${name}" is reserved by PostgreSQL`;
  return null;
}

export interface NewRolePlan {
  role: string;
  /** The role exists: grant the profile to it, and set a password only when one was typed. */
  exists: boolean;
  profile: RoleProfile;
  schema: string;
  database: string;
  createSchema: boolean;
}

/**
 * The statements `n` runs, in order; `passwordSql` is the quoted verifier
 * (REDACTED_PASSWORD for showing), null to leave an existing role's password.
 */
export function newRoleStatements(plan: NewRolePlan, passwordSql: string | null): string[] {
  const role = quoteIdent(plan.role);
  const schema = quoteIdent(plan.schema);
  const database = quoteIdent(plan.database);
  const statements: string[] = [];
  if (!plan.exists) statements.push(`CREATE ROLE ${role} LOGIN PASSWORD ${passwordSql ?? REDACTED_PASSWORD};`);
  else if (passwordSql) statements.push(`ALTER ROLE ${role} PASSWORD ${passwordSql};`);
  statements.push(`GRANT CONNECT ON DATABASE ${database} TO ${role};`);
  if (plan.profile === 'monitor') return [...statements, `GRANT pg_monitor TO ${role};`];
  if (plan.createSchema) statements.push(`CREATE SCHEMA IF NOT EXISTS ${schema};`);
  statements.push(`GRANT USAGE ON SCHEMA ${schema} TO ${role};`);
  if (plan.profile === 'read-write') {
    statements.push(
      `GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA ${schema} TO ${role};`,
      `GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA ${schema} TO ${role};`,
      `ALTER DEFAULT PRIVILEGES IN SCHEMA ${schema} GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO ${role};`,
      `ALTER DEFAULT PRIVILEGES IN SCHEMA ${schema} GRANT USAGE, SELECT ON SEQUENCES TO ${role};`,
    );
  } else {
    statements.push(
      `GRANT SELECT ON ALL TABLES IN SCHEMA ${schema} TO ${role};`,
      `ALTER DEFAULT PRIVILEGES IN SCHEMA ${schema} GRANT SELECT ON TABLES TO ${role};`,
    );
  }
  // The seed's ALTER USER … SET search_path, for this database only (schemas belong to one database);
  // an existing role keeps the search_path it has.
  if (plan.schema !== 'public' && !plan.exists) statements.push(`ALTER ROLE ${role} IN DATABASE ${database} SET search_path TO ${schema}, public;`);
  return statements;
}

function passwordField(label = 'password: Enter to generate a strong one (shown once), or type one (12+ characters)'): InputField {
  return {
    key: 'password',
    label,
    kind: 'text',
    secret: true,
    validate: (value) => (value === '' ? null : passwordProblem(value)),
  };
}

function planOf(target: NewRoleTarget, values: InputValues): NewRolePlan {
  const schema = values.schema || 'public';
  const profile = (values.profile ?? 'read-write') as RoleProfile;
  const role = values.name || '‹name›';
  return {
    role,
    exists: target.existingRoles.includes(role),
    profile,
    schema,
    database: target.database,
    createSchema: profile !== 'monitor' && !target.schemas.includes(schema),
  };
}

/** Runs statements in one transaction: all of them, or none. */
async function runInTransaction(context: ActionRunContext, statements: readonly string[]): Promise<void> {
  const client = await context.client();
  await client.query('BEGIN');
  try {
    for (const statement of statements) await client.query(statement);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

export const newRole: ActionSpec<NewRoleTarget> = {
  id: 'newRole',
  danger: 'confirm',
  inputs: (target) => [
    { key: 'name', label: 'role name (any characters; pgtop quotes it); an existing role gets the grants added', kind: 'text', validate: roleNameProblem },
    { key: 'profile', label: 'profile', kind: 'choice', choices: ROLE_PROFILES, initial: 'read-write' },
    {
      key: 'schema',
      label: `schema to grant on, in database ${quoteIdent(target.database)} (created if missing; the monitoring profile ignores it)`,
      kind: 'text',
      initial: 'public',
      validate: (v) => nameProblem('schema', v),
    },
    passwordField('password: Enter to generate one (a new role; shown once) or keep it (an existing role), or type one (12+ characters)'),
  ],
  // Title and details are one line each: with every statement, the confirmation must fit 80x24.
  title: (target, values) => {
    if (!values.name) return 'New role';
    const plan = planOf(target, values);
    const profile = values.profile ? ` (${plan.profile})` : '';
    return plan.exists ? `Add the grants of a profile${profile} to the existing role ${quoteIdent(plan.role)}?` : `Create role ${quoteIdent(plan.role)}${profile}?`;
  },
  sql: (target, values) => {
    const plan = planOf(target, values);
    return newRoleStatements(plan, plan.exists && !values.password ? null : REDACTED_PASSWORD).join('\n');
  },
  details: (target, values) => {
    if (planOf(target, values).exists && !values.password) return ['its password stays as it is'];
    return [`password: ${values.password ? 'the one you typed' : 'generated, shown once when the role exists'}; sent as a SCRAM-SHA-256 verifier`];
  },
  async run(context, target, values) {
    const plan = planOf(target, values);
    const password = values.password || (plan.exists ? null : generatePassword());
    await runInTransaction(context, newRoleStatements(plan, password === null ? null : quoteLiteral(scramVerifier(password))));
    const message = plan.exists
      ? `granted ${plan.profile} to existing role ${quoteIdent(plan.role)}${password ? ', with the new password' : ''}`
      : `created role ${quoteIdent(plan.role)} (${plan.profile})`;
    if (values.password || password === null) return message;
    return {
      message,
      detail: {
        title: `Role ${quoteIdent(plan.role)} created: its password, shown only this once`,
        lines: [
          password,
          ' ',
          'Store it now (a password manager, a Kubernetes Secret): pgtop keeps no copy, and the server has only its SCRAM verifier.',
          `user: ${plan.role} · database: ${plan.database}`,
        ],
      },
    };
  },
};

export const changePassword: ActionSpec<PasswordTarget> = {
  id: 'changePassword',
  danger: 'confirm',
  inputs: () => [passwordField()],
  title: (target) => `Set a new password for role ${quoteIdent(target.role)}?`,
  refuse: (target) => (target.role ? null : 'this finding is not about a role: select a role, or a finding about one, to set its password'),
  sql: (target) => `ALTER ROLE ${quoteIdent(target.role)} PASSWORD ${REDACTED_PASSWORD};`,
  details: (target, values) => [
    values.password ? 'password: the one you typed' : 'password: generated, shown once when it is set',
    'sent as a SCRAM-SHA-256 verifier made on this machine: the clear password never reaches the server',
    ...(target.canLogin ? [] : [`${quoteIdent(target.role)} is NOLOGIN: the password matters only once it may log in`]),
    ...(target.isCurrentUser ? ['pgtop is connected as this role: when it reconnects it will need the new password'] : []),
  ],
  async run(context, target, values) {
    const password = values.password || generatePassword();
    const client = await context.client();
    await client.query(`ALTER ROLE ${quoteIdent(target.role)} PASSWORD ${quoteLiteral(scramVerifier(password))}`);
    const message = `new password set for role ${quoteIdent(target.role)}`;
    if (values.password) return message;
    return {
      message,
      detail: {
        title: `New password of role ${quoteIdent(target.role)}, shown only this once`,
        lines: [password, ' ', 'Store it now and update the clients that log in as this role: pgtop keeps no copy.'],
      },
    };
  },
};
