// A plain SQL restore on the real server runs only what pgtop made: a file
// pgtop did not make, with `\! touch X` in it, is refused (also after t
// verified it), and with its name typed it is checked line by line before
// anything is created — X never appears and no database is left. A file that
// only psql's own \restrict catches (pgtop's check cannot tell where a string
// ends) fails in psql and its new database is dropped. A backup pgtop made
// restores as before, and is no longer trusted once one byte of it changed,
// even with its size and modification time put back. With a psql older than
// \restrict (15.10 here, a wrapper that refuses \restrict as old psql does),
// pgtop's own dumps still restore and a foreign file is checked strictly.
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backupsView } from '../../screens/backups/view.js';
import { ActionRunner } from '../../src/actions/runner.js';
import { runBackup } from '../../src/backup/backup.js';
import { listBackups } from '../../src/backup/listing.js';
import { planFor } from '../../src/model/backup-names.js';
import { restoreBackup, restoreCommand, RestoreError } from '../../src/backup/restore.js';
import { localSource } from '../../src/backup/source.js';
import { findLocalTool } from '../../src/backup/tools.js';
import { toolset } from '../../src/backup/toolset.js';
import { readSidecar } from '../../src/backup/verify.js';
import { backupFilesSource } from '../../src/backup/files-source.js';
import { Scheduler } from '../../src/scheduler/scheduler.js';
import { neededSources } from '../../screens/index.js';
import { openConnection } from '../../src/db/connection.js';
import { resolveConnection } from '../../src/db/connection-options.js';
import { createPgtopStore, setUi, type PgtopStore } from '../../src/store/store.js';
import { connect, createScratchDatabase, dropDatabases, pgInfo, type ScratchDatabase } from '../support/pg.js';

let db: ScratchDatabase;
let dir: string;
let work: string;
/** What `\! touch` in the hostile files would create: it must never appear. */
let marker: string;
const restored: string[] = [];

const HEAD = '--\n-- PostgreSQL database dump\n--\n\nSET client_encoding = \'UTF8\';\nSET standard_conforming_strings = on;\n';
const TAIL = '\n--\n-- PostgreSQL database dump complete\n--\n\n';

beforeAll(async () => {
  db = await createScratchDatabase('restoregate');
  const c = await connect({ database: db.name });
  try {
    await c.query(`CREATE TABLE items (id int PRIMARY KEY, note text); INSERT INTO items VALUES (1, 'a\\b'), (2, NULL), (3, 'it''s');`);
  } finally {
    await c.end();
  }
  dir = mkdtempSync(join(tmpdir(), 'pgtop-restore-gate-'));
  work = mkdtempSync(join(tmpdir(), 'pgtop-restore-gate-work-'));
  marker = join(work, 'pwned');
});

afterAll(async () => {
  await dropDatabases(restored);
  await db.drop();
  rmSync(dir, { recursive: true, force: true });
  rmSync(work, { recursive: true, force: true });
});

function connection() {
  const info = pgInfo();
  return resolveConnection({ host: info.host, port: String(info.port), username: info.user, dbname: db.name }, { PGPASSWORD: info.password });
}

/** A file in the backup directory named as pgtop names backups, that pgtop did not make. */
function foreign(stamp: string, body: string): string {
  const name = `${db.name}_full_${stamp}.sql`;
  writeFileSync(join(dir, name), HEAD + body + TAIL);
  return name;
}

async function databaseExists(name: string): Promise<boolean> {
  const c = await connect();
  try {
    return ((await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])).rowCount ?? 0) > 0;
  } finally {
    await c.end();
  }
}

async function rows(database: string): Promise<string[]> {
  const c = await connect({ database });
  try {
    return (await c.query<{ r: string }>('SELECT format($$%s|%s$$, id, note) AS r FROM public.items ORDER BY id')).rows.map((r) => r.r);
  } finally {
    await c.end();
  }
}

interface Dashboard {
  store: PgtopStore;
  runner: ActionRunner;
  /** Lists the backup directory into the store, as the dashboard's scheduler does on the backups screen. */
  files: Scheduler;
}

