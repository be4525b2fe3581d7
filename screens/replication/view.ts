// The replication screen: one row per thing that streams, keeps or ships
// WAL. On a primary: each standby (pg_stat_replication), every replication
// slot, archiving (pg_stat_archiver) and pg_wal. On a standby: its WAL
// receiver and its replay (paused or not), then its own slots, archiving and
// pg_wal. With -k cluster/NAME, every instance pod of the CloudNativePG
// cluster comes first: its role, readiness and the lag of the standby
// streaming under its name; `m` moves the dashboard to it. The BEHIND column
// is always bytes of WAL: not yet replayed by a standby, kept by a slot,
// waiting to be archived, or in pg_wal. Pure: rendered by TableScreen and --once.
import { actionRequest } from '../../src/actions/action.js';
import { dropReplicationSlot } from '../../src/actions/replication.js';
import { duration } from '../../src/format/format.js';
import { bytes } from '../../src/format/size.js';
import { sortInstances, standbyOf, type ClusterInstance, type CurrentInstance } from '../../src/model/instances.js';
import { archivingFails, LAG_ALARM_BYTES, LAG_WARN_BYTES, type ReplicationOverview, type ReplicationSlot, type Standby } from '../../src/model/replication.js';
import type { ScreenView } from '../../src/render/screen-view.js';
import { memoizeLast, type CellTone, type Column } from '../../src/render/table.js';
import { selectedRowIndex } from '../../src/store/cursor.js';
import type { PgtopState } from '../../src/store/store.js';

/**
 * An instance pod of a CloudNativePG cluster; `standby` is what this server's
 * pg_stat_replication says of it, and `replay` this server's own replay when
 * the dashboard is on that instance (a replica's lag seen from itself).
 */
export interface InstanceItem {
  kind: 'instance';
  instance: ClusterInstance;
  standby: Standby | undefined;
  /** The dashboard is connected to this pod now. */
  current: boolean;
  pinned: boolean;
  replay: ReplicationOverview | undefined;
}

export type ReplicationItem =
  | InstanceItem
  | { kind: 'standby'; standby: Standby }
  | { kind: 'slot'; slot: ReplicationSlot }
  | { kind: 'receiver' | 'replay' | 'archiving' | 'pg_wal'; overview: ReplicationOverview };

function lagTone(bytesBehind: number | null): CellTone {
  const b = bytesBehind ?? 0;
  return b >= LAG_ALARM_BYTES ? 'alert' : b >= LAG_WARN_BYTES ? 'warn' : 'normal';
}

/** An inactive slot keeping a segment or more is the incident this screen exists for. */
function slotTone(s: ReplicationSlot): CellTone {
  if (s.walStatus === 'lost' || s.walStatus === 'unreserved') return 'alert';
  if (s.active) return 'normal';
  return (s.retainedBytes ?? 0) >= LAG_WARN_BYTES ? 'alert' : 'warn';
}

/** Bytes of WAL a replica has not replayed: seen from the primary (its walsender), or from itself when the dashboard is on it. */
function instanceLagBytes(item: InstanceItem): number | null {
  if (item.standby) return item.standby.replayLagBytes;
  if (item.current && item.replay?.inRecovery) return item.replay.replayLagBytes;
  return null;
}

function instanceLagSeconds(item: InstanceItem): number | null {
  if (item.standby) return item.standby.replayLagSeconds;
  if (item.current && item.replay?.inRecovery) return (item.replay.replayLagBytes ?? 0) > 0 ? item.replay.replayLagSeconds : null;
  return null;
}

function instanceState(i: ClusterInstance): string {
  if (i.ready) return 'Ready';
  return i.waiting ?? (i.phase === 'Running' ? 'not Ready' : i.phase);
}

function instanceTone(item: InstanceItem): CellTone {
  if (!item.instance.ready) return 'alert';
  if (item.instance.role === 'replica' && item.standby === undefined && !item.current) return 'warn';
  return lagTone(instanceLagBytes(item));
}

function what(item: ReplicationItem): string {
  switch (item.kind) {
    case 'instance':
      // ▶: where the dashboard is now.
      return `${item.current ? '▶' : ' '}${item.instance.role ?? 'instance'}`;
    case 'standby':
      return 'standby';
    case 'slot':
      return `slot ${item.slot.type === 'logical' ? 'logical' : 'physical'}`;
    default:
      return item.kind;
  }
}

