// Backups over -k, through the fake Kubernetes API server: pg_dump runs in
// the "pod" (the fake runs exec'd commands here, with the pod's environment
// and a PATH whose pg_dump is the server's version, as the postgres image's
// is), its output streams to the local file; the restore runs pg_restore in
// the pod with the file on stdin. The password goes over stdin, never into
// the exec's command (the API server's audit log records it). A pod killed
// mid-dump leaves no file that looks like a backup, and says so.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BackupError, runBackup } from '../../src/backup/backup.js';
import { planFor } from '../../src/backup/naming.js';
import { restoreBackup } from '../../src/backup/restore.js';
import { toolset } from '../../src/backup/toolset.js';
import { findLocalTool } from '../../src/backup/tools.js';
import { readSidecar } from '../../src/backup/verify.js';
import { openK8sTarget, type K8sTarget } from '../../src/k8s/target.js';
import { postgresTemplate, startFakeCluster, type FakeCluster } from '../support/fake-kube/index.js';
import { connect, createScratchDatabase, dropDatabases, pgInfo, type ScratchDatabase } from '../support/pg.js';

const NS = 'backups';
let cluster: FakeCluster;
let target: K8sTarget;
let db: ScratchDatabase;
let dir: string;
const restored: string[] = [];

beforeAll(async () => {
  const info = pgInfo();
  db = await createScratchDatabase('backupk8s');
  const c = await connect({ database: db.name });
  try {
    await c.query(`
      CREATE TABLE items (id bigint PRIMARY KEY, payload text);
      INSERT INTO items SELECT g, md5(g::text) || md5((g * 7)::text) FROM generate_series(1, 100000) g;
      CREATE TABLE tags (id int, tag text);
      INSERT INTO tags SELECT g, 'tag' || (g % 17) FROM generate_series(1, 5000) g;
    `);
  } finally {
    await c.end();
  }
  cluster = await startFakeCluster({ namespace: NS });
  const template = postgresTemplate(info);
  // The pod's image carries the server's own client programs; the pod's env has no password of its own here,
  // so the one pgtop sends is what authenticates (scram).
  const bin = dirname(findLocalTool('pg_dump', info.majorVersion).file);
  template.env = { ...template.env, PATH: `${bin}:${process.env.PATH}` };
  delete template.env.PGPASSWORD;
  cluster.kube.addDeployment(NS, 'postgres', template);
  target = await openK8sTarget(
    { target: { kind: 'deployment', name: 'postgres' }, remotePort: 5432 },
    { username: info.user, dbname: db.name },
    { KUBECONFIG: cluster.kubeconfig, PGPASSWORD: info.password },
  );
  dir = mkdtempSync(join(tmpdir(), 'pgtop-k8s-backups-'));
});

afterAll(async () => {
  await target?.close();
  await cluster?.stop();
  await dropDatabases(restored);
  await db.drop();
  rmSync(dir, { recursive: true, force: true });
});

function tools() {
  return toolset({ connection: target.connection, serverMajor: pgInfo().majorVersion, password: pgInfo().password, podExec: target.exec, podLabel: () => target.label });
}

async function checksums(database: string): Promise<string[]> {
  const c = await connect({ database });
  try {
    const out: string[] = [];
    for (const t of ['items', 'tags']) {
      const r = await c.query<{ n: string; sum: string }>(`SELECT count(*)::text AS n, md5(string_agg(x::text, ',' ORDER BY x::text)) AS sum FROM ${t} x`);
      out.push(`${t}:${r.rows[0]!.n}:${r.rows[0]!.sum}`);
    }
    return out;
  } finally {
    await c.end();
  }
}

describe('backups through the pod (-k)', () => {
  it('pg_dump in the pod streams a custom archive here; it verifies, and pg_restore in the pod restores every row', async () => {
    const t = tools();
    expect(t.main.kind).toBe('pod');
    const plan = planFor('custom', db.name);
    const result = await runBackup({ dir, plan, at: new Date(), source: t.main, verifier: () => t.verifier() });
    const sidecar = await readSidecar(result.file);
    expect(sidecar).toMatchObject({ madeBy: 'pgtop', database: db.name, kind: 'full' });
    expect(sidecar!.dumpedBy).toMatch(/^k8s backups\/deployment\/postgres → pod\/postgres-/);

    const into = `${db.name}_restore`;
    restored.push(into);
    const admin = await connect();
    try {
      await restoreBackup({ file: result.file, format: 'custom', gzip: false, into, admin, source: t.main, keepOwners: true });
    } finally {
      await admin.end();
    }
    expect(await checksums(into)).toEqual(await checksums(db.name));

    // The exec requests carried the command (in the URL, as the audit log keeps it), never the password.
    const execs = cluster.kube.requests.filter((r) => r.path.includes('/exec?'));
    expect(execs.length).toBeGreaterThanOrEqual(2);
    expect(execs.some((r) => decodeURIComponent(r.path).includes('pg_dump'))).toBe(true);
    for (const r of execs) expect(decodeURIComponent(r.path)).not.toContain(pgInfo().password);
  });

  it('plain SQL is gzipped here (the pod needs no gzip) and psql in the pod restores it', async () => {
    const t = tools();
    const plan = planFor('plain', db.name);
    const result = await runBackup({ dir, plan, at: new Date(Date.now() + 1000), source: t.main, verifier: () => t.verifier() });
    expect(result.name).toMatch(/\.sql\.gz$/);
    const into = `${db.name}_restore_sql`;
    restored.push(into);
    const admin = await connect();
    try {
      await restoreBackup({ file: result.file, format: 'plain', gzip: true, into, admin, source: t.main, keepOwners: true });
    } finally {
      await admin.end();
    }
    expect(await checksums(into)).toEqual(await checksums(db.name));
  });

  it('the pod killed mid-dump: no file that looks complete, and a message that says the stream broke', async () => {
    const before = readdirSync(dir).sort();
    const t = tools();
    const pod = (await target.forwarder.currentPod()).name;
    let killed = false;
    // A slow disk (2 MB/s), so the dump is certainly still streaming when the pod goes.
    const slowSink = (handle: import('node:fs/promises').FileHandle) => {
      let bytesWritten = 0;
      const sink = new Writable({
        highWaterMark: 256 * 1024,
        write(chunk: Buffer, _e, done) {
          handle.write(chunk).then(() => {
            bytesWritten += chunk.length;
            setTimeout(done, Math.ceil(chunk.length / 2048));
          }, done);
        },
        final(done) {
          handle.close().then(() => done(), done);
        },
        destroy(error, done) {
          handle.close().then(() => done(error), () => done(error));
        },
      });
      return Object.defineProperty(sink, 'bytesWritten', { get: () => bytesWritten });
    };
    const error = await runBackup({
      dir,
      plan: planFor('custom', db.name),
      at: new Date(Date.now() + 2000),
      source: t.main,
      verifier: () => t.verifier(),
      openSink: slowSink,
      progressMs: 20,
      progress: (p) => {
        if (!killed && p.bytes > 0) {
          killed = true;
          cluster.kube.killPod(NS, pod);
        }
      },
    }).catch((e: unknown) => e);
    expect(killed).toBe(true);
    expect(error).toBeInstanceOf(BackupError);
    expect((error as Error).message).toMatch(
      new RegExp(`^full backup of ${db.name} failed: pg_dump in the pod: the stream broke before pg_dump finished \\(no exit status: the pod stopped or the connection to the API server dropped\\); no backup file was kept$`),
    );
    // Nothing new: neither a complete-looking file nor the temporary one.
    expect(readdirSync(dir).sort()).toEqual(before);
  });
});
