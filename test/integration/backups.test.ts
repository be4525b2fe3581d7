// Backups and restores on the real server with this machine's pg_dump,
// pg_restore and psql (the direct path): a database of 100 000 rows backed
// up in custom and plain (gzip) format, restored into new databases and
// compared row by row; and every way a backup can fail — a non-writable
// directory, a full disk, a missing database, a pg_dump error — gives one
// clear line and leaves nothing in the backup directory.
import { mkdtempSync, readdirSync, rmSync, writeFileSync, existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FileHandle } from 'node:fs/promises';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BackupError, runBackup } from '../../src/backup/backup.js';
import { listBackups } from '../../src/backup/listing.js';
import { stopAllWork } from '../../src/backup/running.js';
import { planFor, type BackupPlan } from '../../src/model/backup-names.js';
import { compareCounts, countRows, restoreBackup, RestoreError } from '../../src/backup/restore.js';
import { planForRole, toolset } from '../../src/backup/toolset.js';
import { readSidecar, verifyBackupFile } from '../../src/backup/verify.js';
import { resolveConnection } from '../../src/db/connection-options.js';
import { mountReadOnly, mountTmpfs } from '../support/mounts.js';
import { connect, createScratchDatabase, dropDatabases, pgInfo, type ScratchDatabase } from '../support/pg.js';

let db: ScratchDatabase;
let dir: string;
const restored: string[] = [];

/** Every table's rows, as one checksum per table: the same rows give the same checksum. */
async function tableChecksums(database: string): Promise<Record<string, string>> {
  const c = await connect({ database });
  try {
    const tables = await c.query<{ t: string }>(
      "SELECT format('%I.%I', schemaname, tablename) AS t FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1",
    );
    const out: Record<string, string> = {};
    for (const { t } of tables.rows) {
      const r = await c.query<{ n: string; sum: string | null }>(`SELECT count(*)::text AS n, md5(string_agg(x::text, ',' ORDER BY x::text)) AS sum FROM ${t} x`);
      out[t] = `${r.rows[0]!.n}:${r.rows[0]!.sum}`;
    }
    return out;
  } finally {
    await c.end();
  }
}

beforeAll(async () => {
  db = await createScratchDatabase('backup6');
  const c = await connect({ database: db.name });
  try {
    await c.query(`
      CREATE TABLE customers (id int PRIMARY KEY, name text NOT NULL);
      INSERT INTO customers SELECT g, 'customer ' || g FROM generate_series(1, 1000) g;
      CREATE TABLE orders (id bigint PRIMARY KEY, customer_id int REFERENCES customers, note text, created_at timestamptz DEFAULT '2024-01-01');
      INSERT INTO orders SELECT g, 1 + g % 1000, md5(g::text), '2024-01-01'::timestamptz + g * interval '1 minute' FROM generate_series(1, 100000) g;
      CREATE SCHEMA audit;
      CREATE TABLE audit."Log ""x""" (id serial, what text);
      INSERT INTO audit."Log ""x""" (what) VALUES ('quoted'), ('names');
      CREATE TABLE empty_one (id int);
    `);
  } finally {
    await c.end();
  }
  dir = mkdtempSync(join(tmpdir(), 'pgtop-backups-'));
});

afterAll(async () => {
  await dropDatabases(restored);
  await db.drop();
  rmSync(dir, { recursive: true, force: true });
});

function connection(database = db.name) {
  const info = pgInfo();
  return resolveConnection({ host: info.host, port: String(info.port), username: info.user, dbname: database }, { PGPASSWORD: info.password });
}

function tools() {
  return toolset({ connection: connection(), serverMajor: pgInfo().majorVersion, password: pgInfo().password });
}

function backup(plan: BackupPlan, into = dir, extra: Partial<Parameters<typeof runBackup>[0]> = {}) {
  const t = tools();
  return runBackup({ dir: into, plan, at: new Date(), source: t.main, verifier: () => t.verifier(), ...extra });
}

async function restoreInto(file: string, plan: BackupPlan, name: string) {
  restored.push(name);
  const admin = await connect();
  try {
    await restoreBackup({ file, format: plan.format, gzip: plan.gzip, into: name, admin, source: tools().main, keepOwners: true });
  } finally {
    await admin.end();
  }
}