function name(item: ReplicationItem): string {
  switch (item.kind) {
    case 'instance':
      return item.instance.pod;
    case 'standby':
      return item.standby.application || `pid ${item.standby.pid}`;
    case 'slot':
      return item.slot.name;
    case 'receiver': {
      const o = item.overview;
      return o.senderHost ? `${o.senderHost}${o.senderPort ? `:${o.senderPort}` : ''}` : '–';
    }
    case 'replay':
      return 'startup process';
    case 'archiving':
      return `archive_mode ${item.overview.archiveMode}`;
    case 'pg_wal':
      return 'pg_wal';
  }
}

function state(item: ReplicationItem): string {
  switch (item.kind) {
    case 'instance':
      return `${instanceState(item.instance)}${item.standby?.state ? ` ${item.standby.state}` : ''}`;
    case 'standby':
      return `${item.standby.state ?? '?'} ${item.standby.syncState ?? ''}`.trim();
    case 'slot':
      return item.slot.active ? `active pid ${item.slot.activePid ?? '?'}` : 'INACTIVE';
    case 'receiver':
      return item.overview.receiverStatus ?? 'NOT RUNNING';
    case 'replay':
      return item.overview.replayPaused ? (item.overview.replayPauseState ?? 'paused').toUpperCase() : 'replaying';
    case 'archiving': {
      const o = item.overview;
      if (o.archiveMode === 'off') return 'off';
      return archivingFails(o) ? 'FAILING' : 'ok';
    }
    case 'pg_wal':
      return `${item.overview.walFiles} files`;
  }
}

function position(item: ReplicationItem): string {
  switch (item.kind) {
    case 'instance':
      return item.standby?.replayLsn ?? (item.current ? (item.replay?.replayLsn ?? item.replay?.currentLsn ?? '') : '');
    case 'standby':
      return item.standby.replayLsn ?? '';
    case 'slot':
      return item.slot.restartLsn ?? '';
    case 'receiver':
      return item.overview.receivedLsn ?? item.overview.receiveLsn ?? '';
    case 'replay':
      return item.overview.replayLsn ?? '';
    case 'archiving':
      return '';
    case 'pg_wal':
      return item.overview.currentLsn ?? '';
  }
}

/** Bytes of WAL behind (standby, replay), kept (slot), waiting (archiving) or present (pg_wal). */
function behindBytes(item: ReplicationItem): number | null {
  switch (item.kind) {
    case 'instance':
      return instanceLagBytes(item);
    case 'standby':
      return item.standby.replayLagBytes;
    case 'slot':
      return item.slot.retainedBytes;
    case 'receiver':
      return null;
    case 'replay':
      return item.overview.replayLagBytes;
    case 'archiving':
      return item.overview.archiveMode === 'off' ? null : item.overview.archiveReady * item.overview.walSegmentBytes;
    case 'pg_wal':
      return item.overview.walBytes;
  }
}

function lagSeconds(item: ReplicationItem): number | null {
  switch (item.kind) {
    case 'instance':
      return instanceLagSeconds(item);
    case 'standby':
      return item.standby.replayLagSeconds;
    case 'replay':
      return (item.overview.replayLagBytes ?? 0) > 0 ? item.overview.replayLagSeconds : null;
    case 'receiver':
      return item.overview.receiverLastMessageSecondsAgo;
    default:
      return null;
  }
}

function instanceNote(item: InstanceItem): string {
  const i = item.instance;
  const streaming =
    i.role !== 'replica' || item.current ? '' : item.standby ? `streams ${item.standby.syncState ?? ''}`.trim() : 'no walsender under its name here';
  return [
    item.current ? (item.pinned ? 'pgtop is here (moved: m on the primary follows it again)' : 'pgtop is here') : '',
    `node ${i.node ?? '?'}`,
    `restarts ${i.restarts}`,
    i.ready ? '' : `phase ${i.phase}`,
    streaming,
  ]
    .filter(Boolean)
    .join('  ');
}

