// The built binary against a real primary and streaming standby
// (test/support/replication.ts): the replication screen and health in
// --once and --json on each, then in a terminal (tmux) D drops the unused
// slot and refuses the standby's active one, and on the standby VACUUM is
// refused before any confirmation while K still terminates a session.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BIN, cleanEnv, runPgtop } from '../support/binary.js';
import { startReplicationPair, type ReplicationPair } from '../support/replication.js';
import { waitFor } from '../support/pg.js';
import { startTmux, type TmuxSession } from '../support/tmux.js';

const MB = 1024 * 1024;

let pair: ReplicationPair;
let session: TmuxSession | undefined;
beforeAll(async () => {
  pair = await startReplicationPair();
}, 180_000);
afterEach(async () => {
  await session?.kill();
  session = undefined;
});
afterAll(async () => {
  await pair?.stop();
});

type Row = Record<string, unknown> & { kind: string };

async function onceJson(on: 'primary' | 'standby', screen: string): Promise<{ server: Record<string, unknown>; rows: Row[]; error: unknown }> {
  const { args, env } = pair.args(on);
  const run = await runPgtop([...args, '--once', '--json', '--screen', screen], env);
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  return JSON.parse(run.stdout) as { server: Record<string, unknown>; rows: Row[]; error: unknown };
}

describe('replication with --once', () => {
  it('on the primary: the standby and its lag, every slot with the WAL it keeps, failing archiving, pg_wal', async () => {
    const doc = await onceJson('primary', 'replication');
    expect(doc.server).toMatchObject({ role: 'primary', inRecovery: false });
    expect(doc.error).toBeNull();
    const standby = doc.rows.find((r) => r.kind === 'standby')!;
    expect(standby).toMatchObject({ application: pair.standbyName, state: 'streaming', syncState: 'async', clientAddr: '127.0.0.1' });
    // Replay is paused on the standby with WAL written since: the primary sees it behind.
    expect(standby.replayLagBytes as number).toBeGreaterThan(0);

    const slot = (name: string) => doc.rows.find((r) => r.kind === 'slot' && r.name === name)!;
    expect(slot(pair.unusedSlot)).toMatchObject({ type: 'physical', active: false, activePid: null, walStatus: 'reserved' });
    // Three switched segments and more: it keeps them all.
    expect(slot(pair.unusedSlot).retainedBytes as number).toBeGreaterThan(48 * MB);
    expect(slot(pair.standbySlot)).toMatchObject({ type: 'physical', active: true, activePid: standby.pid });
    // hot_standby_feedback: through a slot, the standby's xmin is held on the slot.
    expect(slot(pair.standbySlot).xmin ?? standby.backendXmin).toMatch(/^\d+$/);
    expect(slot(pair.logicalSlot)).toMatchObject({ type: 'logical', plugin: 'test_decoding', database: 'postgres', active: false });
    expect(slot(pair.logicalSlot).catalogXmin).toMatch(/^\d+$/);

    const archiving = doc.rows.find((r) => r.kind === 'archiving')!;
    expect(archiving).toMatchObject({ archiveMode: 'on', failing: true, archivedCount: 0, lastArchivedWal: null });
    expect(archiving.failedCount as number).toBeGreaterThan(0);
    expect(archiving.lastFailedWal).toMatch(/^[0-9A-F]{24}$/);
    const wal = doc.rows.find((r) => r.kind === 'pg_wal')!;
    expect(wal.bytes as number).toBeGreaterThan(48 * MB);
  });

  it('on the standby: the receiver streaming, replay paused with the WAL behind it', async () => {
    const doc = await onceJson('standby', 'replication');
    expect(doc.server).toMatchObject({ role: 'standby', inRecovery: true });
    expect(doc.rows.find((r) => r.kind === 'receiver')).toMatchObject({ status: 'streaming', senderHost: '127.0.0.1', senderPort: pair.primary.port, slot: pair.standbySlot });
    const replay = doc.rows.find((r) => r.kind === 'replay')!;
    expect(replay).toMatchObject({ paused: true, pauseState: 'paused' });
    expect(replay.lagBytes as number).toBeGreaterThan(0);
    expect(doc.rows.some((r) => r.kind === 'standby')).toBe(false);
  });

  it('the text says the role and marks the trouble', async () => {
    for (const on of ['primary', 'standby'] as const) {
      const { args, env } = pair.args(on);
      const run = await runPgtop([...args, '--once', '--screen', 'replication'], env);
      expect(run.code).toBe(0);
      expect(run.stdout.split('\n')[0]).toContain(`(${on})`);
      if (on === 'primary') {
        expect(run.stdout).toMatch(new RegExp(`slot physical\\s+${pair.unusedSlot}\\s+INACTIVE\\s+\\S+\\s+\\d+ MB`));
        expect(run.stdout).toMatch(/archiving\s+archive_mode on\s+FAILING/);
      } else {
        expect(run.stdout).toMatch(/replay\s+startup process\s+PAUSED/);
      }
    }
  });

  it('health raises the alarms: slots keeping WAL, archiving failing, a standby behind; on the standby, replay paused', async () => {
    const level = (rows: Row[], id: string) => rows.find((r) => r.id === id)?.level;
    const primary = (await onceJson('primary', 'health')).rows;
    expect(level(primary, 'slots')).toBe('warn');
    expect(level(primary, 'archiving')).toBe('alarm');
    expect(primary.find((r) => r.id === 'slots')!.value).toMatch(new RegExp(`${pair.unusedSlot} keeps \\d+ MB of WAL`));
    const standby = (await onceJson('standby', 'health')).rows;
    expect(level(standby, 'replay')).toBe('alarm');
    expect(standby.find((r) => r.id === 'replay')!.value).toMatch(/^replay paused, \d+(\.\d)? MB received and not replayed/);
  });
});

