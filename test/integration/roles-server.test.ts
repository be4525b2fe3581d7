// The audit's server-wide checks need a server of their own to provoke:
// pg_hba.conf rules, ssl, password_encryption. PostgreSQL 17 (and the
// pg_hba_file_rules of 16+) with log_statement=all, which also shows what n
// and P send; PostgreSQL 13 for the old default of CREATE on public.
import { execFileSync } from 'node:child_process';
import { appendFileSync, chownSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actionRequest } from '../../src/actions/action.js';
import { changePassword, newRole } from '../../src/actions/roles.js';
import { hydrateEmbeddedSymlinks, startLocalCluster, type LocalCluster } from '../../src/localcluster/cluster.js';
import { unprivilegedUser } from '../../src/localcluster/os.js';
import { PACKAGE_ROOT } from '../support/paths.js';
import { parseScramVerifier } from '../../src/security/scram.js';
import type { Finding } from '../../src/model/audit.js';
import { auditAs, connectionTo, loginAs, pollRoles, runAction, runFix } from '../support/roles-server.js';
import pg from 'pg';

function embeddedBinDir(pkg: string): string {
  const dir = join(PACKAGE_ROOT, 'node_modules', pkg);
  hydrateEmbeddedSymlinks(dir);
  return join(dir, 'native', 'bin');
}

async function sql(cluster: LocalCluster, text: string): Promise<pg.QueryResult> {
  return withClient(cluster, (client) => client.query(text));
}

async function withClient<T>(cluster: LocalCluster, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ host: cluster.host, port: cluster.port, user: cluster.user, password: cluster.password, database: cluster.database });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

const superuserOf = (cluster: LocalCluster) => connectionTo(cluster, cluster.user, cluster.password, cluster.database);
const summary = (findings: Finding[], checks: string[]) =>
  findings.filter((f) => checks.includes(f.check)).map((f) => `${f.severity} ${f.check}: ${f.evidence}`);