function note(item: ReplicationItem): string {
  switch (item.kind) {
    case 'instance':
      return instanceNote(item);
    case 'standby': {
      const s = item.standby;
      return [
        `client ${s.clientAddr ?? 'local'}`,
        `sent ${s.sentLsn ?? '–'} write ${s.writeLsn ?? '–'} flush ${s.flushLsn ?? '–'}`,
        s.backendXmin ? `feedback xmin ${s.backendXmin}` : '',
      ]
        .filter(Boolean)
        .join('  ');
    }
    case 'slot': {
      const s = item.slot;
      return [
        s.walStatus ? `wal ${s.walStatus}${s.safeWalBytes !== null ? `, ${bytes(s.safeWalBytes)} until lost` : ''}` : '',
        s.type === 'logical' ? `${s.plugin ?? '?'} on ${s.database ?? '?'}` : '',
        s.xmin ? `xmin ${s.xmin}` : '',
        s.catalogXmin ? `catalog_xmin ${s.catalogXmin}` : '',
        s.temporary ? 'temporary' : '',
      ]
        .filter(Boolean)
        .join('  ');
    }
    case 'receiver': {
      const o = item.overview;
      return [o.receiverSlot ? `slot ${o.receiverSlot}` : 'no slot', o.receiveLsn ? `received up to ${o.receiveLsn}` : ''].filter(Boolean).join('  ');
    }
    case 'replay': {
      const o = item.overview;
      return o.replayPaused ? 'replay is paused: SELECT pg_wal_replay_resume() resumes it' : 'applies the WAL received';
    }
    case 'archiving': {
      const o = item.overview;
      if (o.archiveMode === 'off') return 'WAL is not archived';
      if (o.inRecovery && o.archiveMode === 'on') return "the primary archives (archive_mode 'always' would archive here too)";
      const failing = archivingFails(o) ? `${o.failedCount} failed, last ${o.lastFailedWal ?? '?'} ${duration(o.lastFailedSecondsAgo)} ago;  ` : '';
      return `${failing}${o.archiveReady} waiting; ${o.lastArchivedWal ? `last archived ${o.lastArchivedWal} ${duration(o.lastArchivedSecondsAgo)} ago` : 'none archived yet'}`;
    }
    case 'pg_wal':
      return `segments of ${bytes(item.overview.walSegmentBytes)}`;
  }
}

function tone(item: ReplicationItem): CellTone {
  switch (item.kind) {
    case 'instance':
      return instanceTone(item);
    case 'standby':
      return lagTone(item.standby.replayLagBytes);
    case 'slot':
      return slotTone(item.slot);
    case 'receiver':
      return item.overview.receiverStatus === 'streaming' ? 'normal' : 'alert';
    case 'replay':
      return item.overview.replayPaused ? 'alert' : lagTone(item.overview.replayLagBytes);
    case 'archiving':
      return archivingFails(item.overview) ? 'alert' : 'normal';
    case 'pg_wal':
      return 'normal';
  }
}

export const replicationColumns: readonly Column<ReplicationItem>[] = [
  { id: 'what', title: 'WHAT', width: 13, text: what, tone: () => 'dim' },
  { id: 'name', title: 'NAME', width: 18, text: name, tone },
  { id: 'state', title: 'STATE', width: 16, text: state, tone },
  { id: 'lsn', title: 'LSN', width: 11, priority: 3, text: position },
  { id: 'behind', title: 'WAL BEHIND', width: 10, align: 'right', text: (i) => bytes(behindBytes(i)), tone },
  { id: 'lag', title: 'LAG', width: 7, align: 'right', priority: 2, text: (i) => duration(lagSeconds(i)) },
  // The detail outlives the LSN and the lag on a narrow terminal: it names what is wrong.
  { id: 'note', title: 'DETAIL', width: 'flex', minWidth: 16, priority: 1, text: note, tone: () => 'dim' },
];

function itemKey(item: ReplicationItem): string {
  switch (item.kind) {
    case 'instance':
      return `instance:${item.instance.pod}`;
    case 'standby':
      return `standby:${item.standby.pid}`;
    case 'slot':
      return `slot:${item.slot.name}`;
    default:
      return item.kind;
  }
}

