// The backups screen from a fake directory listing: what each backup is and
// whether it verified, `b` asking what to back up and showing the exact
// command, refusals said plainly, and --read-only refusing the three that change something (t only reads).
import { afterEach, describe, expect, it } from 'vitest';
import type { BackupEntry } from '../../src/model/backups.js';
import type { PgtopState } from '../../src/store/store.js';
import { connectedWithResults } from '../support/maintenance-fixtures.js';
import { renderApp, type RenderedApp } from '../support/render-app.js';

let app: RenderedApp | undefined;
afterEach(() => app?.unmount());

const DIR = '/home/ops/postgres-backups';

function entry(name: string, patch: Partial<BackupEntry>): BackupEntry {
  return {
    name,
    path: `${DIR}/${name}`,
    bytes: 12_345_678,
    mtimeMs: 0,
    at: new Date(2025, 2, 4, 5, 6, 7).getTime(),
    database: 'postgres',
    kind: 'full',
    format: 'custom',
    gzip: false,
    state: 'verified',
    sidecar: { pgtop: 1, file: name, bytes: 12_345_678, mtimeMs: 0, sha256: 'ab'.repeat(32), verifiedAt: '2025-03-04T05:06:30.000Z', check: 'pg_restore read 42 entries and every data block', madeBy: 'pgtop' },
    madeByPgtop: true,
    ...patch,
  };
}

const listing = {
  entries: [
    entry('postgres_full_20250304_050607.dump', {}),
    entry('postgres_schema_20250303_010000.sql.gz', { kind: 'schema', format: 'plain', gzip: true, bytes: 2048, at: new Date(2025, 2, 3, 1, 0, 0).getTime(), state: 'unverified', sidecar: null, madeByPgtop: false }),
    entry('.postgres_full_20250302_010000.dump.partial', { state: 'interrupted', sidecar: null, madeByPgtop: false, at: new Date(2025, 2, 2, 1, 0, 0).getTime() }),
    entry('postgres_globals_20250301_010000.sql', { kind: 'globals', format: 'plain', bytes: 900, at: new Date(2025, 2, 1, 1, 0, 0).getTime() }),
  ],
};

/** The frame as one line, without the dialog's box: wrapped text reads straight. */
function flat(frame: string): string {
  return frame.replace(/[│╭╮╰╯─]/g, ' ').replace(/\s+/g, ' ');
}

/** The directory as the backupFiles source lands it: its files as rows. */
function withBackups(s: PgtopState, entries: BackupEntry[] = listing.entries): void {
  connectedWithResults({})(s);
  s.connection.backupDir = DIR;
  s.data.results.backupFiles = { rows: entries, updatedAt: Date.now(), error: null, disabled: null };
}

