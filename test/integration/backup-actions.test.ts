// The backups screen's keys on the real server, through the action runner as
// the keys start them and with the dashboard's scheduler feeding the screen
// (the directory is one of its sources): b (the questions, progress in the
// status line while the scheduler keeps refreshing), r (a new database, then the side-by-side row counts in a
// box), t, d; and --read-only refuses them.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backupsView } from '../../screens/backups/view.js';
import { ActionRunner } from '../../src/actions/runner.js';
import { BACKUP_FILES, backupFilesSource } from '../../src/backup/files-source.js';
import { Scheduler } from '../../src/scheduler/scheduler.js';
import { neededSources } from '../../screens/index.js';
import { openConnection } from '../../src/db/connection.js';
import { resolveConnection } from '../../src/db/connection-options.js';
import { DashboardScheduler } from '../../src/cli/dashboard-scheduler.js';
import { createPgtopStore, type PgtopStore } from '../../src/store/store.js';
import { connect, createScratchDatabase, pgInfo, waitFor, type ScratchDatabase } from '../support/pg.js';

let db: ScratchDatabase;
let dir: string;
let into = '';

beforeAll(async () => {
  db = await createScratchDatabase('backupact');
  const c = await connect({ database: db.name });
  try {
    await c.query(`
      CREATE TABLE events (id bigint PRIMARY KEY, body text);
      INSERT INTO events SELECT g, repeat(md5(g::text), 4) FROM generate_series(1, 100000) g;
      CREATE TABLE kinds (id int, name text);
      INSERT INTO kinds VALUES (1, 'a'), (2, 'b');
    `);
  } finally {
    await c.end();
  }
  dir = mkdtempSync(join(tmpdir(), 'pgtop-backup-actions-'));
});

afterAll(async () => {
  if (into) {
    const admin = await connect();
    await admin.query(`DROP DATABASE IF EXISTS ${admin.escapeIdentifier(into)} WITH (FORCE)`).finally(() => admin.end());
  }
  await db.drop();
  rmSync(dir, { recursive: true, force: true });
});

function connection() {
  const info = pgInfo();
  return resolveConnection({ host: info.host, port: String(info.port), username: info.user, dbname: db.name }, { PGPASSWORD: info.password });
}

/** Presses a backups-screen key: the view makes the request from the selected row, as dispatch does. */
function press(store: PgtopStore, runner: ActionRunner, command: 'backupNow' | 'restoreBackup' | 'verifyBackup' | 'deleteBackup', row?: number) {
  const state = store.getState();
  const entry = row === undefined ? undefined : backupsView.rows(state)[row];
  const request = backupsView.actions![command]!(entry, state);
  runner.request(request!, entry?.name ?? '');
}