/** The rows in the order a DBA reads them: the cluster's instances, what streams, then what keeps WAL, then where it goes. */
export function replicationItems(
  overview: ReplicationOverview | undefined,
  standbys: readonly Standby[],
  slots: readonly ReplicationSlot[],
  instances: readonly ClusterInstance[] = [],
  current: CurrentInstance | null = null,
): ReplicationItem[] {
  const items: ReplicationItem[] = [];
  for (const instance of sortInstances(instances)) {
    const here = current?.pod === instance.pod;
    items.push({ kind: 'instance', instance, standby: standbyOf(instance, standbys), current: here, pinned: here && current.pinned, replay: here ? overview : undefined });
  }
  if (overview?.inRecovery) {
    items.push({ kind: 'receiver', overview }, { kind: 'replay', overview });
  }
  for (const standby of standbys) items.push({ kind: 'standby', standby });
  for (const slot of slots) items.push({ kind: 'slot', slot });
  if (overview) items.push({ kind: 'archiving', overview }, { kind: 'pg_wal', overview });
  return items;
}

export function matchesFilter(item: ReplicationItem, filter: string): boolean {
  if (!filter) return true;
  const needle = filter.toLowerCase();
  return [what(item), name(item), state(item), note(item)].some((f) => f.toLowerCase().includes(needle));
}

const NO_STANDBYS: Standby[] = [];
const NO_SLOTS: ReplicationSlot[] = [];
const NO_INSTANCES: ClusterInstance[] = [];

const visibleItems = memoizeLast(
  (
    overview: ReplicationOverview | undefined,
    standbys: readonly Standby[],
    slots: readonly ReplicationSlot[],
    instances: readonly ClusterInstance[],
    current: CurrentInstance | null,
    filter: string,
  ) => replicationItems(overview, standbys, slots, instances, current).filter((i) => matchesFilter(i, filter)),
);

