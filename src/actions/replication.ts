// Dropping an inactive replication slot: the way out when a slot nobody uses
// keeps WAL until the disk fills. The confirmation says how much WAL it
// frees and that the slot's consumer cannot resume from it afterwards. An
// active slot is refused (the server would refuse it too, after the
// confirmation). The name is a bound parameter; the statement shown quotes it.
import { bytes } from '../format/size.js';
import type { ReplicationSlot } from '../model/replication.js';
import { quoteLiteral } from '../sql/quote.js';
import type { ActionSpec } from './action.js';

function statement(slot: ReplicationSlot): string {
  return `SELECT pg_drop_replication_slot(${quoteLiteral(slot.name)});`;
}

function kindText(slot: ReplicationSlot): string {
  return slot.type === 'logical' ? `logical slot (${slot.plugin ?? '?'} in database ${slot.database ?? '?'})` : 'physical slot';
}

export const dropReplicationSlot: ActionSpec<ReplicationSlot> = {
  id: 'dropReplicationSlot',
  // Irreversible, and its consumer must start over: the slot's name is typed.
  danger: 'typed',
  // A standby's own slots (cascading replication) are dropped there.
  runsOnStandby: true,
  title: (s) => `Drop replication slot ${s.name}, freeing ${bytes(s.retainedBytes ?? 0)} of WAL?`,
  sql: statement,
  details: (s) => [
    `slot         ${s.name}: ${kindText(s)}, inactive`,
    `restart_lsn  ${s.restartLsn ?? '–'}   wal_status ${s.walStatus ?? '–'}`,
    `frees        ${bytes(s.retainedBytes ?? 0)} of WAL it keeps in pg_wal (removed at the next checkpoint)`,
    ...(s.xmin || s.catalogXmin ? [`releases     ${[s.xmin ? `xmin ${s.xmin}` : '', s.catalogXmin ? `catalog_xmin ${s.catalogXmin}` : ''].filter(Boolean).join(', ')}: vacuum may remove what it held back`] : []),
    s.type === 'logical'
      ? 'Its consumer (a subscription, a CDC tool) can no longer resume: it must be re-synced from a fresh copy of the data.'
      : 'The standby that used it can no longer resume from it: once the WAL is gone it must be re-synced with a new base backup.',
  ],
  typeToConfirm: (s) => s.name,
  refuse: (s) =>
    s.active
      ? `slot ${s.name} is active${s.activePid !== null ? ` (held by pid ${s.activePid})` : ''}: its consumer is using it; stop the consumer first, only an inactive slot can be dropped`
      : null,
  async run(context, s) {
    const client = await context.client();
    await client.query('SELECT pg_drop_replication_slot($1)', [s.name]);
    return `dropped replication slot ${s.name}: ${bytes(s.retainedBytes ?? 0)} of WAL freed at the next checkpoint`;
  },
};
