// Rows of the roles screen's queries as the mappers produce them, for tests
// that need no server.
import type { HbaRule, PrivilegeFact, Role, SecuritySettings, StoredPassword } from '../../src/model/roles.js';
import type { PgtopState } from '../../src/store/store.js';
import { header } from './fixtures.js';

export function role(overrides: Partial<Role> & { name: string }): Role {
  return {
    oid: 20000, superuser: false, inherit: true, createRole: false, createDb: false, canLogin: true, replication: false, bypassRls: false,
    connectionLimit: -1, validUntil: null, bootstrap: false, sessions: 0, description: null, memberOf: [], members: [], settings: [],
    ...overrides,
  };
}

export function fact(overrides: Partial<PrivilegeFact> & Pick<PrivilegeFact, 'kind' | 'objectType' | 'role'>): PrivilegeFact {
  return { database: 'shop', schema: null, creator: null, privilege: null, grantable: false, objects: 1, total: 1, ...overrides };
}

export function settings(overrides: Partial<SecuritySettings> = {}): SecuritySettings {
  return {
    user: 'postgres', database: 'shop', superuser: true, ssl: true, passwordEncryption: 'scram-sha-256', hbaFile: '/var/lib/postgresql/data/pg_hba.conf',
    canReadAuthid: true, canReadHba: true, serverVersionNum: 160004, now: 1_750_000_000,
    ...overrides,
  };
}

export function hbaRule(overrides: Partial<HbaRule> = {}): HbaRule {
  return { line: 90, file: null, type: 'host', databases: ['all'], users: ['all'], address: '10.0.0.0', netmask: '255.0.0.0', method: 'scram-sha-256', error: null, ...overrides };
}

/** A well-kept server: nothing to find but the bootstrap superuser. */
export const cleanServer = {
  roles: [
    role({ name: 'postgres', oid: 10, superuser: true, createRole: true, createDb: true, replication: true, bypassRls: true, bootstrap: true, sessions: 2 }),
    role({ name: 'app', memberOf: [{ role: 'readers', admin: false, inherit: true }], settings: [{ database: 'shop', setting: 'search_path=app_data, public' }] }),
    role({ name: 'readers', canLogin: false, members: ['app'] }),
  ],
  facts: [
    fact({ kind: 'owner', objectType: 'database', role: 'postgres' }),
    fact({ kind: 'owner', objectType: 'schema', schema: 'public', role: 'postgres' }),
    fact({ kind: 'owner', objectType: 'table', schema: 'public', role: 'postgres', objects: 12, total: 12 }),
    fact({ kind: 'grant', objectType: 'database', role: 'app', privilege: 'CONNECT' }),
    fact({ kind: 'grant', objectType: 'schema', schema: 'public', role: 'app', privilege: 'USAGE' }),
    ...['SELECT', 'INSERT', 'UPDATE', 'DELETE'].map((privilege) => fact({ kind: 'grant', objectType: 'table', schema: 'public', role: 'app', privilege, objects: 12, total: 12 })),
    fact({ kind: 'grant', objectType: 'table', schema: 'public', role: 'readers', privilege: 'SELECT', objects: 3, total: 12 }),
    fact({ kind: 'default', objectType: 'table', schema: 'public', role: 'app', creator: 'postgres', privilege: 'SELECT', objects: 0, total: 0 }),
    fact({ kind: 'default', objectType: 'table', schema: 'public', role: 'app', creator: 'postgres', privilege: 'INSERT', objects: 0, total: 0 }),
  ],
  server: settings(),
  passwords: [
    { role: 'postgres', kind: 'scram-sha-256' },
    { role: 'app', kind: 'scram-sha-256' },
  ] as StoredPassword[],
  hba: [hbaRule({ type: 'local', address: null, netmask: null, method: 'peer', line: 89 }), hbaRule({ line: 95 })],
};

/** A connected dashboard on the roles screen with these query results. */
export function rolesState(input: {
  roles: Role[];
  facts?: PrivilegeFact[];
  server?: SecuritySettings;
  passwords?: StoredPassword[] | 'denied';
  hba?: HbaRule[] | 'denied';
}) {
  return (s: PgtopState) => {
    const now = Date.now();
    const ok = <T>(rows: T[]) => ({ rows, updatedAt: now, error: null, disabled: null });
    const denied = <T>(title: string) => ({ rows: [] as T[], updatedAt: 0, error: 'permission denied', disabled: `${title} is hidden: this role lacks the privilege` });
    s.connection = { ...s.connection, state: 'connected', serverVersion: '16.4', serverVersionNum: 160004, ownPids: [] };
    s.data.header = header;
    s.data.rates = { tps: 1, cacheHitRatio: 0.99 };
    s.data.results = {
      ...s.data.results,
      roles: ok(input.roles),
      rolesPrivileges: ok(input.facts ?? []),
      rolesServer: ok([input.server ?? settings()]),
      rolesPasswords: input.passwords === 'denied' ? denied('stored passwords') : ok(input.passwords ?? []),
      rolesHba: input.hba === 'denied' ? denied('pg_hba.conf rules') : ok(input.hba ?? []),
    };
  };
}