function detail(item: ReplicationItem): [string, string][] {
  switch (item.kind) {
    case 'instance': {
      const i = item.instance;
      const s = item.standby;
      return [
        ['instance', `pod ${i.pod}, ${i.role ?? 'no cnpg.io/instanceRole label'}`],
        ['pod', `${i.phase}, ${i.ready ? 'Ready' : `not Ready${i.waiting ? ` (${i.waiting})` : ''}`}, ${i.restarts} restart(s), node ${i.node ?? '?'}`],
        [
          'streaming',
          s
            ? `${s.state ?? '?'} ${s.syncState ?? ''} from this server: replayed up to ${s.replayLsn ?? '–'}, ${bytes(s.replayLagBytes)} behind${s.replayLagSeconds !== null ? `, ${duration(s.replayLagSeconds)}` : ''}`
            : i.role === 'replica'
              ? item.current
                ? `this server: ${bytes(instanceLagBytes(item))} received and not replayed`
                : 'no walsender here under its name (application_name): its lag is seen from the primary'
              : 'the primary',
        ],
        ['pgtop', item.current ? `connected here${item.pinned ? ' (moved here: m on the primary row follows the primary again)' : ', following the primary'}` : 'm moves the dashboard here (its port-forward goes to this pod)'],
      ];
    }
    case 'standby': {
      const s = item.standby;
      return [
        ['standby', `${s.application || '–'} (walsender pid ${s.pid})`],
        ['client', `${s.clientAddr ?? 'local socket'}${s.clientHostname ? ` (${s.clientHostname})` : ''}${s.clientPort ? ` port ${s.clientPort}` : ''}`],
        ['state', `${s.state ?? '?'}, ${s.syncState ?? '?'}${s.connectedSeconds !== null ? `, connected for ${duration(s.connectedSeconds)}` : ''}`],
        ['sent / write / flush / replay', `${s.sentLsn ?? '–'} / ${s.writeLsn ?? '–'} / ${s.flushLsn ?? '–'} / ${s.replayLsn ?? '–'}`],
        ['behind', `${bytes(s.replayLagBytes)} not replayed (${bytes(s.sentLagBytes)} not yet sent)`],
        ['lag (time)', `write ${duration(s.writeLagSeconds) || '–'}, flush ${duration(s.flushLagSeconds) || '–'}, replay ${duration(s.replayLagSeconds) || '–'} (empty while caught up)`],
        ['feedback xmin', s.backendXmin ? `${s.backendXmin} (age ${s.backendXminAge ?? '?'}): hot_standby_feedback holds back vacuum here` : 'none'],
      ];
    }
    case 'slot': {
      const s = item.slot;
      return [
        ['slot', `${s.name} (${s.type}${s.temporary ? ', temporary' : ''})`],
        ['consumer', s.active ? `active, held by pid ${s.activePid ?? '?'}` : 'INACTIVE: nobody streams or decodes from it; D drops it'],
        ...(s.type === 'logical' ? ([['plugin', `${s.plugin ?? '?'} in database ${s.database ?? '?'}`]] as [string, string][]) : []),
        ['restart_lsn', `${s.restartLsn ?? '–'}${s.confirmedFlushLsn ? `  (confirmed_flush_lsn ${s.confirmedFlushLsn})` : ''}`],
        ['WAL kept', `${bytes(s.retainedBytes)} in pg_wal from restart_lsn on`],
        ['wal_status', `${s.walStatus ?? '–'}${s.safeWalBytes !== null ? `; ${bytes(s.safeWalBytes)} more may be written before it is lost` : '; no max_slot_wal_keep_size: it keeps WAL without limit'}`],
        ['holds back', [s.xmin ? `xmin ${s.xmin} (age ${s.xminAge ?? '?'})` : '', s.catalogXmin ? `catalog_xmin ${s.catalogXmin} (age ${s.catalogXminAge ?? '?'})` : ''].filter(Boolean).join(', ') || 'no xmin'],
      ];
    }
    case 'receiver':
    case 'replay': {
      const o = item.overview;
      return [
        ['WAL receiver', `${o.receiverStatus ?? 'not running'} from ${name({ kind: 'receiver', overview: o })}${o.receiverSlot ? ` through slot ${o.receiverSlot}` : ''}`],
        ['last message', o.receiverLastMessageSecondsAgo !== null ? `${duration(o.receiverLastMessageSecondsAgo)} ago` : '–'],
        ['received / replayed', `${o.receiveLsn ?? '–'} / ${o.replayLsn ?? '–'}`],
        ['behind', `${bytes(o.replayLagBytes)} received and not replayed`],
        ['last replayed commit', o.replayLagSeconds !== null ? `${duration(o.replayLagSeconds)} ago (grows while the primary is idle too)` : '–'],
        ['replay', o.replayPaused ? `${o.replayPauseState ?? 'paused'}: SELECT pg_wal_replay_resume() resumes it` : 'running'],
      ];
    }
    case 'archiving': {
      const o = item.overview;
      return [
        ['archive_mode', o.archiveMode],
        ['archived', `${o.archivedCount} file(s); last ${o.lastArchivedWal ?? '–'}${o.lastArchivedSecondsAgo !== null ? ` ${duration(o.lastArchivedSecondsAgo)} ago` : ''}`],
        ['failed', `${o.failedCount} time(s); last ${o.lastFailedWal ?? '–'}${o.lastFailedSecondsAgo !== null ? ` ${duration(o.lastFailedSecondsAgo)} ago` : ''}`],
        ['waiting', `${o.archiveReady} file(s) in pg_wal/archive_status (.ready): pg_wal keeps them until archived`],
        ['now', archivingFails(o) ? 'FAILING: the last attempt failed; the server log says why the archive_command fails' : 'ok'],
      ];
    }
    case 'pg_wal': {
      const o = item.overview;
      return [
        ['pg_wal', `${bytes(o.walBytes)} in ${o.walFiles} file(s) (pg_ls_waldir)`],
        ['current LSN', o.currentLsn ?? '–'],
        ['what keeps it', 'max_wal_size and wal_keep_size, replication slots (their WAL kept above) and archiving not done'],
      ];
    }
  }
}

