// The security audit's rules, one by one: what provokes each finding, what
// it says, and that the state its fix leads to has no finding.
import { describe, expect, it } from 'vitest';
import { auditFindings, auditSummary, hbaLine, type AuditInput, type CheckId } from '../../src/model/audit.js';
import { cleanServer, fact, hbaRule, role, settings } from '../support/roles-fixtures.js';

function audit(patch: Partial<AuditInput> = {}) {
  return auditFindings({ ...cleanServer, ...patch });
}

function only(findings: ReturnType<typeof audit>, check: CheckId) {
  return findings.filter((f) => f.check === check);
}

describe('security audit', () => {
  it('finds nothing on a well-kept server but the bootstrap superuser, as info', () => {
    const findings = audit();
    expect(findings.map((f) => [f.check, f.severity, f.subject])).toEqual([['bootstrap-superuser-login', 'info', 'postgres']]);
    expect(auditSummary(findings)).toBe('1 info');
  });

  it('flags other superusers that can log in, and not once NOSUPERUSER or NOLOGIN', () => {
    const admin = role({ name: 'Ops Admin', superuser: true });
    const [f] = only(audit({ roles: [...cleanServer.roles, admin] }), 'superuser-login');
    expect(f).toMatchObject({ severity: 'high', role: 'Ops Admin', evidence: '"Ops Admin" is SUPERUSER and LOGIN' });
    expect(f!.fix).toContain('ALTER ROLE "Ops Admin" NOSUPERUSER;');
    expect(only(audit({ roles: [...cleanServer.roles, { ...admin, superuser: false }] }), 'superuser-login')).toEqual([]);
    expect(only(audit({ roles: [...cleanServer.roles, { ...admin, canLogin: false }] }), 'superuser-login')).toEqual([]);
  });

  it('flags login roles without a password and md5 hashes, when pg_authid could be read', () => {
    const roles = [...cleanServer.roles, role({ name: 'legacy' }), role({ name: 'nopass' })];
    const passwords = [...cleanServer.passwords, { role: 'legacy', kind: 'md5' as const }];
    const findings = audit({ roles, passwords });
    expect(only(findings, 'md5-password')).toMatchObject([{ severity: 'medium', subject: 'legacy', evidence: '"legacy" has an md5 password hash' }]);
    expect(only(findings, 'md5-password')[0]!.fix).toMatch(/press P on "legacy"/);
    expect(only(findings, 'login-without-password')).toMatchObject([{ severity: 'medium', subject: 'nopass' }]);
    expect(only(findings, 'login-without-password')[0]!.fix).toContain('ALTER ROLE "nopass" NOLOGIN;');
    const fixed = audit({ roles, passwords: [...cleanServer.passwords, { role: 'legacy', kind: 'scram-sha-256' }, { role: 'nopass', kind: 'scram-sha-256' }] });
    expect(only(fixed, 'md5-password')).toEqual([]);
    expect(only(fixed, 'login-without-password')).toEqual([]);
  });

  it('says what it could not check without superuser instead of passing silently', () => {
    const findings = audit({ passwords: null, hba: null, server: settings({ user: 'monitor', superuser: false, canReadAuthid: false, canReadHba: false }) });
    const unchecked = findings.filter((f) => f.severity === 'unchecked');
    expect(unchecked.map((f) => f.check)).toEqual(['passwords-unchecked', 'hba-unchecked']);
    expect(unchecked[0]!.evidence).toMatch(/"monitor" is not a superuser: login roles without a password and md5 hashes are not checked/);
    expect(unchecked[1]!.fix).toContain('GRANT SELECT ON pg_hba_file_rules TO "monitor";');
    expect(auditSummary(findings)).toBe('1 info · 2 not checked');
  });

  it('flags passwords that never expire when others do, with a date a year on as the fix', () => {
    // The bootstrap superuser (postgres here) is left out: an expiring password could lock out the administrator.
    const roles = [...cleanServer.roles, role({ name: 'temp', validUntil: 1_760_000_000 })];
    const passwords = [...cleanServer.passwords, { role: 'temp', kind: 'scram-sha-256' as const }];
    const [f] = only(audit({ roles, passwords }), 'password-never-expires');
    expect(f).toMatchObject({ severity: 'low', subject: 'app', evidence: '"app" has no VALID UNTIL while "temp" expires' });
    expect(f!.fix).toBe(`ALTER ROLE "app" VALID UNTIL '2026-06-15';`);
    // Without pg_authid every login role counts as having a password.
    expect(only(audit({ roles, passwords: null }), 'password-never-expires').map((x) => x.subject)).toEqual(['app']);
    // A role without a password has nothing to expire.
    expect(only(audit({ roles }), 'password-never-expires')).toEqual([]);
    const allExpire = roles.map((r) => (r.bootstrap ? r : { ...r, validUntil: 1_760_000_000 }));
    expect(only(audit({ roles: allExpire, passwords }), 'password-never-expires')).toEqual([]);
  });

  it('flags password_encryption other than scram-sha-256, and ssl off', () => {
    const findings = audit({ server: settings({ passwordEncryption: 'md5', ssl: false }) });
    expect(only(findings, 'password-encryption')[0]).toMatchObject({ severity: 'medium', evidence: 'password_encryption = md5' });
    expect(only(findings, 'password-encryption')[0]!.fix).toContain("ALTER SYSTEM SET password_encryption = 'scram-sha-256';\nSELECT pg_reload_conf();");
    expect(only(findings, 'ssl-off')[0]!.fix).toContain('ALTER SYSTEM SET ssl = on;');
    expect(audit().filter((f) => f.check === 'password-encryption' || f.check === 'ssl-off')).toEqual([]);
  });

  it('reads pg_hba.conf: trust, password, any address, lines in error', () => {
    const hba = [
      hbaRule({ line: 89, type: 'local', address: null, netmask: null, method: 'trust' }),
      hbaRule({ line: 92, address: '0.0.0.0', netmask: '0.0.0.0', method: 'trust' }),
      hbaRule({ line: 93, address: 'all', netmask: null, method: 'password' }),
      hbaRule({ line: 94, address: '::', netmask: '::', method: 'reject' }),
      hbaRule({ line: 95, type: 'hostssl', address: '::', netmask: '::', method: 'scram-sha-256' }),
      hbaRule({ line: 96, method: null, error: 'invalid authentication method "scram"' }),
    ];
    const findings = audit({ hba }).filter((f) => f.check.startsWith('hba-'));
    expect(findings.map((f) => [f.check, f.severity, f.subject, f.evidence])).toEqual([
      ['hba-trust', 'high', 'pg_hba.conf line 92', 'host all all 0.0.0.0/0 trust'],
      ['hba-password', 'high', 'pg_hba.conf line 93', 'host all all all password'],
      ['hba-trust', 'medium', 'pg_hba.conf line 89', 'local all all trust'],
      ['hba-open-address', 'medium', 'pg_hba.conf line 92', 'host all all 0.0.0.0/0 trust'],
      ['hba-open-address', 'medium', 'pg_hba.conf line 93', 'host all all all password'],
      ['hba-open-address', 'medium', 'pg_hba.conf line 95', 'hostssl all all ::/0 scram-sha-256'],
      ['hba-error', 'medium', 'pg_hba.conf line 96', 'host all all 10.0.0.0/8: invalid authentication method "scram"'],
    ]);
    expect(findings[0]!.fix).toBe('-- in /var/lib/postgresql/data/pg_hba.conf line 92: replace trust with scram-sha-256, then:\nSELECT pg_reload_conf();');
    expect(hbaLine(hbaRule({ address: '10.42.0.0', netmask: '255.255.0.0' }))).toBe('host all all 10.42.0.0/16 scram-sha-256');
  });

  it('flags CREATE for PUBLIC on a schema and CONNECT/TEMPORARY for PUBLIC on databases', () => {
    const facts = [
      ...cleanServer.facts,
      fact({ kind: 'grant', objectType: 'schema', schema: 'public', role: 'PUBLIC', privilege: 'USAGE' }),
      fact({ kind: 'grant', objectType: 'schema', schema: 'public', role: 'PUBLIC', privilege: 'CREATE' }),
      fact({ kind: 'grant', objectType: 'database', database: 'shop', role: 'PUBLIC', privilege: 'TEMPORARY' }),
      fact({ kind: 'grant', objectType: 'database', database: 'shop', role: 'PUBLIC', privilege: 'CONNECT' }),
      fact({ kind: 'grant', objectType: 'database', database: "it's", role: 'PUBLIC', privilege: 'CONNECT' }),
    ];
    const findings = audit({ facts });
    expect(only(findings, 'public-create')).toMatchObject([{ severity: 'high', subject: 'schema public', fix: 'REVOKE CREATE ON SCHEMA "public" FROM PUBLIC;' }]);
    const databases = only(findings, 'database-public');
    expect(databases.map((f) => [f.subject, f.evidence])).toEqual([
      ["database it's", `PUBLIC has CONNECT on database "it's"`],
      ['database shop', 'PUBLIC has CONNECT, TEMPORARY on database "shop"'],
    ]);
    expect(databases[1]!.fix).toMatch(/REVOKE CONNECT, TEMPORARY ON DATABASE "shop" FROM PUBLIC;$/);
  });

  it('flags CREATEROLE and BYPASSRLS on roles that are not superusers', () => {
    const roles = [...cleanServer.roles, role({ name: 'hr', createRole: true, bypassRls: true, canLogin: false })];
    const findings = audit({ roles });
    expect(only(findings, 'createrole')).toMatchObject([{ severity: 'medium', subject: 'hr', fix: 'ALTER ROLE "hr" NOCREATEROLE;' }]);
    expect(only(findings, 'bypassrls')).toMatchObject([{ severity: 'medium', subject: 'hr', fix: 'ALTER ROLE "hr" NOBYPASSRLS;' }]);
  });

  it('flags login roles that own objects, not the superuser nor NOLOGIN owners', () => {
    const facts = [
      ...cleanServer.facts,
      fact({ kind: 'owner', objectType: 'table', schema: 'public', role: 'app', objects: 3, total: 15 }),
      fact({ kind: 'owner', objectType: 'sequence', schema: 'public', role: 'app', objects: 1, total: 1 }),
      fact({ kind: 'owner', objectType: 'table', schema: 'public', role: 'readers', objects: 2, total: 15 }),
    ];
    const [f, ...rest] = only(audit({ facts }), 'login-owns-objects');
    expect(rest).toEqual([]);
    expect(f).toMatchObject({ severity: 'low', subject: 'app', evidence: '"app" can log in and owns 3 tables, 1 sequence in public' });
    expect(f!.fix).toContain('REASSIGN OWNED BY "app" TO "app_owner";');
  });

  it('puts the worst first', () => {
    const findings = audit({
      server: settings({ ssl: false }),
      roles: [...cleanServer.roles, role({ name: 'root', superuser: true })],
      passwords: [...cleanServer.passwords, { role: 'root', kind: 'scram-sha-256' }],
    });
    expect(findings.map((f) => f.severity)).toEqual(['high', 'medium', 'info']);
  });
});
