// The replication screen from fake state: on a primary the standby, the
// slots and archiving; on a standby the receiver and paused replay; D's
// confirmation; and on a standby the header's role, bloat's notice, v
// refused before any confirmation and the help saying what is unavailable.
import { afterEach, describe, expect, it } from 'vitest';
import type { ReplicationOverview, ReplicationSlot, Standby } from '../../src/model/replication.js';
import { header } from '../support/fixtures.js';
import { bloatTable, connectedWithResults, result } from '../support/maintenance-fixtures.js';
import { renderApp, type RenderedApp } from '../support/render-app.js';

let app: RenderedApp | undefined;
afterEach(() => app?.unmount());

const MB = 1024 * 1024;

function overview(o: Partial<ReplicationOverview> = {}): ReplicationOverview {
  return {
    inRecovery: false, currentLsn: '0/6137F98', walBytes: 96 * MB, walFiles: 7, walSegmentBytes: 16 * MB, archiveMode: 'on',
    archivedCount: 0, lastArchivedWal: null, lastArchivedSecondsAgo: null, failedCount: 4, lastFailedWal: '000000010000000000000001',
    lastFailedSecondsAgo: 3, archiveReady: 6, inactiveSlots: 1, inactiveRetainedBytes: 65 * MB, inactiveWorstSlot: 'unused', endangeredSlots: 0,
    standbys: 1, worstStandbyLagBytes: 33 * MB, worstStandbyLagSeconds: 0.3, receiverStatus: null, senderHost: null, senderPort: null,
    receiverSlot: null, receivedLsn: null, receiverLastMessageSecondsAgo: null, receiveLsn: null, replayLsn: null, replayLagBytes: null,
    replayLagSeconds: null, replayPaused: null, replayPauseState: null,
    ...o,
  };
}

const standby: Standby = {
  pid: 4242, application: 'pgtop_standby', clientAddr: '10.0.0.9', clientHostname: null, clientPort: 5000, state: 'streaming', syncState: 'async',
  sentLsn: '0/6137F98', writeLsn: '0/6137F98', flushLsn: '0/6137F98', replayLsn: '0/4000000', replayLagBytes: 33 * MB, sentLagBytes: 0,
  writeLagSeconds: 0.001, flushLagSeconds: 0.001, replayLagSeconds: 0.3, backendXmin: null, backendXminAge: null, connectedSeconds: 60,
};

function slot(s: Partial<ReplicationSlot> & { name: string }): ReplicationSlot {
  return {
    type: 'physical', plugin: null, database: null, temporary: false, active: false, activePid: null, xmin: null, xminAge: null, catalogXmin: null,
    catalogXminAge: null, restartLsn: '0/2000028', confirmedFlushLsn: null, retainedBytes: 65 * MB, walStatus: 'reserved', safeWalBytes: null,
    ...s,
  };
}

function primaryState() {
  return connectedWithResults({
    replicationOverview: result([overview()]),
    replicationStandbys: result([standby]),
    replicationSlots: result([
      slot({ name: 'standby_slot', active: true, activePid: 4242, retainedBytes: 1024, xmin: '725' }),
      slot({ name: 'unused' }),
      slot({ name: 'decoder', type: 'logical', plugin: 'test_decoding', database: 'shop', catalogXmin: '725', retainedBytes: 49 * MB }),
    ]),
  });
}