async function terminal(on: 'primary' | 'standby'): Promise<TmuxSession> {
  const { args, env } = pair.args(on);
  const started = await startTmux({
    command: [process.execPath, BIN, ...args, '-i', '1'],
    env: { ...(cleanEnv() as Record<string, string>), TERM: 'xterm-256color', ...env },
    cols: 120,
    rows: 32,
  });
  await started.waitForText('connected');
  return started;
}

describe('the vacuum horizon held by a standby', () => {
  it("names the standby's hot_standby_feedback, held on its slot, as what holds the primary's horizon, older with every transaction the primary runs", async () => {
    const { args, env } = pair.args('primary');
    const held = async (): Promise<number> => {
      const run = await runPgtop([...args, '--once', '--screen', 'health'], env);
      expect(run.code, run.stderr).toBe(0);
      const match = new RegExp(`vacuum horizon +(\\d+) xids old: replication slot ${pair.standbySlot} \\(xmin, active, pid \\d+\\)`).exec(run.stdout);
      expect(match, run.stdout).not.toBeNull();
      return Number(match![1]);
    };
    const primary = await pair.client('primary');
    // The logical slot's catalog_xmin is older than the standby's (paused after it was made): move it on,
    // as a consumer would, so that what is left holding the horizon is the standby.
    await primary.query('SELECT pg_replication_slot_advance($1, pg_current_wal_lsn())', [pair.logicalSlot]);
    const before = await held();
    try {
      // Replay is paused on the standby: the xmin its feedback holds stays where it stopped while the primary goes on.
      for (let i = 0; i < 50; i++) await primary.query('SELECT pg_current_xact_id()');
    } finally {
      await primary.end();
    }
    expect(await held()).toBeGreaterThanOrEqual(before + 50);
  });
});

describe('replication in a terminal', () => {
  it('D refuses the active slot with the reason, and drops the unused one after its name is typed, freeing its WAL', async () => {
    session = await terminal('primary');
    await session.waitForText(`(primary)`);
    await session.sendText(':replication');
    await session.sendKey('Enter');
    await session.waitForText(/slot physical\s+standby_slot\s+active pid/);

    await session.sendText(`/${pair.standbySlot}`);
    await session.sendKey('Enter');
    await session.sendText('D');
    await session.waitForText(new RegExp(`refused: slot ${pair.standbySlot} is active \\(held by pid \\d+\\): its consumer is using it`));

    await session.sendKey('Escape');
    await session.sendText(`/${pair.unusedSlot}`);
    await session.sendKey('Enter');
    await session.waitForText(/slot physical\s+unused\s+INACTIVE/);
    await session.sendText('D');
    await session.waitForText(/frees\s+\d+ MB of WAL it keeps in pg_wal/);
    await session.waitForText('it must be re-synced');
    await session.waitForText("SELECT pg_drop_replication_slot('unused');");
    await session.sendText(pair.unusedSlot);
    await session.sendKey('Enter');
    await session.waitForText(/dropped replication slot unused: \d+ MB of WAL freed/);

    const client = await pair.client('primary');
    try {
      expect((await client.query('SELECT 1 FROM pg_replication_slots WHERE slot_name = $1', [pair.unusedSlot])).rowCount).toBe(0);
      expect((await client.query('SELECT 1 FROM pg_replication_slots WHERE slot_name = $1', [pair.standbySlot])).rowCount).toBe(1);
    } finally {
      await client.end();
    }
  });

  it('on the standby: v is refused before any confirmation, the bloat screen says whose counters it shows, and K still works', async () => {
    const victim = await pair.client('standby');
    await victim.query("SET application_name = 'standby_victim'");
    const victimPid = (await victim.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
    try {
      session = await terminal('standby');
      await session.waitForText('(standby)');
      await session.sendText(':bloat');
      await session.sendKey('Enter');
      await session.waitForText(/filler/);
      await session.waitForText("standby: dead tuples and (auto)vacuum/analyze times here are this standby's own counters");
      await session.waitForText('standby: writes need the primary');
      await session.sendText('/filler');
      await session.sendKey('Enter');
      await session.sendText('v');
      const screen = await session.waitForText('refused: standby (in recovery, read-only): VACUUM (ANALYZE) public.filler runs on the primary only');
      expect(screen).not.toContain('will run');

      await session.sendKey('Escape');
      await session.sendText(':activity');
      await session.sendKey('Enter');
      await session.sendText('/standby_victim');
      await session.sendKey('Enter');
      // Filtered to it by its application name (a column the pane may be too narrow to show).
      await session.waitForText(new RegExp(`^ +${victimPid}\\s+postgres\\s+postgres\\s`, 'm'));
      await session.sendText('K');
      await session.waitForText(`Terminate backend pid ${victimPid}`);
      await session.sendText('y');
      await session.waitForText(`terminated pid ${victimPid}`);
      const check = await pair.client('standby');
      try {
        await waitFor(async () => (await check.query('SELECT 1 FROM pg_stat_activity WHERE pid = $1', [victimPid])).rowCount === 0, { what: 'the victim to end' });
      } finally {
        await check.end();
      }
    } finally {
      await victim.end().catch(() => undefined);
    }
  });
});
