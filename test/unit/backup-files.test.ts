// Backup files without a server: names as docs/backups.md promises them, the directory
// listing (verified or not, changed since, interrupted), and retention —
// which deletes exactly pgtop's own verified backups older than N days,
// never the newest of a series, and nothing else.
import { mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { listBackups, newestVerifiedBackup } from '../../src/backup/listing.js';
import { backupFileName, parseBackupName, partialName, planFor, type BackupPlan } from '../../src/model/backup-names.js';
import { applyRetention, planRetention } from '../../src/backup/retention.js';
import { hashFile, writeSidecar } from '../../src/backup/verify.js';
import { comparisonLines, compareCounts } from '../../src/backup/restore.js';

const AT = new Date(2025, 2, 4, 5, 6, 7); // local time, as the names use

describe('backup names', () => {
  it('are {database}_{kind}_{YYYYMMDD_HHMMSS}.{dump|sql|sql.gz}', () => {
    expect(backupFileName(planFor('custom', 'shop'), AT)).toBe('shop_full_20250304_050607.dump');
    expect(backupFileName(planFor('plain', 'shop'), AT)).toBe('shop_full_20250304_050607.sql.gz');
    expect(backupFileName(planFor('schema', 'shop'), AT)).toBe('shop_schema_20250304_050607.sql.gz');
    expect(backupFileName(planFor('data', 'shop'), AT)).toBe('shop_data_20250304_050607.sql.gz');
    expect(backupFileName(planFor('table', 'shop', 'public.order items'), AT)).toBe('shop_table-public.order_items_20250304_050607.dump');
    expect(backupFileName(planFor('globals', 'shop'), AT)).toBe('shop_globals_20250304_050607.sql');
    // Names from a database that needs quoting stay one safe file name.
    expect(backupFileName(planFor('custom', '../my "db"'), AT)).toBe('__my__db__full_20250304_050607.dump');
    expect(partialName('shop_full_20250304_050607.dump')).toBe('.shop_full_20250304_050607.dump.partial');
  });

  it('read back, including databases and tables with underscores', () => {
    expect(parseBackupName('my_shop_table-order_items_20250304_050607.dump')).toEqual({
      database: 'my_shop', kind: 'table', table: 'order_items', format: 'custom', gzip: false, at: AT.getTime(),
    });
    expect(parseBackupName('my_shop_full_20250304_050607.sql.gz')).toMatchObject({ database: 'my_shop', kind: 'full', format: 'plain', gzip: true });
    expect(parseBackupName('users_table_20250304_050607.sql')).toBeNull(); // the seed's name: not pgtop's
    expect(parseBackupName('.shop_full_20250304_050607.dump.partial')).toBeNull();
  });
});

describe('the backup directory', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'pgtop-list-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  async function file(plan: BackupPlan, at: Date, options: { verified?: boolean; madeByPgtop?: boolean; content?: string } = {}): Promise<string> {
    const name = backupFileName(plan, at);
    const path = join(dir, name);
    writeFileSync(path, options.content ?? `backup of ${name}`);
    if (options.verified !== false) {
      const { sha256, bytes } = await hashFile(path);
      await writeSidecar(path, { check: 'test', sha256, bytes }, options.madeByPgtop === false ? {} : { madeBy: 'pgtop', database: plan.database, kind: plan.kind, format: plan.format, gzip: plan.gzip });
    }
    return name;
  }

  const daysAgo = (n: number, now: Date) => new Date(now.getTime() - n * 24 * 3600 * 1000);

  it('lists backups newest first with their state; sidecars and other files are not rows', async () => {
    const now = new Date(2025, 5, 1, 12, 0, 0);
    const verified = await file(planFor('custom', 'shop'), daysAgo(1, now));
    const unverified = await file(planFor('plain', 'shop'), daysAgo(2, now), { verified: false });
    const changed = await file(planFor('schema', 'shop'), daysAgo(3, now));
    writeFileSync(join(dir, changed), 'changed afterwards, and longer');
    writeFileSync(join(dir, 'users_table_20250101_000000.sql'), '-- the seed\'s kubectl dump');
    writeFileSync(join(dir, 'notes.txt'), 'not a backup');
    const interrupted = partialName(backupFileName(planFor('custom', 'shop'), daysAgo(4, now)));
    writeFileSync(join(dir, interrupted), 'half');
    utimesSync(join(dir, interrupted), daysAgo(4, now), daysAgo(4, now));

    const listing = await listBackups(dir, now.getTime());
    expect(listing.error).toBeNull();
    expect(listing.entries.map((e) => [e.name, e.state, e.madeByPgtop])).toEqual([
      // No time in its name: its modification time (just now) places it.
      ['users_table_20250101_000000.sql', 'unverified', false],
      [verified, 'verified', true],
      [unverified, 'unverified', false],
      [changed, 'changed', false],
      [interrupted, 'interrupted', false],
    ]);
  });

  it("the guided session's restore picks the newest full backup pgtop made, never a newer one t verified", async () => {
    const now = new Date(2025, 5, 1, 12, 0, 0);
    const made = await file(planFor('custom', 'shop'), daysAgo(2, now));
    await file(planFor('custom', 'shop'), daysAgo(1, now), { madeByPgtop: false });
    expect((await newestVerifiedBackup(dir, 'shop', 'full'))?.name).toBe(made);
  });

  it('a directory that does not exist yet is empty, not an error', async () => {
    const listing = await listBackups(join(dir, 'not-yet'));
    expect(listing).toMatchObject({ entries: [], error: null });
  });

  it("--keep-days deletes exactly pgtop's own verified backups older than N days, never the newest of a series", async () => {
    const now = new Date(2025, 5, 30, 12, 0, 0);
    const custom = planFor('custom', 'shop');
    const keep1 = await file(custom, daysAgo(1, now));
    const old1 = await file(custom, daysAgo(8, now));
    const old2 = await file(custom, daysAgo(30, now));
    // Another series whose only backup is old: the newest of its series, kept.
    const onlySchema = await file(planFor('schema', 'shop'), daysAgo(40, now));
    // Another database: its own series; the newest is kept, the older one goes.
    const otherNewest = await file(planFor('custom', 'crm'), daysAgo(20, now));
    const otherOld = await file(planFor('custom', 'crm'), daysAgo(21, now));
    // Old, but not pgtop's: a file someone else made (no sidecar) and one verified by `t` but not made by pgtop.
    const foreign = await file(custom, daysAgo(50, now), { verified: false });
    const verifiedForeign = await file(custom, daysAgo(51, now), { madeByPgtop: false });
    // Old and pgtop's, but changed since it was verified: not trusted as pgtop's, kept.
    const tampered = await file(custom, daysAgo(52, now));
    writeFileSync(join(dir, tampered), 'something else entirely');
    // Exactly on the edge: 7 days minus a minute is younger than 7 days.
    const edge = await file(custom, new Date(daysAgo(7, now).getTime() + 60_000));

    const listing = await listBackups(dir, now.getTime());
    expect(planRetention(listing.entries, 7, now.getTime()).map((e) => e.name).sort()).toEqual([old1, old2, otherOld].sort());
    const deleted = await applyRetention(listing.entries, 7, now.getTime());
    expect(deleted.sort()).toEqual([old1, old2, otherOld].sort());
    const left = readdirSync(dir).sort();
    for (const name of [keep1, onlySchema, otherNewest, foreign, verifiedForeign, tampered, edge]) expect(left).toContain(name);
    for (const name of [old1, old2, otherOld]) {
      expect(left).not.toContain(name);
      expect(left).not.toContain(`${name}.verified`);
    }
  });
});

describe('the restore report', () => {
  it('puts differing tables first and says when every table matches', () => {
    const rows = compareCounts(
      [{ table: 'a', rows: 10, exact: true }, { table: 'b', rows: 5, exact: true }, { table: 'big', rows: 1_000_000, exact: false }],
      [{ table: 'a', rows: 10, exact: true }, { table: 'b', rows: 4, exact: true }, { table: 'big', rows: 1_010_000, exact: false }],
    );
    expect(rows.map((r) => [r.table, r.matches])).toEqual([['a', true], ['b', false], ['big', true]]);
    const lines = comparisonLines(rows, { schemaOnly: false });
    expect(lines[0]).toMatch(/^TABLE\s+SOURCE\s+RESTORED$/);
    expect(lines[1]).toMatch(/^b\s+5\s+4 ✗$/);
    expect(lines).toContain('1 of 3 tables differ (rows written to the source since the backup differ too)');
    expect(comparisonLines(rows.slice(0, 1), { schemaOnly: false })).toContain('1 tables, 10 rows: every table matches its source');
  });
});
