// Replication and WAL: the standbys streaming from a server, its replication
// slots, its archiving and pg_wal, and on a standby its receiver and replay
// (src/db/queries/replication_*); and the judgements health makes of them.
// Pure: no I/O.
import type { Level } from './bloat.js';

/** One row of pg_stat_replication: a standby (or pg_receivewal) streaming from this server. */
export interface Standby {
  pid: number;
  application: string;
  clientAddr: string | null;
  clientHostname: string | null;
  clientPort: number | null;
  /** startup, catchup, streaming, backup, stopping. */
  state: string | null;
  /** async, potential, sync, quorum. */
  syncState: string | null;
  sentLsn: string | null;
  writeLsn: string | null;
  flushLsn: string | null;
  replayLsn: string | null;
  /** Bytes of WAL this server has that the standby has not replayed. */
  replayLagBytes: number | null;
  sentLagBytes: number | null;
  writeLagSeconds: number | null;
  flushLagSeconds: number | null;
  /** pg_stat_replication.replay_lag: null when the standby has caught up and nothing is written. */
  replayLagSeconds: number | null;
  /** The xmin its hot_standby_feedback holds back here, if any. */
  backendXmin: string | null;
  backendXminAge: number | null;
  connectedSeconds: number | null;
}

/** One row of pg_replication_slots. */
export interface ReplicationSlot {
  name: string;
  /** physical or logical. */
  type: string;
  plugin: string | null;
  database: string | null;
  temporary: boolean;
  active: boolean;
  /** The walsender (or the backend decoding) holding it. */
  activePid: number | null;
  xmin: string | null;
  xminAge: number | null;
  catalogXmin: string | null;
  catalogXminAge: number | null;
  restartLsn: string | null;
  confirmedFlushLsn: string | null;
  /** WAL from restart_lsn to where the server writes: what it keeps in pg_wal. */
  retainedBytes: number | null;
  /** reserved, extended, unreserved, lost (13+). */
  walStatus: string | null;
  /** How much more WAL may be written before the slot is lost (max_slot_wal_keep_size); null: no limit. */
  safeWalBytes: number | null;
}

/** One row: this server's role and WAL, the worst of its slots and standbys, and on a standby its receiver and replay. */
export interface ReplicationOverview {
  inRecovery: boolean;
  currentLsn: string | null;
  walBytes: number;
  walFiles: number;
  walSegmentBytes: number;
  archiveMode: string;
  archivedCount: number;
  lastArchivedWal: string | null;
  lastArchivedSecondsAgo: number | null;
  failedCount: number;
  lastFailedWal: string | null;
  lastFailedSecondsAgo: number | null;
  /** WAL files waiting to be archived (archive_status/*.ready). */
  archiveReady: number;
  inactiveSlots: number;
  /** The most WAL an inactive slot keeps, and which. */
  inactiveRetainedBytes: number | null;
  inactiveWorstSlot: string | null;
  /** Slots whose wal_status is unreserved or lost. */
  endangeredSlots: number;
  standbys: number;
  worstStandbyLagBytes: number | null;
  worstStandbyLagSeconds: number | null;
  receiverStatus: string | null;
  senderHost: string | null;
  senderPort: number | null;
  receiverSlot: string | null;
  receivedLsn: string | null;
  receiverLastMessageSecondsAgo: number | null;
  receiveLsn: string | null;
  replayLsn: string | null;
  /** On a standby: WAL received and not replayed. */
  replayLagBytes: number | null;
  /** On a standby: since the last replayed transaction's commit (grows while the primary is idle too). */
  replayLagSeconds: number | null;
  replayPaused: boolean | null;
  /** 'not paused', 'pause requested', 'paused' (13: paused or not). */
  replayPauseState: string | null;
}

/** A judgement of one replication concern, for health. */
export interface ReplicationAlarm {
  id: 'standbyLag' | 'replay' | 'slots' | 'archiving';
  name: string;
  level: Level;
  value: string;
  advice: string;
}

// A standby a WAL segment or half a minute behind is worth a look; a GB or five minutes is trouble.
export const LAG_WARN_BYTES = 16 * 1024 * 1024;
export const LAG_ALARM_BYTES = 1024 * 1024 * 1024;
export const LAG_WARN_SECONDS = 30;
export const LAG_ALARM_SECONDS = 300;

function lagLevel(bytes: number | null, seconds: number | null): Level {
  const b = bytes ?? 0;
  // The time lag counts only while WAL is behind: on an idle primary it grows with nothing to replay.
  const s = b > 0 ? (seconds ?? 0) : 0;
  if (b >= LAG_ALARM_BYTES || s >= LAG_ALARM_SECONDS) return 'alarm';
  if (b >= LAG_WARN_BYTES || s >= LAG_WARN_SECONDS) return 'warn';
  return 'ok';
}

/** Whether archiving is failing now: a failure since the last success. */
export function archivingFails(o: ReplicationOverview): boolean {
  if (o.failedCount === 0 || o.lastFailedSecondsAgo === null) return false;
  return o.lastArchivedSecondsAgo === null || o.lastFailedSecondsAgo < o.lastArchivedSecondsAgo;
}