describe('audit of server settings and pg_hba.conf (PostgreSQL 17)', () => {
  let cluster: LocalCluster;
  const hbaFile = () => join(cluster.dataDir, 'pg_hba.conf');
  let originalHba: string;

  beforeAll(async () => {
    cluster = await startLocalCluster({ binDir: embeddedBinDir('pg17'), preloadLibraries: [], settings: { log_statement: 'all' } });
    originalHba = readFileSync(hbaFile(), 'utf8');
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  it('finds trust, password and open-address rules, and forgets them once the lines are fixed', async () => {
    // What initdb wrote: local connections trusted.
    let findings = await auditAs(superuserOf(cluster));
    expect(summary(findings, ['hba-trust'])).toEqual(['medium hba-trust: local all all trust', 'medium hba-trust: local replication all trust']);
    expect(findings.find((f) => f.check === 'hba-trust')!.fix).toMatch(new RegExp(`^-- in ${hbaFile()} line \\d+: replace trust with peer`));

    appendFileSync(hbaFile(), 'host all all 0.0.0.0/0 trust\nhost all all all password\n');
    await sql(cluster, 'SELECT pg_reload_conf()');
    findings = await auditAs(superuserOf(cluster));
    expect(summary(findings, ['hba-trust', 'hba-password', 'hba-open-address'])).toEqual([
      'high hba-trust: host all all 0.0.0.0/0 trust',
      'high hba-password: host all all all password',
      'medium hba-trust: local all all trust',
      'medium hba-trust: local replication all trust',
      'medium hba-open-address: host all all 0.0.0.0/0 trust',
      'medium hba-open-address: host all all all password',
    ]);
    // 16+ names the file of each rule.
    expect(findings.find((f) => f.check === 'hba-password')!.subject).toMatch(/^pg_hba.conf line \d+$/);

    // The fixes: scram-sha-256 instead of trust and password, no rule for any address.
    writeFileSync(hbaFile(), originalHba.replace(/\btrust\b/g, 'scram-sha-256'));
    await sql(cluster, 'SELECT pg_reload_conf()');
    findings = await auditAs(superuserOf(cluster));
    expect(findings.filter((f) => f.check.startsWith('hba-'))).toEqual([]);
  });

  it('finds ssl off, and not once ssl is on with a certificate', async () => {
    expect(summary(await auditAs(superuserOf(cluster)), ['ssl-off'])).toEqual(['medium ssl-off: ssl = off']);
    const key = join(cluster.dataDir, 'server.key');
    const crt = join(cluster.dataDir, 'server.crt');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=localhost', '-days', '1', '-keyout', key, '-out', crt], { stdio: 'ignore' });
    const runAs = unprivilegedUser();
    for (const file of [key, crt]) if (runAs) chownSync(file, runAs.uid, runAs.gid);
    execFileSync('chmod', ['600', key]);
    await sql(cluster, 'ALTER SYSTEM SET ssl = on');
    await sql(cluster, 'SELECT pg_reload_conf()');
    expect(summary(await auditAs(superuserOf(cluster)), ['ssl-off'])).toEqual([]);
  });

  it('with password_encryption = md5: flags it, yet n and P still store SCRAM and the log never sees a password', async () => {
    await sql(cluster, "ALTER SYSTEM SET password_encryption = 'md5'");
    await sql(cluster, 'SELECT pg_reload_conf()');
    const findings = await auditAs(superuserOf(cluster));
    const encryption = findings.find((f) => f.check === 'password-encryption')!;
    expect(encryption.evidence).toBe('password_encryption = md5');

    const state = await pollRoles(superuserOf(cluster));
    const target = { database: cluster.database, currentUser: cluster.user, existingRoles: state.data.results.roles!.rows.map((r) => r.name), schemas: ['public'] };
    const created = await runAction(superuserOf(cluster), actionRequest(newRole, target), ['log watcher', 'monitor', 'public', '']);
    const generated = created.box!.lines[0]!;
    const typed = 'typed by hand, never logged';
    await runAction(superuserOf(cluster), actionRequest(changePassword, { role: 'log watcher', canLogin: true, isCurrentUser: false }), [typed]);

    // 16+ reads memberships per grant (roles_post_160000.sql).
    const watcher = (await pollRoles(superuserOf(cluster))).data.results.roles!.rows.find((r) => r.name === 'log watcher');
    expect(watcher?.memberOf).toEqual([{ role: 'pg_monitor', admin: false, inherit: true }]);

    const stored = (await sql(cluster, "SELECT rolpassword FROM pg_authid WHERE rolname = 'log watcher'")).rows[0].rolpassword as string;
    expect(parseScramVerifier(stored)).not.toBeNull();
    await (await loginAs(cluster, 'log watcher', typed, cluster.database)).end();

    const log = readFileSync(cluster.logFile, 'utf8');
    expect(log).toMatch(/statement: CREATE ROLE "log watcher" LOGIN PASSWORD 'SCRAM-SHA-256\$4096:[^']+';/);
    expect(log).toContain(`statement: ALTER ROLE "log watcher" PASSWORD '${stored}'`);
    expect(log).not.toContain(generated);
    expect(log).not.toContain(typed);

    await withClient(cluster, (client) => runFix(client, encryption.fix));
    expect((await auditAs(superuserOf(cluster))).some((f) => f.check === 'password-encryption')).toBe(false);
  });
});

describe('audit on PostgreSQL 13', () => {
  let cluster: LocalCluster;
  beforeAll(async () => {
    cluster = await startLocalCluster({ binDir: embeddedBinDir('pg13'), preloadLibraries: [] });
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  it("runs every roles query, and finds PUBLIC's CREATE on schema public, the default before 15", async () => {
    const state = await pollRoles(superuserOf(cluster), 'audit');
    for (const id of ['roles', 'rolesPrivileges', 'rolesServer', 'rolesPasswords', 'rolesHba'] as const) {
      expect(state.data.results[id]!.error, id).toBeNull();
      expect(state.data.results[id]!.rows.length, id).toBeGreaterThan(0);
    }
    const findings = await auditAs(superuserOf(cluster));
    const create = findings.find((f) => f.check === 'public-create')!;
    expect(create).toMatchObject({ severity: 'high', subject: 'schema public', fix: 'REVOKE CREATE ON SCHEMA "public" FROM PUBLIC;' });
    await withClient(cluster, (client) => runFix(client, create.fix));
    expect((await auditAs(superuserOf(cluster))).some((f) => f.check === 'public-create')).toBe(false);
  });
});
