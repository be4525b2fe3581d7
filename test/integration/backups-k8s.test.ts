// Backups over -k, through the fake Kubernetes API server: pg_dump runs in
// the "pod" (the fake runs exec'd commands here, with the pod's environment
// and a PATH whose pg_dump is the server's version, as the postgres image's
// is), its output streams to the local file; the restore runs pg_restore in
// the pod with the file on stdin. The password goes over stdin, never into
// the exec's command (the API server's audit log records it). A pod killed
// mid-dump leaves no file that looks like a backup, and says so. A plain file
// pgtop did not make runs in the pod's psql under \restrict; with a psql in
// the pod older than \restrict, pgtop's own dumps still restore. The pod has
// a sidecar listed before the server's container: every exec names postgres.
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Writable } from 'node:stream';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BackupError, runBackup } from '../../src/backup/backup.js';
import { planFor } from '../../src/model/backup-names.js';
import { restoreBackup, RestoreError } from '../../src/backup/restore.js';
import { toolset } from '../../src/backup/toolset.js';
import { findLocalTool } from '../../src/backup/tools.js';
import { readSidecar } from '../../src/backup/verify.js';
import { openK8sTarget, type K8sTarget } from '../../src/target/kubernetes.js';
import { postgresTemplate, startFakeCluster, type FakeCluster } from '../support/fake-kube/index.js';
import { connect, createScratchDatabase, dropDatabases, pgInfo, type ScratchDatabase } from '../support/pg.js';

const NS = 'backups';
let cluster: FakeCluster;
let target: K8sTarget;
/** The same server behind a pod whose psql is older than \restrict (15.10). */
let oldTarget: K8sTarget;
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
  // A sidecar listed first and no default-container annotation: every exec must name the server's container.
  cluster.kube.addDeployment(NS, 'postgres', { ...template, sidecars: ['metrics-exporter'], sidecarsFirst: true, defaultContainer: null });
  target = await openK8sTarget(
    { target: { kind: 'deployment', name: 'postgres' }, remotePort: 5432 },
    { username: info.user, dbname: db.name },
    { KUBECONFIG: cluster.kubeconfig, PGPASSWORD: info.password },
  );
  dir = mkdtempSync(join(tmpdir(), 'pgtop-k8s-backups-'));
  // A psql that says it is 15.10 and, as psql before 15.14 does, stops at \restrict (an invalid command to it).
  const oldBin = join(dir, 'old-psql');
  mkdirSync(oldBin);
  writeFileSync(
    join(oldBin, 'psql'),
    [
      '#!/bin/sh',
      'if [ "$1" = "--version" ]; then echo "psql (PostgreSQL) 15.10"; exit 0; fi',
      'input=$(mktemp)',
      'cat > "$input"',
      `if grep -q '^\\\\\\(un\\)\\?restrict' "$input"; then rm -f "$input"; printf '%s\\n' 'psql:<stdin>:1: error: invalid command \\restrict' >&2; exit 3; fi`,
      `"${join(bin, 'psql')}" "$@" < "$input"; code=$?; rm -f "$input"; exit $code`,
      '',
    ].join('\n'),
  );
  chmodSync(join(oldBin, 'psql'), 0o755);
  const old = postgresTemplate(info, { app: 'postgres-old' });
  old.env = { ...old.env, PATH: `${oldBin}:${bin}:${process.env.PATH}` };
  delete old.env.PGPASSWORD;
  cluster.kube.addDeployment(NS, 'postgres-old', old);
  oldTarget = await openK8sTarget(
    { target: { kind: 'deployment', name: 'postgres-old' }, remotePort: 5432 },
    { username: info.user, dbname: db.name },
    { KUBECONFIG: cluster.kubeconfig, PGPASSWORD: info.password },
  );
});

afterAll(async () => {
  await target?.close();
  await oldTarget?.close();
  await cluster?.stop();
  await dropDatabases(restored);
  await db.drop();
  rmSync(dir, { recursive: true, force: true });
});

function tools(on: K8sTarget = target) {
  return toolset({ connection: on.connection, serverMajor: pgInfo().majorVersion, password: pgInfo().password, podExec: on.exec, podLabel: () => on.label });
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
    // Each in the server's container, not the sidecar listed before it (the API server refuses an exec naming none).
    expect(new Set(execs.map((r) => new URL(r.path, 'https://api').searchParams.get('container')))).toEqual(new Set(['postgres']));
    expect(execs.every((r) => r.status === 101)).toBe(true);
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

  it("a plain file pgtop did not make, its name typed: the pod's psql runs it under \\restrict, and refuses its \\!", async () => {
    // pgtop's check cannot tell where E'it\'s' ends (standard_conforming_strings), so from there the \! is psql's to refuse.
    const marker = join(dir, 'pwned');
    const name = `${db.name}_full_20250101_000000.sql`;
    const file = join(dir, name);
    writeFileSync(file, `--\n-- PostgreSQL database dump\n--\n\nCREATE TABLE public.planted (id int);\nSELECT E'it\\'s';\n\\! touch ${marker}\n\n-- PostgreSQL database dump complete\n`);
    const into = `${db.name}_restore_foreign`;
    restored.push(into);
    const admin = await connect();
    const execsBefore = cluster.kube.requests.length;
    try {
      const error = await restoreBackup({ file, format: 'plain', gzip: false, into, admin, source: tools().main, keepOwners: true, foreignAccepted: true }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RestoreError);
      expect((error as Error).message).toMatch(/^restore into .* failed: psql failed in the pod: .*backslash commands are restricted; only \\unrestrict is allowed; the new database .* was dropped again$/);
      expect((await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [into])).rowCount).toBe(0);
    } finally {
      await admin.end();
      rmSync(file);
    }
    expect(existsSync(marker)).toBe(false);
    const psql = cluster.kube.requests.slice(execsBefore).map((r) => decodeURIComponent(r.path)).filter((p) => p.includes('/exec?') && p.includes('single-transaction'));
    expect(psql).toHaveLength(1);
    expect(psql[0]).toMatch(/--command=\\restrict[ +][0-9a-f]{48}/);
  });

  it("pgtop's own plain dump restores with a psql in the pod older than \\restrict (its \\restrict lines blanked)", async () => {
    const t = tools();
    const result = await runBackup({ dir, plan: planFor('plain', db.name), at: new Date(Date.now() + 3000), source: t.main, verifier: () => t.verifier() });
    expect(gunzipSync(readFileSync(result.file)).toString()).toMatch(/^\\restrict /m);
    const into = `${db.name}_restore_old_psql`;
    restored.push(into);
    const admin = await connect();
    try {
      await restoreBackup({ file: result.file, format: 'plain', gzip: true, into, admin, source: tools(oldTarget).main, keepOwners: true });
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