describe('backups screen', () => {
  it('sits between config and health, and lists every backup with its state', async () => {
    app = renderApp({ screen: 'backups', patch: withBackups });
    const frame = await app.waitFor('VERIFIED');
    expect(frame).toMatch(/7 con\s+8 backups\s+9 hea/);
    expect(frame).toMatch(/2025-03-04 05:06:07 postgres\s+full\s+custom\s+12 MB ✓ verified/);
    expect(frame).toMatch(/2025-03-03 01:00:00 postgres\s+schema only\s+sql\.gz\s+2\.0 kB – not verified/);
    expect(frame).toMatch(/2025-03-02 01:00:00 postgres\s+full\s+custom\s+12 MB ✗ interrupted/);
    expect(frame).toMatch(/roles \(globals\)\s+sql/);
    expect(frame).toContain(`${DIR}: 4 files`);
    expect(frame).toMatch(/b backup\s+r restore\s+t verify\s+d delete/);
  });

  it('b asks what to back up, then the database, and shows the exact command before it runs; n does not run it', async () => {
    app = renderApp({ screen: 'backups', patch: withBackups });
    await app.waitFor('VERIFIED');
    await app.press('b');
    let frame = await app.waitFor('What to back up');
    expect(frame).toContain('1 full, custom format (pg_dump -Fc)');
    expect(frame).toContain('6 roles and tablespaces (pg_dumpall --globals-only)');
    await app.press('enter');
    frame = await app.waitFor('Database');
    expect(frame).toContain('> shop');
    await app.press('enter');
    frame = await app.waitFor(/pg_dump --format=custom/);
    expect(flat(frame)).toMatch(new RegExp(`pg_dump --format=custom --no-password shop > ${DIR}/shop_full_\\d{8}_\\d{6}\\.dump`));
    expect(frame).toContain('named shop_full_');
    await app.press('n');
    await app.waitFor('not run: pg_dump');
  });

  it('one table asks for the table; roles ask no database', async () => {
    app = renderApp({ screen: 'backups', patch: withBackups });
    await app.waitFor('VERIFIED');
    await app.press('b', '5', 'enter', 'enter');
    await app.waitFor('Table (name or schema.name');
    await app.press('o', 'r', 'd', 'e', 'r', 's', 'enter');
    await app.waitFor(/--table=orders/);
    await app.press('escape', 'b', '6', 'enter');
    await app.waitFor(/pg_dumpall --globals-only --no-password > /);
  });

  it('refuses to restore what an interrupted backup left, and roles into a database', async () => {
    app = renderApp({ screen: 'backups', patch: withBackups });
    await app.waitFor('VERIFIED');
    await app.press('j', 'j', 'r');
    await app.waitFor('refused: .postgres_full_20250302_010000.dump.partial is what an interrupted backup left');
    await app.press('j', 'r');
    await app.waitFor(/refused: postgres_globals_20250301_010000\.sql holds roles, not a database/);
  });

  it('r asks the new database name (default {database}_restore_{time}) and shows CREATE DATABASE and pg_restore', async () => {
    app = renderApp({ screen: 'backups', patch: withBackups });
    await app.waitFor('VERIFIED');
    await app.press('r');
    const form = await app.waitFor('Restore into a NEW database named');
    expect(form).toMatch(/> postgres_restore_\d{8}_\d{6}/);
    await app.press('enter');
    const confirm = await app.waitFor('CREATE DATABASE');
    expect(flat(confirm)).toMatch(/CREATE DATABASE "postgres_restore_\d{8}_\d{6}" TEMPLATE template0; pg_restore --exit-on-error --no-password --dbname=postgres_restore_\d{8}_\d{6} < /);
  });

  it('r on a plain file pgtop did not make asks for its name, says its SQL runs as you and meta-commands are refused; y does not run it', async () => {
    app = renderApp({ screen: 'backups', patch: withBackups });
    await app.waitFor('VERIFIED');
    await app.press('j', 'r');
    await app.waitFor('Restore into a NEW database named');
    await app.press('enter');
    const confirm = flat(await app.waitFor('type postgres_schema_20250303_010000.sql.gz and Enter'));
    expect(confirm).toContain('origin NOT made by pgtop, or changed since: psql would obey its meta-commands (\\! …)');
    expect(confirm).toContain("guard meta-commands refused (pgtop checks each line, psql's \\restrict where it has it); its SQL runs as you");
    expect(confirm).toMatch(/gunzip -c \S+postgres_schema_20250303_010000\.sql\.gz \| \(pgtop refuses psql meta-commands\) \| psql .*--command='\\restrict <random key>' --file=- --dbname=/);
    await app.press('y');
    expect(app.frame()).toContain('type postgres_schema_20250303_010000.sql.gz and Enter');
    await app.press('enter');
    await app.waitFor('is not "postgres_schema_20250303_010000.sql.gz": nothing was run');
  });

  it('Enter shows the verification and checksum', async () => {
    app = renderApp({ screen: 'backups', patch: withBackups });
    await app.waitFor('VERIFIED');
    await app.press('enter');
    const frame = await app.waitFor('Backups: details');
    expect(frame).toMatch(/verified\s+2025-03-04T05:06:30.000Z: pg_restore read 42 entries and every data block/);
    expect(frame).toMatch(new RegExp(`sha256\\s+${'ab'.repeat(32)}`));
  });

  it('--read-only refuses b, r and d, each with its own message; t only reads, so it may verify', async () => {
    app = renderApp({ screen: 'backups', readOnly: true, patch: withBackups });
    await app.waitFor('VERIFIED');
    for (const [key, refused] of [['b', 'pg_dump'], ['r', 'CREATE DATABASE'], ['d', 'rm ']] as const) {
      app.store.setState((s) => ({ ui: { ...s.ui, status: null } }));
      await app.press(key);
      const frame = await app.waitFor('read-only mode: refused to run');
      expect(frame, key).toContain(refused);
    }
    expect(app.frame()).not.toContain('What to back up');
    app.store.setState((s) => ({ ui: { ...s.ui, status: null } }));
    await app.press('t');
    const frame = await app.waitFor(/Verify .*\?/);
    expect(frame).toContain('y to run it');
    expect(frame).not.toContain('read-only mode: refused');
  });

  it('an empty or missing directory says how to make the first backup', async () => {
    app = renderApp({ screen: 'backups', patch: (s) => withBackups(s, []) });
    await app.waitFor(`no backups in ${DIR} yet: b backs up now`);
  });

  it('says loading until the directory is listed, and a directory that cannot be read where the rows would be, as for a query', async () => {
    app = renderApp({ screen: 'backups', patch: (s) => connectedWithResults({})(s) });
    await app.waitFor('loading…');
    const failure = `cannot read ${DIR}: EACCES: permission denied, scandir '${DIR}'`;
    app.store.setState((s) => ({ data: { ...s.data, results: { ...s.data.results, backupFiles: { rows: [], updatedAt: 0, error: failure, disabled: null } } } }));
    const frame = await app.waitFor(`cannot read ${DIR}: EACCES`);
    expect(frame).not.toContain('no backups in');
    expect(frame).not.toContain('loading…');
    // The last good listing stays, marked stale, under the failure.
    app.store.setState((s) => ({ data: { ...s.data, results: { ...s.data.results, backupFiles: { rows: listing.entries, updatedAt: Date.now() - 60_000, error: failure, disabled: null } } } }));
    const stale = await app.waitFor('stale rows (1m');
    expect(stale).toMatch(/2025-03-04 05:06:07 postgres\s+full/);
  });
});