/**
 * Health's replication checks: how far behind the standbys are (on a
 * primary) or this standby is, whether replay is paused, inactive slots
 * keeping WAL, and archiving that fails. `describe` makes sizes and
 * durations readable (the model does no formatting).
 */
export function replicationAlarms(o: ReplicationOverview, describe: { bytes(n: number): string; duration(s: number): string }): ReplicationAlarm[] {
  const alarms: ReplicationAlarm[] = [];
  if (o.inRecovery) {
    const behind = o.replayLagBytes ?? 0;
    const paused = o.replayPaused === true;
    alarms.push({
      id: 'replay',
      name: 'standby replay',
      level: paused ? (behind > 0 ? 'alarm' : 'warn') : lagLevel(o.replayLagBytes, o.replayLagSeconds),
      value: `${paused ? `replay ${o.replayPauseState ?? 'paused'}, ` : ''}${describe.bytes(behind)} received and not replayed${
        behind > 0 && o.replayLagSeconds !== null ? `, last replayed commit ${describe.duration(o.replayLagSeconds)} ago` : ''
      }; receiver ${o.receiverStatus ?? 'not running'}`,
      advice:
        'This server is a standby. Amber from 16 MB or 30 s behind (or replay paused), red from 1 GB or 5 min (or paused with WAL waiting). ' +
        'SELECT pg_wal_replay_resume() resumes a paused replay; the replication screen shows the receiver.',
    });
  } else {
    alarms.push({
      id: 'standbyLag',
      name: 'standby lag',
      level: o.standbys === 0 ? 'ok' : lagLevel(o.worstStandbyLagBytes, o.worstStandbyLagSeconds),
      value:
        o.standbys === 0
          ? 'no standby streaming'
          : `${o.standbys} standby(s), the furthest ${describe.bytes(o.worstStandbyLagBytes ?? 0)} behind${
              o.worstStandbyLagSeconds !== null ? ` (replay lag ${describe.duration(o.worstStandbyLagSeconds)})` : ''
            }`,
      advice: 'WAL this server wrote that a standby has not replayed. Amber from 16 MB or 30 s, red from 1 GB or 5 min. The replication screen shows each standby.',
    });
  }

  const retained = o.inactiveRetainedBytes ?? 0;
  alarms.push({
    id: 'slots',
    name: 'replication slots',
    level: o.endangeredSlots > 0 || retained >= LAG_ALARM_BYTES ? 'alarm' : o.inactiveSlots > 0 && retained >= Math.min(LAG_WARN_BYTES, o.walSegmentBytes) ? 'warn' : 'ok',
    value:
      o.inactiveSlots === 0
        ? `no inactive slot; pg_wal ${describe.bytes(o.walBytes)}`
        : `${o.inactiveSlots} inactive, ${o.inactiveWorstSlot ?? '?'} keeps ${describe.bytes(retained)} of WAL; pg_wal ${describe.bytes(o.walBytes)}${
            o.endangeredSlots ? `; ${o.endangeredSlots} unreserved or lost` : ''
          }`,
    advice:
      'An inactive slot keeps every WAL file from its restart_lsn until its consumer comes back: pg_wal grows until the disk is full. ' +
      'Amber when one keeps a WAL segment or more, red from 1 GB or when a slot is unreserved or lost. The replication screen drops one (D).',
  });

  const failing = archivingFails(o);
  alarms.push({
    id: 'archiving',
    name: 'WAL archiving',
    level: failing ? 'alarm' : o.archiveReady > 10 ? 'warn' : 'ok',
    value:
      o.archiveMode === 'off'
        ? 'archive_mode off'
        : `${failing ? `FAILING: ${o.failedCount} failure(s), last ${o.lastFailedWal ?? '?'} ${describe.duration(o.lastFailedSecondsAgo ?? 0)} ago; ` : ''}${
            o.archiveReady
          } file(s) waiting${o.lastArchivedWal ? `, last archived ${o.lastArchivedWal}` : ', none archived yet'}`,
    advice:
      'pg_stat_archiver: a failing archive_command keeps every WAL file not yet archived in pg_wal, and point-in-time recovery stops at the last archived one. ' +
      'Red while the last attempt failed, amber with more than 10 files waiting. The server log says why the command fails.',
  });
  return alarms;
}

/**
 * What the bloat and sizes screens say on a standby: its statistics are its
 * own (a standby vacuums nothing, and counts only its own reads), not the
 * primary's, and maintenance runs on the primary only.
 */
export function standbyCountersNotice(inRecovery: boolean | undefined, screen: 'bloat' | 'sizes'): string | null {
  if (!inRecovery) return null;
  return screen === 'bloat'
    ? "standby: dead tuples and (auto)vacuum/analyze times here are this standby's own counters, not the primary's: read them on the primary, where v, a, F and R run"
    : "standby: sizes are the primary's (a copy); index scans and never-analyzed marks count this standby only; v, a, F and R run on the primary";
}
