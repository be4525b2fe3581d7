// `pgtop backup`, the built binary, as cron runs it (no terminal): exit 0
// only with a complete, verified backup; a failure is one line, exit 1, and
// leaves nothing; --keep-days deletes exactly the right files; SIGTERM in
// the middle leaves nothing that looks like a backup. --print-cronjob, direct
// and with -k against the fake API server, prints valid Kubernetes objects —
// and the CronJob's script, run here against the real server, backs up,
// verifies and prunes as pgtop does.
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadAllYaml } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cronScript } from '../../src/backup/cronjob.js';
import { listBackups } from '../../src/backup/listing.js';
import { backupFileName, planFor } from '../../src/model/backup-names.js';
import { findLocalTool } from '../../src/backup/tools.js';
import { hashFile, writeSidecar } from '../../src/backup/verify.js';
import { BIN, cleanEnv, runPgtop, serverArgs } from '../support/binary.js';
import { postgresTemplate, startFakeCluster, type FakeCluster } from '../support/fake-kube/index.js';
import { schemaProblems } from '../support/k8s-schema.js';
import { connect, createScratchDatabase, pgInfo, waitFor, type ScratchDatabase } from '../support/pg.js';

let db: ScratchDatabase;
let home: string;
const dirs: string[] = [];

beforeAll(async () => {
  db = await createScratchDatabase('backupcli');
  const c = await connect({ database: db.name });
  try {
    await c.query(`
      CREATE TABLE readings (id bigint PRIMARY KEY, sensor int, value text);
      INSERT INTO readings SELECT g, g % 50, repeat(md5(g::text), 3) FROM generate_series(1, 100000) g;
    `);
  } finally {
    await c.end();
  }
  home = mkdtempSync(join(tmpdir(), 'pgtop-backup-home-'));
});

afterAll(async () => {
  await db.drop();
  for (const d of [home, ...dirs]) rmSync(d, { recursive: true, force: true });
});

function newDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'pgtop-cli-backups-'));
  dirs.push(d);
  return d;
}

function backup(dir: string, ...extra: string[]) {
  const { args, env } = serverArgs(db.name);
  return runPgtop(['backup', ...args, '--backup-dir', dir, ...extra], { ...env, HOME: home }, 60_000);
}