describe('a backup of 100 000 rows, restored into a new database', () => {
  it('custom format: verified, named as docs/backups.md says, restored with every row equal', async () => {
    const plan = planFor('custom', db.name);
    const progress: number[] = [];
    const result = await backup(plan, dir, { progress: (p) => progress.push(p.bytes), progressMs: 20 });
    expect(result.name).toMatch(new RegExp(`^${db.name}_full_\\d{8}_\\d{6}\\.dump$`));
    expect(existsSync(result.file)).toBe(true);
    // Nothing else: no temporary file left behind.
    expect(readdirSync(dir).sort()).toEqual([result.name, `${result.name}.verified`]);
    const sidecar = await readSidecar(result.file);
    expect(sidecar).toMatchObject({ madeBy: 'pgtop', database: db.name, kind: 'full', format: 'custom', bytes: result.bytes });
    expect(sidecar!.check).toMatch(/^pg_restore read \d+ entries \(\d+ listed\) and every data block$/);
    expect(progress.length).toBeGreaterThan(0);

    const into = `${db.name}_restore_custom`;
    await restoreInto(result.file, plan, into);
    expect(await tableChecksums(into)).toEqual(await tableChecksums(db.name));
    const a = await connect({ database: db.name });
    const b = await connect({ database: into });
    try {
      const comparison = compareCounts(await countRows(a), await countRows(b));
      expect(comparison.map((r) => [r.table, r.source?.rows, r.restored?.rows, r.matches])).toEqual([
        ['audit.Log "x"', 2, 2, true],
        ['customers', 1000, 1000, true],
        ['empty_one', 0, 0, true],
        ['orders', 100000, 100000, true],
      ]);
    } finally {
      await a.end();
      await b.end();
    }
  });

  it('plain SQL, gzipped by pgtop: ends with the completion marker, restored by psql with every row equal', async () => {
    const plan = planFor('plain', db.name);
    const result = await backup(plan);
    expect(result.name).toMatch(/_full_\d{8}_\d{6}\.sql\.gz$/);
    expect((await readSidecar(result.file))!.check).toMatch(/^ends with pg_dump's completion marker/);
    const into = `${db.name}_restore_plain`;
    await restoreInto(result.file, plan, into);
    expect(await tableChecksums(into)).toEqual(await tableChecksums(db.name));
  });

  it('schema only, data only, one table and the roles each verify; the listing shows them all verified', async () => {
    for (const plan of [planFor('schema', db.name), planFor('data', db.name), planFor('table', db.name, 'orders'), planFor('globals', db.name)]) {
      await backup(plan);
    }
    const listing = await listBackups(dir);
    const kinds = listing.entries.map((e) => `${e.kind}${e.table ? `:${e.table}` : ''}/${e.format}${e.gzip ? '.gz' : ''}/${e.state}`).sort();
    expect(kinds).toEqual(['data/plain.gz/verified', 'full/custom/verified', 'full/plain.gz/verified', 'globals/plain/verified', 'schema/plain.gz/verified', 'table:orders/custom/verified']);
    const globals = listing.entries.find((e) => e.kind === 'globals')!;
    expect(readFileSync(globals.path, 'utf8')).toContain(`CREATE ROLE ${pgInfo().user}`);
  });

  it('a table backup restores only that table, with its rows', async () => {
    const plan = planFor('table', db.name, 'customers');
    const result = await backup(plan);
    const into = `${db.name}_restore_table`;
    await restoreInto(result.file, plan, into);
    const c = await connect({ database: into });
    try {
      expect((await c.query("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")).rows).toEqual([{ tablename: 'customers' }]);
    } finally {
      await c.end();
    }
    expect((await tableChecksums(into))['public.customers']).toBe((await tableChecksums(db.name))['public.customers']);
  });

  it('never restores over an existing database: it is refused and left as it was', async () => {
    const file = (await listBackups(dir)).entries.find((e) => e.kind === 'full' && e.format === 'custom')!.path;
    const admin = await connect();
    try {
      const error = await restoreBackup({ file, format: 'custom', gzip: false, into: db.name, admin, source: tools().main, keepOwners: true }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RestoreError);
      expect((error as Error).message).toBe(`database ${db.name} already exists: pgtop restores only into a new database; choose another name`);
    } finally {
      await admin.end();
    }
    expect((await tableChecksums(db.name))['public.orders']).toMatch(/^100000:/);
  });

  it('an empty database (a new one, or postgres itself) backs up and verifies: pg_restore lists no entry of it, yet it is whole', async () => {
    const empty = await createScratchDatabase('backup_empty');
    const emptyDir = mkdtempSync(join(tmpdir(), 'pgtop-backup-empty-'));
    try {
      const result = await backup(planFor('custom', empty.name), emptyDir);
      const sidecar = await readSidecar(result.file);
      expect(sidecar!.check).toMatch(/^pg_restore read \d+ entries \(0 listed\) and every data block$/);
      const into = `${empty.name}_restore`;
      await restoreInto(result.file, planFor('custom', empty.name), into);
      const c = await connect({ database: into });
      expect((await c.query("SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = 'public'")).rows[0].n).toBe(0);
      await c.end();
    } finally {
      await empty.drop();
      rmSync(emptyDir, { recursive: true, force: true });
    }
  });

  it('the roles, backed up by an admin who is not a superuser (a managed server\'s): without their passwords, verified', async () => {
    const role = `backup_admin_${db.name.slice(-8)}`;
    const password = 'not-a-superuser-1';
    const admin = await connect();
    const rolesDir = mkdtempSync(join(tmpdir(), 'pgtop-backup-roles-'));
    await admin.query(`CREATE ROLE ${role} LOGIN CREATEROLE PASSWORD '${password}'`);
    try {
      const info = pgInfo();
      const asAdmin = resolveConnection({ host: info.host, port: String(info.port), username: role, dbname: db.name }, { PGPASSWORD: password });
      const t = toolset({ connection: asAdmin, serverMajor: info.majorVersion, password });
      const run = (plan: BackupPlan) => runBackup({ dir: rolesDir, plan, at: new Date(), source: t.main, verifier: () => t.verifier() });
      // As pg_dumpall would by default: pg_authid is a superuser's to read.
      await expect(run(planFor('globals', db.name))).rejects.toThrow(/permission denied for table pg_authid/);
      const client = await connect({ user: role, password });
      try {
        const plan = await planForRole(client, planFor('globals', db.name));
        expect(plan.withoutRolePasswords).toBe(true);
        const result = await run(plan);
        const sql = readFileSync(result.file, 'utf8');
        expect(sql).toContain(`CREATE ROLE ${role};`);
        expect(sql).not.toMatch(/SCRAM-SHA-256\$|md5[0-9a-f]{32}/);
      } finally {
        await client.end();
      }
      // A superuser's roles backup keeps them.
      expect(await planForRole(admin, planFor('globals', db.name))).not.toHaveProperty('withoutRolePasswords');
    } finally {
      await admin.query(`DROP ROLE ${role}`);
      await admin.end();
      rmSync(rolesDir, { recursive: true, force: true });
    }
  });

  it('a corrupt archive does not verify, and a truncated .sql.gz neither', async () => {
    const listing = await listBackups(dir);
    const custom = listing.entries.find((e) => e.kind === 'full' && e.format === 'custom')!;
    const cut = join(dir, 'cut.dump');
    writeFileSync(cut, readFileSync(custom.path).subarray(0, Math.floor(custom.bytes / 2)));
    await expect(verifyBackupFile(cut, 'custom', false, () => tools().verifier())).rejects.toThrow(/pg_restore cannot read every data block/);
    const gz = listing.entries.find((e) => e.kind === 'full' && e.gzip)!;
    const cutGz = join(dir, 'cut.sql.gz');
    writeFileSync(cutGz, readFileSync(gz.path).subarray(0, Math.floor(gz.bytes / 2)));
    await expect(verifyBackupFile(cutGz, 'plain', true, () => tools().verifier())).rejects.toThrow(/gzip stream is cut short/);
    rmSync(cut);
    rmSync(cutGz);
  });
});

describe('a failed backup says why in one line and leaves nothing behind', () => {
  const made: string[] = [];
  afterAll(() => {
    for (const d of made) rmSync(d, { recursive: true, force: true });
  });

  function emptyDir(): string {
    const d = mkdtempSync(join(tmpdir(), 'pgtop-backup-fail-'));
    made.push(d);
    return d;
  }

  async function failure(plan: BackupPlan, into: string, extra: Partial<Parameters<typeof runBackup>[0]> = {}): Promise<string> {
    const error = await backup(plan, into, extra).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BackupError);
    const message = (error as Error).message;
    expect(message).not.toContain('\n');
    return message;
  }

  it('a missing database', async () => {
    const into = emptyDir();
    const message = await failure(planFor('custom', 'no_such_database_6'), into);
    expect(message).toBe('full backup of no_such_database_6 failed: pg_dump failed: connection to server at "' + pgInfo().host + `", port ${pgInfo().port} failed: FATAL:  database "no_such_database_6" does not exist; no backup file was kept`);
    expect(readdirSync(into)).toEqual([]);
    rmSync(into, { recursive: true });
  });

  it("a pg_dump error (a table that does not exist)", async () => {
    const into = emptyDir();
    const message = await failure(planFor('table', db.name, 'no_such_table'), into);
    expect(message).toBe(`table no_such_table backup of ${db.name} failed: pg_dump failed: no matching tables were found; no backup file was kept`);
    expect(readdirSync(into)).toEqual([]);
    rmSync(into, { recursive: true });
  });

  it('a backup directory that cannot be written: a read-only mount (root), or a directory without write permission (not root)', async () => {
    const source = emptyDir();
    const ro = mountReadOnly(source, `${source}-ro`);
    const { chmodSync } = await import('node:fs');
    const root = process.getuid?.() === 0;
    // Root without the right to mount (a locked-down container): permission bits do not stop root,
    // so the directory is a file instead — the path under a file is the next test.
    const target = ro?.dir ?? (root ? join(source, 'is-a-file') : source);
    if (!ro && root) writeFileSync(target, '');
    if (!ro && !root) chmodSync(source, 0o500);
    try {
      const message = await failure(planFor('custom', db.name), target);
      if (ro) expect(message).toBe(`cannot write in ${target}: the file system is read-only; choose another with --backup-dir`);
      else if (root) expect(message).toMatch(new RegExp(`^cannot create the backup directory ${target}: `));
      else expect(message).toBe(`cannot write in ${target}: permission denied; choose another with --backup-dir`);
      expect(readdirSync(source)).toEqual(!ro && root ? ['is-a-file'] : []);
    } finally {
      ro?.unmount();
      chmodSync(source, 0o700);
      rmSync(source, { recursive: true });
    }
  });

  it('a local pg_dump older than the server is refused, saying which client to install', async () => {
    const into = emptyDir();
    // A server from the future: every pg_dump on this machine is older than it.
    const t = toolset({ connection: connection(), serverMajor: 99, password: pgInfo().password });
    const error = await runBackup({ dir: into, plan: planFor('custom', db.name), at: new Date(), source: t.main, verifier: () => t.verifier() }).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(
      /^full backup of \S+ failed: the local pg_dump is \d+\.\d+ \(\S+\), older than the server \(PostgreSQL 99\): pg_dump refuses newer servers; install postgresql-client-99 \(or newer\), or use -k to run it in the database's pod; no backup file was kept$/,
    );
    expect(readdirSync(into)).toEqual([]);
  });

  it('never overwrites: a second backup with the same name fails and the first is untouched', async () => {
    const into = emptyDir();
    const at = new Date();
    const first = await backup(planFor('globals', db.name), into, { at });
    const before = readFileSync(first.file);
    const message = await failure(planFor('globals', db.name), into, { at });
    expect(message).toBe(`${first.file} already exists: pgtop never overwrites a backup; try again in a second`);
    expect(readFileSync(first.file).equals(before)).toBe(true);
    expect(readdirSync(into).sort()).toEqual([first.name, `${first.name}.verified`]);
  });

  it('a backup directory under a file (ENOTDIR), even as root', async () => {
    const into = emptyDir();
    writeFileSync(join(into, 'a-file'), 'x');
    const message = await failure(planFor('custom', db.name), join(into, 'a-file', 'backups'));
    expect(message).toBe(`cannot create the backup directory ${join(into, 'a-file', 'backups')}: part of the path is a file, not a directory; choose another with --backup-dir`);
    expect(readdirSync(into)).toEqual(['a-file']);
    rmSync(into, { recursive: true });
  });

  it('pgtop quitting mid-backup (stopAllWork): pg_dump stopped, the temporary file removed, "interrupted"', async () => {
    const into = emptyDir();
    let stopped = false;
    // A slow disk, so the backup is certainly running when pgtop quits.
    const slow = (handle: FileHandle) =>
      new Writable({
        write(_chunk: Buffer, _e, done) {
          setTimeout(done, 20);
        },
        destroy(error, done) {
          handle.close().then(() => done(error), () => done(error));
        },
      });
    const message = await failure(planFor('plain', db.name), into, {
      openSink: slow,
      progressMs: 20,
      progress: () => {
        if (!stopped) {
          stopped = true;
          stopAllWork();
        }
      },
    });
    expect(message).toBe(`full backup of ${db.name} failed: interrupted; no backup file was kept`);
    expect(readdirSync(into)).toEqual([]);
    rmSync(into, { recursive: true });
  });

  it('a full disk: a 256 kB tmpfs (root), else a file that fails with ENOSPC after 256 kB', async () => {
    const base = emptyDir();
    const tmpfs = mountTmpfs(join(base, 'small'), '256k');
    const into = tmpfs?.dir ?? base;
    // Without a tmpfs: the same error the kernel gives, from the stream that writes the file.
    const simulated = tmpfs
      ? {}
      : {
          openSink: (handle: FileHandle) => {
            let written = 0;
            return new Writable({
              write(chunk: Buffer, _e, done) {
                written += chunk.length;
                done(written > 256 * 1024 ? Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' }) : undefined);
              },
              destroy(error, done) {
                handle.close().then(() => done(error), () => done(error));
              },
            });
          },
        };
    try {
      // Plain SQL: ~9 MB, gzipped ~4 MB, far more than 256 kB.
      const message = await failure(planFor('plain', db.name), into, simulated);
      expect(message).toMatch(new RegExp(`^full backup of ${db.name} failed: writing ${into}/\\.${db.name}_full_\\d{8}_\\d{6}\\.sql\\.gz\\.partial failed: no space left on the device \\(the disk is full\\); no backup file was kept$`));
      expect(readdirSync(into)).toEqual([]);
    } finally {
      tmpfs?.unmount();
      rmSync(base, { recursive: true, force: true });
    }
  });
});
