// The replication queries' rows into src/model/replication.ts: the standbys,
// the slots and the one-row overview.
import { bool, num, str, type RawRow } from '../row.js';
import type { ReplicationOverview, ReplicationSlot, Standby } from '../../../model/replication.js';

export function mapStandby(row: RawRow): Standby {
  return {
    pid: num(row, 'pid') ?? 0,
    application: str(row, 'application_name') ?? '',
    clientAddr: str(row, 'client_addr'),
    clientHostname: str(row, 'client_hostname'),
    clientPort: num(row, 'client_port'),
    state: str(row, 'state'),
    syncState: str(row, 'sync_state'),
    sentLsn: str(row, 'sent_lsn'),
    writeLsn: str(row, 'write_lsn'),
    flushLsn: str(row, 'flush_lsn'),
    replayLsn: str(row, 'replay_lsn'),
    replayLagBytes: num(row, 'replay_lag_bytes'),
    sentLagBytes: num(row, 'sent_lag_bytes'),
    writeLagSeconds: num(row, 'write_lag_seconds'),
    flushLagSeconds: num(row, 'flush_lag_seconds'),
    replayLagSeconds: num(row, 'replay_lag_seconds'),
    backendXmin: str(row, 'backend_xmin'),
    backendXminAge: num(row, 'backend_xmin_age'),
    connectedSeconds: num(row, 'connected_seconds'),
  };
}

export function mapReplicationSlot(row: RawRow): ReplicationSlot {
  return {
    name: str(row, 'slot_name') ?? '',
    type: str(row, 'slot_type') ?? '',
    plugin: str(row, 'plugin'),
    database: str(row, 'database'),
    temporary: bool(row, 'temporary') ?? false,
    active: bool(row, 'active') ?? false,
    activePid: num(row, 'active_pid'),
    xmin: str(row, 'xmin'),
    xminAge: num(row, 'xmin_age'),
    catalogXmin: str(row, 'catalog_xmin'),
    catalogXminAge: num(row, 'catalog_xmin_age'),
    restartLsn: str(row, 'restart_lsn'),
    confirmedFlushLsn: str(row, 'confirmed_flush_lsn'),
    retainedBytes: num(row, 'retained_bytes'),
    walStatus: str(row, 'wal_status'),
    safeWalBytes: num(row, 'safe_wal_size'),
  };
}

export function mapReplicationOverview(row: RawRow): ReplicationOverview {
  return {
    inRecovery: bool(row, 'in_recovery') ?? false,
    currentLsn: str(row, 'current_lsn'),
    walBytes: num(row, 'wal_bytes') ?? 0,
    walFiles: num(row, 'wal_files') ?? 0,
    walSegmentBytes: num(row, 'wal_segment_bytes') ?? 16 * 1024 * 1024,
    archiveMode: str(row, 'archive_mode') ?? 'off',
    archivedCount: num(row, 'archived_count') ?? 0,
    lastArchivedWal: str(row, 'last_archived_wal'),
    lastArchivedSecondsAgo: num(row, 'last_archived_seconds_ago'),
    failedCount: num(row, 'failed_count') ?? 0,
    lastFailedWal: str(row, 'last_failed_wal'),
    lastFailedSecondsAgo: num(row, 'last_failed_seconds_ago'),
    archiveReady: num(row, 'archive_ready') ?? 0,
    inactiveSlots: num(row, 'inactive_slots') ?? 0,
    inactiveRetainedBytes: num(row, 'inactive_retained_bytes'),
    inactiveWorstSlot: str(row, 'inactive_worst_slot'),
    endangeredSlots: num(row, 'endangered_slots') ?? 0,
    standbys: num(row, 'standbys') ?? 0,
    worstStandbyLagBytes: num(row, 'worst_standby_lag_bytes'),
    worstStandbyLagSeconds: num(row, 'worst_standby_lag_seconds'),
    receiverStatus: str(row, 'receiver_status'),
    senderHost: str(row, 'sender_host'),
    senderPort: num(row, 'sender_port'),
    receiverSlot: str(row, 'receiver_slot'),
    receivedLsn: str(row, 'received_lsn'),
    receiverLastMessageSecondsAgo: num(row, 'receiver_last_message_seconds_ago'),
    receiveLsn: str(row, 'receive_lsn'),
    replayLsn: str(row, 'replay_lsn'),
    replayLagBytes: num(row, 'replay_lag_bytes'),
    replayLagSeconds: num(row, 'replay_lag_seconds'),
    replayPaused: bool(row, 'replay_paused'),
    replayPauseState: str(row, 'replay_pause_state'),
  };
}