describe('replication screen', () => {
  it('on a primary: the standby with its lag, each slot with the WAL it keeps, archiving failing, pg_wal', async () => {
    app = renderApp({ screen: 'replication', patch: primaryState() });
    const frame = await app.waitFor('WAL BEHIND');
    expect(frame).toContain('PostgreSQL 15.18 (primary)');
    // 100 columns: the detail is cut short (Enter shows it whole).
    expect(frame).toMatch(/WHAT\s+NAME\s+STATE\s+LSN\s+WAL BEHIND\s+LAG\s+DETAIL/);
    expect(frame).toMatch(/standby\s+pgtop_standby\s+streaming async\s+0\/4000000\s+33 MB\s+0\.3s\s+client 10\.0\.0\.9/);
    expect(frame).toMatch(/slot physical\s+standby_slot\s+active pid 4242\s+0\/2000028\s+1\.0 kB\s+wal reserved\s+xmin/);
    expect(frame).toMatch(/slot physical\s+unused\s+INACTIVE\s+0\/2000028\s+65 MB/);
    expect(frame).toMatch(/slot logical\s+decoder\s+INACTIVE\s+0\/2000028\s+49 MB\s+wal reserved\s+test/);
    expect(frame).toMatch(/archiving\s+archive_mode on\s+FAILING\s+96 MB\s+4 failed, last 000/);
    expect(frame).toMatch(/pg_wal\s+pg_wal\s+7 files\s+0\/6137F98\s+96 MB/);
    expect(frame).toContain('primary: 1 standby(s) streaming');
    expect(frame).toContain('D drop slot');
  });

  it("D on an inactive slot asks for its name, showing the WAL it frees and that its consumer must re-sync; on an active one it says why not", async () => {
    app = renderApp({ screen: 'replication', patch: primaryState() });
    await app.waitFor('WAL BEHIND');
    await app.press('j', 'D');
    expect(await app.waitFor('refused:')).toMatch(/refused: slot standby_slot is active \(held by pid 4242\)/);
    await app.press('j', 'D');
    const confirm = await app.waitFor('will run');
    expect(confirm).toContain('Drop replication slot unused, freeing 65 MB of WAL?');
    expect(confirm).toMatch(/frees\s+65 MB of WAL it keeps in pg_wal/);
    expect(confirm).toContain('must be re-synced');
    expect(confirm).toContain("will run: SELECT pg_drop_replication_slot('unused');");
    expect(confirm).toMatch(/type unused and Enter/);
    await app.press('escape');
    await app.press('j', 'D');
    expect(await app.waitFor('will run')).toMatch(/subscription, a CDC tool\) can no longer resume: it must be re-synced/);
  });

  it('on a standby: the receiver and replay, paused, first', async () => {
    app = renderApp({
      screen: 'replication',
      patch: (s) => {
        connectedWithResults({
          replicationOverview: result([
            overview({
              inRecovery: true, standbys: 0, inactiveSlots: 0, inactiveRetainedBytes: null, failedCount: 0, archiveReady: 0, receiverStatus: 'streaming',
              senderHost: '10.0.0.1', senderPort: 5432, receiverSlot: 'standby_slot', receivedLsn: '0/6137F98', receiveLsn: '0/6137F98',
              replayLsn: '0/4000000', replayLagBytes: 33 * MB, replayLagSeconds: 12, replayPaused: true, replayPauseState: 'paused', receiverLastMessageSecondsAgo: 1,
            }),
          ]),
          replicationStandbys: result([]),
          replicationSlots: result([]),
        })(s);
        s.data.header = { ...header, inRecovery: true };
      },
    });
    const frame = await app.waitFor('WAL BEHIND');
    expect(frame).toContain('PostgreSQL 15.18 (standby)');
    expect(frame).toMatch(/receiver\s+10\.0\.0\.1:5432\s+streaming\s+0\/6137F98\s+1\.0s\s+slot standby_slot/);
    expect(frame).toMatch(/replay\s+startup process\s+PAUSED\s+0\/4000000\s+33 MB\s+12s\s+replay is paused/);
    await app.press('G', 'k', 'enter');
    expect(await app.waitFor('details')).toMatch(/now\s+ok/);
  });
});

describe('a standby elsewhere', () => {
  const onStandby = (s: Parameters<ReturnType<typeof connectedWithResults>>[0]) => {
    connectedWithResults({ bloatTables: result([bloatTable({ table: 'orders', deadTuples: 0, liveTuples: 0 })]) })(s);
    s.data.header = { ...header, inRecovery: true };
  };

  it("bloat says its counters are the standby's own, leaves the writing keys out of the bar, and refuses v before any confirmation", async () => {
    app = renderApp({ screen: 'bloat', patch: onStandby });
    const frame = await app.waitFor('orders');
    expect(frame).toContain("standby: dead tuples and (auto)vacuum/analyze times here are this standby's own counters");
    expect(frame).toContain('standby: writes need the primary');
    expect(frame).not.toContain('v vacuum');
    await app.press('v');
    const refused = await app.waitFor('refused:');
    expect(refused).toContain('refused: standby (in recovery, read-only): VACUUM (ANALYZE) public.orders runs on the primary only');
    expect(refused).not.toContain('will run');
    await app.press('?');
    expect(await app.waitFor('Keys on the bloat screen')).toMatch(/ANALYZE the selected table \(on the connected database: every table\), after y\/n \(unavailable:/);
  });
});