describe('the backups screen keys on a real server', () => {
  it('b backs up with progress while the dashboard refreshes; r restores and compares; t verifies; d deletes', async () => {
    const conn = connection();
    const store = createPgtopStore({ screen: 'backups', intervalMs: 500, backupDir: dir });
    const scheduler = new DashboardScheduler({ store, connect: () => openConnection(conn, { purpose: 'monitor' }), backupDir: dir });
    const runner = new ActionRunner(store, () => openConnection(conn, { purpose: 'action' }), {
      connection: conn,
      backupDir: dir,
      backupsChanged: () => scheduler.refreshNow(BACKUP_FILES),
    });
    scheduler.start();
    const statuses: string[] = [];
    const unsubscribe = store.subscribe((s, p) => {
      if (s.ui.status !== p.ui.status && s.ui.status) statuses.push(s.ui.status.text);
    });
    try {
      await waitFor(async () => store.getState().data.header !== null && store.getState().data.results.backupFiles !== undefined, { what: 'the first refresh and listing' });
      expect(backupsView.emptyText!(store.getState())).toBe(`no backups in ${dir} yet: b backs up now`);

      // b: plain SQL (gzipped), the database asked with the connected one as default.
      press(store, runner, 'backupNow');
      let overlay = store.getState().ui.overlay;
      expect(overlay.kind === 'form' && overlay.input.field.key).toBe('kind');
      runner.answer('plain');
      overlay = store.getState().ui.overlay;
      expect(overlay.kind === 'form' && overlay.input.field.initial).toBe(db.name);
      runner.answer(db.name);
      overlay = store.getState().ui.overlay;
      expect(overlay.kind).toBe('confirm');
      const headerBefore = store.getState().data.header!.sampledAt;
      await runner.confirm();
      const status = store.getState().ui.status!;
      expect(status.kind).toBe('success');
      expect(status.text).toMatch(new RegExp(`^backup verified: ${db.name}_full_\\d{8}_\\d{6}\\.sql\\.gz \\(.* in .*; ends with pg_dump's completion marker`));
      // Progress was shown as bytes and a rate, and the scheduler kept refreshing meanwhile.
      expect(statuses.some((t) => /^backup .*\.sql\.gz: [\d.]+ (B|kB|MB), [\d.]+ (B|kB|MB)\/s/.test(t))).toBe(true);
      await waitFor(async () => store.getState().data.header!.sampledAt > headerBefore, { what: 'a refresh during or after the backup' });
      await waitFor(async () => backupsView.rows(store.getState())[0]?.state === 'verified', { what: 'the verified backup on the screen' });
      const listed = backupsView.rows(store.getState())[0]!;
      expect(listed).toMatchObject({ database: db.name, kind: 'full', format: 'plain', gzip: true, state: 'verified', madeByPgtop: true });

      // r: into a new database (the default name), then the row counts side by side.
      press(store, runner, 'restoreBackup', 0);
      overlay = store.getState().ui.overlay;
      const proposed = overlay.kind === 'form' ? overlay.input.field.initial! : '';
      expect(proposed).toMatch(new RegExp(`^${db.name}_restore_\\d{8}_\\d{6}$`));
      into = proposed;
      runner.answer(proposed);
      await runner.confirm();
      expect(store.getState().ui.status).toMatchObject({ kind: 'success', text: expect.stringMatching(new RegExp(`^restored ${listed.name} into ${into} in `)) });
      const box = store.getState().ui.overlay;
      expect(box.kind).toBe('result');
      if (box.kind !== 'result') return;
      expect(box.lines[0]).toMatch(/^TABLE\s+SOURCE\s+RESTORED$/);
      expect(box.lines).toContainEqual(expect.stringMatching(/^events\s+100000\s+100000 ✓$/));
      expect(box.lines).toContainEqual(expect.stringMatching(/^kinds\s+2\s+2 ✓$/));
      expect(box.lines).toContain('2 tables, 100002 rows: every table matches its source');

      // r again with the same name: refused, nothing touched.
      press(store, runner, 'restoreBackup', 0);
      runner.answer(into);
      await runner.confirm();
      expect(store.getState().ui.status).toMatchObject({ kind: 'error', text: expect.stringContaining(`database ${into} already exists: pgtop restores only into a new database`) });

      // t: verified again, recorded.
      press(store, runner, 'verifyBackup', 0);
      await runner.confirm();
      expect(store.getState().ui.status).toMatchObject({ kind: 'success', text: `verified ${listed.name}: ${listed.sidecar!.check}` });

      // d: gone, with its record.
      press(store, runner, 'deleteBackup', 0);
      await runner.confirm();
      expect(store.getState().ui.status).toMatchObject({ kind: 'success', text: `deleted ${listed.name}` });
      expect(readdirSync(dir)).toEqual([]);
      await waitFor(async () => backupsView.rows(store.getState()).length === 0, { what: 'the screen to show it gone' });
    } finally {
      unsubscribe();
      await scheduler.stop();
      await runner.close();
    }
  });

  it('--read-only refuses b, r, t and d, and nothing is written', async () => {
    const store = createPgtopStore({ screen: 'backups', readOnly: true, backupDir: dir });
    const runner = new ActionRunner(store, () => Promise.reject(new Error('no connection needed')), { connection: connection(), backupDir: dir });
    // The directory alone: no source here needs the server.
    await new Scheduler({ store, sources: [backupFilesSource(dir)], needed: (state) => neededSources(state) }).refresh();
    expect(store.getState().data.results.backupFiles).toMatchObject({ rows: [], error: null });
    press(store, runner, 'backupNow');
    expect(store.getState().ui.status).toMatchObject({ kind: 'error', text: expect.stringMatching(/^read-only mode: refused to run pg_dump/) });
    expect(store.getState().ui.overlay.kind).toBe('none');
    expect(readdirSync(dir)).toEqual([]);
  });
});