function json(item: ReplicationItem): unknown {
  switch (item.kind) {
    case 'instance': {
      const i = item.instance;
      return {
        kind: 'instance',
        ...i,
        current: item.current,
        pinned: item.pinned,
        standbyState: item.standby?.state ?? null,
        syncState: item.standby?.syncState ?? null,
        replayLsn: item.standby?.replayLsn ?? null,
        lagBytes: instanceLagBytes(item),
        lagSeconds: instanceLagSeconds(item),
      };
    }
    case 'standby':
      return { kind: 'standby', ...item.standby };
    case 'slot':
      return { kind: 'slot', ...item.slot };
    case 'receiver': {
      const o = item.overview;
      return { kind: 'receiver', status: o.receiverStatus, senderHost: o.senderHost, senderPort: o.senderPort, slot: o.receiverSlot, receivedLsn: o.receivedLsn, lastMessageSecondsAgo: o.receiverLastMessageSecondsAgo };
    }
    case 'replay': {
      const o = item.overview;
      return { kind: 'replay', receiveLsn: o.receiveLsn, replayLsn: o.replayLsn, lagBytes: o.replayLagBytes, lagSeconds: o.replayLagSeconds, paused: o.replayPaused, pauseState: o.replayPauseState };
    }
    case 'archiving': {
      const o = item.overview;
      return {
        kind: 'archiving',
        archiveMode: o.archiveMode,
        failing: archivingFails(o),
        archivedCount: o.archivedCount,
        lastArchivedWal: o.lastArchivedWal,
        lastArchivedSecondsAgo: o.lastArchivedSecondsAgo,
        failedCount: o.failedCount,
        lastFailedWal: o.lastFailedWal,
        lastFailedSecondsAgo: o.lastFailedSecondsAgo,
        readyFiles: o.archiveReady,
      };
    }
    case 'pg_wal': {
      const o = item.overview;
      return { kind: 'pg_wal', bytes: o.walBytes, files: o.walFiles, segmentBytes: o.walSegmentBytes, currentLsn: o.currentLsn };
    }
  }
}

export const replicationView: ScreenView<ReplicationItem> = {
  rows: (s: PgtopState) =>
    visibleItems(
      s.data.results.replicationOverview?.rows[0],
      s.data.results.replicationStandbys?.rows ?? NO_STANDBYS,
      s.data.results.replicationSlots?.rows ?? NO_SLOTS,
      s.data.results.clusterInstances?.rows ?? NO_INSTANCES,
      s.connection.instance,
      s.ui.filter.replication ?? '',
    ),
  rowKey: itemKey,
  columns: replicationColumns,
  actions: {
    dropSlot: (item) => (item?.kind === 'slot' ? actionRequest(dropReplicationSlot, item.slot) : null),
  },
  commands: {
    moveToInstance: (s) => moveToInstance(s),
  },
  detail,
  json,
  notice(s) {
    const o = s.data.results.replicationOverview?.rows[0];
    if (!o) return null;
    const here = s.connection.instance;
    // Where the dashboard is, first: a narrow terminal cuts the end.
    const on = here ? `on ${here.pinned ? 'the instance moved to' : 'the primary instance'} ${here.pod} (m moves); ` : '';
    if (o.inRecovery) return `${on}standby: receiver and replay first; WAL BEHIND is received and not replayed, kept by a slot, or waiting to be archived`;
    const standbys = s.data.results.replicationStandbys?.rows.length ?? 0;
    return `${on}primary: ${standbys} standby(s) streaming; WAL BEHIND is not yet replayed by a standby, kept by a slot, or waiting to be archived`;
  },
  emptyText: (s) => (s.ui.filter.replication ? `nothing matches "${s.ui.filter.replication}"` : 'no replication data yet'),
};

/**
 * `m` on an instance row: the dashboard moves to that pod (the Kubernetes
 * target pins its port-forward there); on the primary's row it follows the
 * primary again. Only the store changes here: ui.instancePin.
 */
function moveToInstance(s: PgtopState): { ui?: { instancePin: string | null }; status: string } {
  const rows = replicationView.rows(s);
  const row = rows[selectedRowIndex(s, 'replication', rows, itemKey)];
  if (row?.kind !== 'instance') return { status: 'm moves the dashboard to an instance: select an instance row (pgtop -k cluster/NAME lists them)' };
  const { pod, role } = row.instance;
  const follow = role === 'primary';
  const pin = follow ? null : pod;
  if (pin === s.ui.instancePin && (follow || s.connection.instance?.pod === pod)) {
    return { status: follow ? 'already following the primary' : `already on ${pod}` };
  }
  return {
    ui: { instancePin: pin },
    status: follow ? `following the primary again: reconnecting to ${pod}` : `moving to ${pod} (${role ?? 'instance'}): reconnecting`,
  };
}