describe('pgtop backup (for cron)', () => {
  it('exits 0 with one line naming the verified file; nothing on stderr without a terminal', async () => {
    const dir = newDir();
    const run = await backup(dir);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(new RegExp(`^backup verified: ${dir}/${db.name}_full_\\d{8}_\\d{6}\\.dump \\(.+; pg_restore read \\d+ entries \\(\\d+ listed\\) and every data block\\)\\n$`));
    const listing = await listBackups(dir);
    expect(listing.entries.map((e) => [e.kind, e.format, e.state, e.madeByPgtop])).toEqual([['full', 'custom', 'verified', true]]);
  });

  it('--format plain --table T: one table as gzipped SQL', async () => {
    const dir = newDir();
    const run = await backup(dir, '--format', 'plain', '--table', 'readings');
    expect(run.code).toBe(0);
    expect(readdirSync(dir).sort()).toEqual([expect.stringMatching(new RegExp(`^${db.name}_table-readings_\\d{8}_\\d{6}\\.sql\\.gz$`)), expect.stringMatching(/\.sql\.gz\.verified$/)]);
  });

  it('a pg_dump error: exit 1, one line, nothing left', async () => {
    const dir = newDir();
    const run = await backup(dir, '--table', 'no_such_table');
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe(`pgtop: table no_such_table backup of ${db.name} failed: pg_dump failed: no matching tables were found; no backup file was kept\n`);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('a missing database: exit 1, one line naming it', async () => {
    const dir = newDir();
    const { args, env } = serverArgs('no_such_db_cli');
    const run = await runPgtop(['backup', ...args, '--backup-dir', dir], { ...env, HOME: home });
    expect(run.code).toBe(1);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toContain('database "no_such_db_cli" does not exist');
    expect(readdirSync(dir)).toEqual([]);
  });

  it('--once --json --screen backups lists the backup directory (no server query needed for it)', async () => {
    const dir = newDir();
    expect((await backup(dir, '--format', 'schema')).code).toBe(0);
    const { args, env } = serverArgs(db.name);
    const run = await runPgtop(['--once', '--json', '--screen', 'backups', '--backup-dir', dir, ...args], { ...env, HOME: home });
    expect(run.code).toBe(0);
    const rows = (JSON.parse(run.stdout) as { rows: { file: string; kind: string; state: string; madeByPgtop: boolean }[] }).rows;
    expect(rows).toEqual([expect.objectContaining({ file: expect.stringMatching(new RegExp(`^${db.name}_schema_\\d{8}_\\d{6}\\.sql\\.gz$`)), kind: 'schema', state: 'verified', madeByPgtop: true })]);
  });

  it('bad usage: exit 2', async () => {
    const run = await runPgtop(['backup', '--format', 'tar']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^pgtop: option '--format <format>' argument 'tar' is invalid/);
    const days = await runPgtop(['backup', '--keep-days', 'soon']);
    expect(days).toMatchObject({ code: 2, stderr: 'pgtop: invalid --keep-days "soon": give a whole number of days, at least 1\n' });
  });

  it("--keep-days N deletes exactly pgtop's own verified backups older than N days, after a good backup", async () => {
    const dir = newDir();
    const day = 24 * 3600 * 1000;
    const made = async (plan: ReturnType<typeof planFor>, daysAgo: number, madeByPgtop = true) => {
      const name = backupFileName(plan, new Date(Date.now() - daysAgo * day));
      writeFileSync(join(dir, name), `old backup ${name}`);
      const { sha256, bytes } = await hashFile(join(dir, name));
      await writeSidecar(join(dir, name), { check: 'test', sha256, bytes }, madeByPgtop ? { madeBy: 'pgtop', database: plan.database, kind: plan.kind, format: plan.format, gzip: plan.gzip } : {});
      return name;
    };
    const custom = planFor('custom', db.name);
    const old1 = await made(custom, 10);
    const old2 = await made(custom, 30);
    const recent = await made(custom, 2);
    const otherSeriesOnly = await made(planFor('schema', db.name), 60); // the newest of its series
    const notOurs = await made(custom, 40, false);
    const foreign = 'mydb_full_20200101_000000.sql';
    writeFileSync(join(dir, foreign), '-- not made by pgtop');
    const run = await backup(dir, '--keep-days', '7');
    expect(run.code).toBe(0);
    const lines = run.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^backup verified: /);
    expect(lines.slice(1).sort()).toEqual([`deleted (older than 7 days): ${old1}`, `deleted (older than 7 days): ${old2}`].sort());
    const left = readdirSync(dir);
    for (const name of [recent, otherSeriesOnly, notOurs, foreign]) expect(left).toContain(name);
    for (const name of [old1, old2]) expect(left.filter((n) => n.startsWith(name))).toEqual([]);
  });

  it('SIGTERM in the middle: exit 1, "interrupted", and no file that looks like a backup', async () => {
    const dir = newDir();
    const { args, env } = serverArgs(db.name);
    // pg_dump waits for its lock on the table while another session holds it:
    // the backup is surely in the middle when the signal comes, however loaded the machine.
    const holder = await connect({ database: db.name });
    await holder.query('BEGIN; LOCK TABLE readings IN ACCESS EXCLUSIVE MODE');
    try {
      const child = spawn(process.execPath, [BIN, 'backup', ...args, '--backup-dir', dir, '--format', 'plain'], { env: { ...cleanEnv(), ...env, HOME: home }, stdio: ['ignore', 'pipe', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
      const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
      await waitFor(async () => readdirSync(dir).some((n) => n.endsWith('.partial')), { what: 'the temporary file', timeoutMs: 20_000, intervalMs: 5 });
      await waitFor(async () => (await holder.query("SELECT 1 FROM pg_locks WHERE relation = 'readings'::regclass AND NOT granted")).rowCount! > 0, { what: 'pg_dump waiting for its lock', timeoutMs: 20_000 });
      child.kill('SIGTERM');
      expect(await exited).toBe(1);
      expect(stderr).toBe(`pgtop: full backup of ${db.name} failed: interrupted; no backup file was kept\n`);
      expect(readdirSync(dir)).toEqual([]);
    } finally {
      await holder.query('ROLLBACK');
      await holder.end();
    }
  });
});

describe('pgtop backup --print-cronjob', () => {
  let cluster: FakeCluster;
  beforeAll(async () => {
    cluster = await startFakeCluster({ namespace: 'development' });
    const info = pgInfo();
    cluster.kube.addDeployment('development', 'postgres', postgresTemplate(info));
    cluster.kube.addService('development', 'postgres-svc', { app: 'postgres' }, [{ name: 'pg', port: 5432, targetPort: 5432 }]);
    cluster.kube.addSecret('development', 'postgres-secret', { password: info.password });
  });
  afterAll(async () => cluster?.stop());

  function objects(stdout: string) {
    const docs = loadAllYaml(stdout) as Record<string, any>[];
    for (const d of docs) expect(schemaProblems(d)).toEqual([]);
    return { pvc: docs[0]!, cron: docs[1]!, container: docs[1]!.spec.jobTemplate.spec.template.spec.containers[0] };
  }

  it('with -k: the pod\'s image, the Service that selects the pod, the Secret; valid Kubernetes objects', async () => {
    const info = pgInfo();
    const run = await runPgtop(
      ['backup', '-k', 'deploy/postgres', '-n', 'development', '-U', info.user, '-d', db.name, '--password-secret', 'postgres-secret/password', '--keep-days', '14', '--print-cronjob'],
      { HOME: home, KUBECONFIG: cluster.kubeconfig },
    );
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const { pvc, cron, container } = objects(run.stdout);
    expect(pvc.metadata).toMatchObject({ name: 'postgres-backups', namespace: 'development' });
    expect(cron.metadata.namespace).toBe('development');
    expect(container.image).toBe('postgres:15');
    expect(container.env).toEqual(
      expect.arrayContaining([
        { name: 'PGHOST', value: 'postgres-svc' },
        { name: 'PGPORT', value: '5432' },
        { name: 'PGUSER', value: info.user },
        { name: 'PGDATABASE', value: db.name },
        { name: 'PGPASSWORD', valueFrom: { secretKeyRef: { name: 'postgres-secret', key: 'password' } } },
      ]),
    );
    expect(container.command[2]).toContain('-mtime +13 -print -delete');
    expect(run.stdout).not.toContain(info.password);
  });

  it('with -k cluster/NAME (CloudNativePG): the job reaches the primary through the cluster\'s NAME-rw Service', async () => {
    const info = pgInfo();
    cluster.kube.addPod('development', 'pg-1', postgresTemplate(info, { 'cnpg.io/cluster': 'pg', 'cnpg.io/instanceRole': 'primary' }));
    cluster.kube.addPod('development', 'pg-2', postgresTemplate(info, { 'cnpg.io/cluster': 'pg', 'cnpg.io/instanceRole': 'replica' }));
    const run = await runPgtop(
      ['backup', '-k', 'cluster/pg', '-n', 'development', '-U', info.user, '-d', db.name, '--password-secret', 'postgres-secret/password', '--print-cronjob'],
      { HOME: home, KUBECONFIG: cluster.kubeconfig },
    );
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const { container } = objects(run.stdout);
    expect(container.env).toEqual(expect.arrayContaining([{ name: 'PGHOST', value: 'pg-rw' }, { name: 'PGPORT', value: '5432' }]));
    expect(run.stdout).toContain('Host: Service pg-rw, the read-write Service CloudNativePG makes for the primary.');
    // And the dashboard's --once goes to the primary pod.
    const once = await runPgtop(['-k', 'cluster/pg', '-n', 'development', '-U', info.user, '--once'], { HOME: home, KUBECONFIG: cluster.kubeconfig, PGPASSWORD: info.password });
    expect(once.code, once.stderr).toBe(0);
    expect(once.stdout).toMatch(/k8s development\/cluster\/pg → pod\/pg-1 :5432/);
  });

  it('pgtop backup -k (no --print-cronjob): pg_dump runs in the pod and the verified file is here', async () => {
    const info = pgInfo();
    const dir = newDir();
    const run = await runPgtop(['backup', '-k', 'deploy/postgres', '-n', 'development', '-U', info.user, '-d', db.name, '--backup-dir', dir], {
      HOME: home,
      KUBECONFIG: cluster.kubeconfig,
      PGPASSWORD: info.password,
    }, 60_000);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const [entry] = (await listBackups(dir)).entries;
    expect(entry).toMatchObject({ database: db.name, kind: 'full', state: 'verified', madeByPgtop: true });
    expect(entry!.sidecar!.dumpedBy).toMatch(/^k8s development\/deployment\/postgres → pod\/postgres-/);
  });

  it('direct: needs the address inside the cluster (--db-host), then uses postgres:<major>', async () => {
    const { args, env } = serverArgs(db.name);
    const refused = await runPgtop(['backup', ...args, '--print-cronjob'], { ...env, HOME: home });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/^pgtop: the job runs inside the cluster, where 127\.0\.0\.1 is not this database: give its address there with --db-host/);
    const run = await runPgtop(['backup', ...args, '--print-cronjob', '--db-host', 'postgres.development.svc', '--format', 'plain', '--schedule', '30 2 * * *'], { ...env, HOME: home });
    expect(run.code).toBe(0);
    const { cron, container } = objects(run.stdout);
    expect(cron.spec.schedule).toBe('30 2 * * *');
    expect(container.image).toBe(`postgres:${pgInfo().majorVersion}`);
    expect(container.env).toContainEqual({ name: 'PGHOST', value: 'postgres.development.svc' });
  });

  it('direct with --image and --db-host: no connection needed (the database may be reachable only inside the cluster)', async () => {
    const run = await runPgtop(
      ['backup', '-h', 'postgres.internal.invalid', '-U', 'app', '-d', 'shop', '--print-cronjob', '--image', 'postgres:16', '--db-host', 'postgres.shop.svc'],
      { HOME: home },
    );
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const { container } = objects(run.stdout);
    expect(container.image).toBe('postgres:16');
    expect(container.env).toContainEqual({ name: 'PGHOST', value: 'postgres.shop.svc' });
    expect(container.env).toContainEqual({ name: 'PGUSER', value: 'app' });
  });

  it("the job's script, run here against the real server, backs up, verifies, and prunes only its own series", async () => {
    const dir = newDir();
    const info = pgInfo();
    const plan = planFor('custom', db.name);
    const old = backupFileName(plan, new Date(Date.now() - 20 * 24 * 3600 * 1000));
    writeFileSync(join(dir, old), 'an old backup of this series');
    utimesSync(join(dir, old), new Date(Date.now() - 20 * 24 * 3600 * 1000), new Date(Date.now() - 20 * 24 * 3600 * 1000));
    const other = 'otherdb_full_20200101_000000.dump';
    writeFileSync(join(dir, other), 'another series');
    utimesSync(join(dir, other), new Date(2020, 0, 1), new Date(2020, 0, 1));
    const bin = join(findLocalTool('pg_dump', info.majorVersion).file, '..');
    const env = { ...cleanEnv(), PATH: `${bin}:${process.env.PATH}`, PGHOST: info.host, PGPORT: String(info.port), PGUSER: info.user, PGDATABASE: db.name, PGPASSWORD: info.password };
    const out = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
      execFile('bash', ['-c', cronScript({ plan, keepDays: 7 }, dir)], { env, timeout: 60_000 }, (error, stdout, stderr) =>
        resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
      ),
    );
    expect(out.stderr).toBe('');
    expect(out.code).toBe(0);
    expect(out.stdout).toMatch(new RegExp(`^backup complete and verified: ${db.name}_full_\\d{8}_\\d{6}\\.dump \\(.+\\)\\n\\./${old}\\n$`));
    const left = readdirSync(dir).sort();
    expect(left).toHaveLength(2);
    expect(left).toContain(other);
    expect(existsSync(join(dir, old))).toBe(false);
  });
});