async function dashboard(): Promise<Dashboard> {
  const conn = connection();
  const store = createPgtopStore({ screen: 'backups', backupDir: dir });
  const files = new Scheduler({ store, sources: [backupFilesSource(dir)], needed: (state) => neededSources(state) });
  const runner = new ActionRunner(store, () => openConnection(conn, { purpose: 'action' }), { connection: conn, backupDir: dir, backupsChanged: () => void files.refresh() });
  await files.refresh();
  return { store, runner, files };
}

/** r on the named file, into a new database: returns what the confirmation asks to type (undefined: y/n). */
async function pressRestore({ store, runner, files }: Dashboard, name: string, into: string): Promise<string | undefined> {
  await files.refresh();
  const entry = backupsView.rows(store.getState()).find((e) => e.name === name)!;
  runner.request(backupsView.actions!.restoreBackup!(entry, store.getState())!, name);
  runner.answer(into);
  const overlay = store.getState().ui.overlay;
  expect(overlay.kind).toBe('confirm');
  return overlay.kind === 'confirm' ? overlay.action.typeToConfirm : undefined;
}

function status(store: PgtopStore) {
  return store.getState().ui.status!;
}

describe('a plain SQL file pgtop did not make', () => {
  it('is refused, also after t verified it: its \\! never runs and no database is created', async () => {
    const name = foreign('20250101_000000', `CREATE TABLE public.planted (id int);\n\\! touch ${marker}\n`);
    const d = await dashboard();
    try {
      const into = `${db.name}_r1`;
      restored.push(into);
      // r asks for the file's name; confirmed without it, the restore refuses before anything is created.
      expect(await pressRestore(d, name, into)).toBe(name);
      await d.runner.confirm();
      expect(status(d.store)).toMatchObject({ kind: 'error', text: expect.stringContaining(`not restored, nothing was created: ${name} has no ${name}.verified record`) });
      expect(status(d.store).text).not.toContain('\n');
      expect(existsSync(marker)).toBe(false);
      expect(await databaseExists(into)).toBe(false);

      // t: it reads back complete (it ends with the completion marker), and is recorded as such — not as pgtop's.
      await d.files.refresh();
      const entry = backupsView.rows(d.store.getState()).find((e) => e.name === name)!;
      d.runner.request(backupsView.actions!.verifyBackup!(entry, d.store.getState())!, name);
      await d.runner.confirm();
      expect(status(d.store)).toMatchObject({ kind: 'success', text: expect.stringMatching(/^verified .*: ends with pg_dump's completion marker .*; not made by pgtop: r restores it only after you type its name/) });
      expect((await readSidecar(join(dir, name)))!.madeBy).toBeUndefined();
      expect((await listBackups(dir)).entries.find((e) => e.name === name)).toMatchObject({ state: 'verified', madeByPgtop: false });

      expect(await pressRestore(d, name, into)).toBe(name);
      await d.runner.confirm();
      expect(status(d.store)).toMatchObject({ kind: 'error', text: expect.stringContaining(`${name} was not made by pgtop (its .verified record only says it read back complete)`) });
      expect(existsSync(marker)).toBe(false);
      expect(await databaseExists(into)).toBe(false);

      // The same gate without the screen: restoreBackup itself refuses.
      const admin = await connect();
      try {
        const error = await restoreBackup({ file: join(dir, name), format: 'plain', gzip: false, into, admin, source: toolset({ connection: connection(), serverMajor: pgInfo().majorVersion, password: pgInfo().password }).main, keepOwners: true }).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(RestoreError);
        expect((error as Error).message).toMatch(/^not restored, nothing was created: .* was not made by pgtop/);
      } finally {
        await admin.end();
      }
      expect(existsSync(marker)).toBe(false);
      expect(await databaseExists(into)).toBe(false);
    } finally {
      await d.runner.close();
    }
  });

  it('with its name typed: a \\! is found before anything is created, and said with its line', async () => {
    const name = foreign('20250102_000000', `CREATE TABLE public.planted (id int);\nSELECT 'a \\! in a string';\n\\! touch ${marker}\n`);
    const d = await dashboard();
    try {
      const into = `${db.name}_r2`;
      restored.push(into);
      expect(await pressRestore(d, name, into)).toBe(name);
      // Typing something else is not the name: refused as any untyped restore.
      await d.runner.confirm(`${name}x`);
      expect(status(d.store).text).toContain(`${name} has no ${name}.verified record`);
      expect(await pressRestore(d, name, into)).toBe(name);
      // Typed as the keys type it: the confirmation holds the text, Enter confirms.
      const overlay = d.store.getState().ui.overlay;
      if (overlay.kind === 'confirm') setUi(d.store, { overlay: { ...overlay, typed: name } });
      await d.runner.confirm();
      expect(status(d.store)).toMatchObject({
        kind: 'error',
        text: expect.stringContaining(`not restored, nothing was created: ${name}, line 9: \\! is a psql meta-command (psql, not the server, would run it: a shell command on this machine); psql meta-commands are refused in a file pgtop did not make`),
      });
      expect(existsSync(marker)).toBe(false);
      expect(await databaseExists(into)).toBe(false);

      // Gzipped, the same: refused untyped, and typed its \! is found in the gunzipped SQL.
      const gz = `${db.name}_full_20250102_000001.sql.gz`;
      writeFileSync(join(dir, gz), gzipSync(readFileSync(join(dir, name))));
      const source = toolset({ connection: connection(), serverMajor: pgInfo().majorVersion, password: pgInfo().password }).main;
      const admin = await connect();
      try {
        for (const [foreignAccepted, why] of [[false, `${gz} has no ${gz}.verified record`], [true, `${gz}, line 9: \\! is a psql meta-command`]] as const) {
          const error = await restoreBackup({ file: join(dir, gz), format: 'plain', gzip: true, into, admin, source, keepOwners: true, foreignAccepted }).catch((e: unknown) => e);
          expect((error as Error).message).toContain(`not restored, nothing was created: ${why}`);
        }
      } finally {
        await admin.end();
      }
      expect(existsSync(marker)).toBe(false);
      expect(await databaseExists(into)).toBe(false);
    } finally {
      await d.runner.close();
    }
  });

  it("with its name typed: what pgtop's check cannot read for sure is left to psql's \\restrict, which refuses the \\!; the new database is dropped", async () => {
    // E'it\'s' ends at the second quote for psql (an E string), but pgtop cannot know the file did not turn
    // standard_conforming_strings off: from there it leaves the meta-commands to psql's \restrict.
    const name = foreign('20250103_000000', `CREATE TABLE public.planted (id int);\nSELECT E'it\\'s';\n\\! touch ${marker}\n`);
    const d = await dashboard();
    try {
      const into = `${db.name}_r3`;
      restored.push(into);
      await pressRestore(d, name, into);
      await d.runner.confirm(name);
      expect(status(d.store)).toMatchObject({ kind: 'error', text: expect.stringContaining('backslash commands are restricted; only \\unrestrict is allowed') });
      expect(status(d.store).text).toContain(`the new database ${into} was dropped again`);
      expect(existsSync(marker)).toBe(false);
      expect(await databaseExists(into)).toBe(false);
    } finally {
      await d.runner.close();
    }
  });

  it("with its name typed: pg_dump's own output of another database restores, its rows as they were", async () => {
    // As another machine's pg_dump 15.18 writes it: with its \restrict and \unrestrict lines, COPY data with \N and backslashes.
    const pgDump = findLocalTool('pg_dump', pgInfo().majorVersion).file;
    const info = pgInfo();
    const dump = execFileSync(pgDump, ['--format=plain', '--no-owner', '-h', info.host, '-p', String(info.port), '-U', info.user, db.name], { env: { ...process.env, PGPASSWORD: info.password } }).toString();
    expect(dump).toMatch(/^\\restrict /m);
    const name = `${db.name}_full_20250104_000000.sql`;
    writeFileSync(join(dir, name), dump);
    const d = await dashboard();
    try {
      const into = `${db.name}_r4`;
      restored.push(into);
      expect(await pressRestore(d, name, into)).toBe(name);
      await d.runner.confirm(name);
      expect(status(d.store)).toMatchObject({ kind: 'success', text: expect.stringMatching(new RegExp(`^restored ${name} into ${into} in .* \\(not pgtop's: psql meta-commands refused\\)$`)) });
      expect(await rows(into)).toEqual(['1|a\\b', '2|', "3|it's"]);
    } finally {
      await d.runner.close();
    }
  });
});

describe('a plain SQL backup pgtop made', () => {
  it('restores after y/n as before; one byte changed (size and time kept) and it is refused', async () => {
    const t = toolset({ connection: connection(), serverMajor: pgInfo().majorVersion, password: pgInfo().password });
    const backup = await runBackup({ dir, plan: planFor('plain', db.name), at: new Date(2025, 0, 5), source: t.main, verifier: () => t.verifier() });
    const made = { ...backup, original: join(work, 'original.sql.gz') };
    writeFileSync(made.original, readFileSync(backup.file));
    const d = await dashboard();
    try {
      const into = `${db.name}_r5`;
      restored.push(into);
      expect(await pressRestore(d, made.name, into)).toBeUndefined();
      await d.runner.confirm();
      expect(status(d.store)).toMatchObject({ kind: 'success', text: expect.stringMatching(new RegExp(`^restored ${made.name} into ${into} in [^(]*$`)) });
      expect(await rows(into)).toEqual(['1|a\\b', '2|', "3|it's"]);

      // One byte changed, its size and modification time put back: the listing still takes it for pgtop's, the restore does not.
      const before = statSync(made.file);
      const bytes = readFileSync(made.file);
      const middle = Math.floor(bytes.length / 2);
      bytes[middle] = bytes[middle]! ^ 0x01;
      writeFileSync(made.file, bytes);
      utimesSync(made.file, before.atime, before.mtime);
      expect((await listBackups(dir)).entries.find((e) => e.name === made.name)).toMatchObject({ state: 'verified', madeByPgtop: true });
      const again = `${db.name}_r6`;
      restored.push(again);
      expect(await pressRestore(d, made.name, again)).toBeUndefined();
      await d.runner.confirm();
      expect(status(d.store)).toMatchObject({
        kind: 'error',
        text: expect.stringContaining(`not restored, nothing was created: ${made.name} changed since pgtop made it: its SHA-256 is not the one in ${made.name}.verified`),
      });
      expect(await databaseExists(again)).toBe(false);

      // A changed file that still reads back: t records it as it is now, no longer as pgtop's, and r asks for its name.
      writeFileSync(made.file, gzipSync(gunzipSync(readFileSync(made.original)).toString().replace('SET lock_timeout = 0;', 'SET lock_timeout = 1;')));
      await d.files.refresh();
      const entry = backupsView.rows(d.store.getState()).find((e) => e.name === made.name)!;
      d.runner.request(backupsView.actions!.verifyBackup!(entry, d.store.getState())!, made.name);
      await d.runner.confirm();
      expect(status(d.store)).toMatchObject({ kind: 'success', text: expect.stringContaining('(its checksum changed since the last verification: it is no longer taken for the backup pgtop made); not made by pgtop: r restores it only after you type its name') });
      expect((await readSidecar(made.file))!.madeBy).toBeUndefined();
      expect(await pressRestore(d, made.name, again)).toBe(made.name);
    } finally {
      await d.runner.close();
    }
  });
});

describe('a psql older than \\restrict (15.10)', () => {
  /** A psql that says it is 15.10 and, as psql before 15.14 does, stops at \restrict (an invalid command to it). */
  function oldPsql(): string {
    const bin = mkdtempSync(join(work, 'old-psql-'));
    const real = findLocalTool('psql', pgInfo().majorVersion).file;
    const script = [
      '#!/bin/sh',
      'if [ "$1" = "--version" ]; then echo "psql (PostgreSQL) 15.10"; exit 0; fi',
      'input=$(mktemp)',
      'cat > "$input"',
      `if grep -q '^\\\\\\(un\\)\\?restrict' "$input"; then rm -f "$input"; printf '%s\\n' 'psql:<stdin>:1: error: invalid command \\restrict' >&2; exit 3; fi`,
      `"${real}" "$@" < "$input"; code=$?; rm -f "$input"; exit $code`,
      '',
    ].join('\n');
    writeFileSync(join(bin, 'psql'), script);
    chmodSync(join(bin, 'psql'), 0o755);
    return bin;
  }

  it("restores pgtop's own dump (its \\restrict lines blanked), checks a foreign file strictly, and never runs its \\!", async () => {
    const info = pgInfo();
    const source = localSource(connection(), info.majorVersion, info.password, { ...process.env, PGTOP_PG_BINDIR: oldPsql() });
    // The wrapper is what would restore, and it refuses \restrict.
    const t = toolset({ connection: connection(), serverMajor: info.majorVersion, password: info.password });
    const made = await runBackup({ dir, plan: planFor('plain', db.name), at: new Date(2025, 0, 7), source: t.main, verifier: () => t.verifier() });
    expect(gunzipSync(readFileSync(made.file)).toString()).toMatch(/^\\restrict /m);
    const admin = await connect();
    try {
      const into = `${db.name}_r7`;
      restored.push(into);
      await restoreBackup({ file: made.file, format: 'plain', gzip: true, into, admin, source, keepOwners: true });
      expect(await rows(into)).toEqual(['1|a\\b', '2|', "3|it's"]);

      // pg_dump's output of another server, typed: passes the strict check and restores.
      const plain = gunzipSync(readFileSync(made.file)).toString();
      const clean = `${db.name}_full_20250108_000000.sql`;
      writeFileSync(join(dir, clean), plain);
      const intoClean = `${db.name}_r8`;
      restored.push(intoClean);
      const result = await restoreBackup({ file: join(dir, clean), format: 'plain', gzip: false, into: intoClean, admin, source, keepOwners: true, foreignAccepted: true });
      expect(result.foreign).toContain('has no');
      expect(await rows(intoClean)).toEqual(['1|a\\b', '2|', "3|it's"]);

      // What psql 15.18 would leave to \restrict, this one cannot: refused before anything runs.
      for (const [stamp, body, why] of [
        ['20250109_000000', `SELECT E'it\\'s';\n\\! touch ${marker}\n`, 'line 7: a quoted string with a backslash before a quote'],
        ['20250110_000000', `SELECT 1;\n\\! touch ${marker}\n`, 'line 8: \\! is a psql meta-command'],
        ['20250111_000000', `COMMENT ON TABLE public.x IS 'café';\n`, 'line 7: a byte outside ASCII'],
      ] as const) {
        const name = foreign(stamp, body);
        const into2 = `${db.name}_r${stamp.slice(6, 8)}`;
        restored.push(into2);
        const error = await restoreBackup({ file: join(dir, name), format: 'plain', gzip: false, into: into2, admin, source, keepOwners: true, foreignAccepted: true }).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(RestoreError);
        expect((error as Error).message).toContain(`not restored, nothing was created: ${name}, ${why}`);
        expect((error as Error).message).toContain('(this psql, 15.10, has no \\restrict, so pgtop refuses whatever it cannot be sure of)');
        expect(await databaseExists(into2)).toBe(false);
      }
      expect(existsSync(marker)).toBe(false);
    } finally {
      await admin.end();
    }
  });

  it('psql with \\restrict gets it before the file, from the command line: line numbers stay the file\'s', () => {
    const args = restoreCommand('plain', 'x', true, 'abc').args;
    expect(args.slice(-2)).toEqual(['--command=\\restrict abc', '--file=-']);
    expect(restoreCommand('plain', 'x', true).args).not.toContain('--file=-');
  });
});
