// The replication screen's CloudNativePG instances, without I/O: the rows
// (primary first, each replica's lag from the standby streaming under its pod
// name, where pgtop is) and what `m` asks of the store on each kind of row.
import { describe, expect, it } from 'vitest';
import { replicationView, type ReplicationItem } from '../../screens/replication/view.js';
import type { ClusterInstance } from '../../src/model/instances.js';
import type { Standby } from '../../src/model/replication.js';
import { createPgtopStore, type PgtopState } from '../../src/store/store.js';

const instance = (pod: string, role: ClusterInstance['role'], extra: Partial<ClusterInstance> = {}): ClusterInstance => ({
  pod, role, ready: true, phase: 'Running', restarts: 0, node: `node-${pod}`, waiting: null, ...extra,
});

const standby = (application: string, replayLagBytes: number): Standby => ({
  pid: 100 + replayLagBytes, application, clientAddr: '10.0.0.2', clientHostname: null, clientPort: 5000, state: 'streaming', syncState: 'async',
  sentLsn: '0/3000000', writeLsn: '0/3000000', flushLsn: '0/3000000', replayLsn: '0/2000000', replayLagBytes, sentLagBytes: 0,
  writeLagSeconds: null, flushLagSeconds: null, replayLagSeconds: null, backendXmin: null, backendXminAge: null, connectedSeconds: 60,
});

function stateWith(instances: ClusterInstance[], standbys: Standby[], cursor: number, pin: string | null = null): PgtopState {
  return createPgtopStore({ screen: 'replication' }, (s) => {
    s.connection.instance = { pod: pin ?? 'pg-1', pinned: pin !== null };
    s.ui.instancePin = pin;
    s.ui.cursor.replication = { key: null, index: cursor };
    s.data.results.clusterInstances = { rows: instances, updatedAt: 1, error: null, disabled: null };
    s.data.results.replicationStandbys = { rows: standbys, updatedAt: 1, error: null, disabled: null };
  }).getState();
}

const cluster = [instance('pg-3', 'replica', { ready: false, phase: 'Running', restarts: 4, waiting: 'CrashLoopBackOff' }), instance('pg-1', 'primary'), instance('pg-2', 'replica')];

describe('the replication screen with a CloudNativePG cluster', () => {
  it('lists the instances first, primary then replicas, each replica with the lag of the standby streaming under its name', () => {
    const rows = replicationView.rows(stateWith(cluster, [standby('pg-2', 4096), standby('pg-9', 1)], 0));
    const instances = rows.filter((r): r is Extract<ReplicationItem, { kind: 'instance' }> => r.kind === 'instance');
    expect(instances.map((r) => [r.instance.pod, r.current, r.standby?.replayLagBytes ?? null])).toEqual([
      ['pg-1', true, null],
      ['pg-2', false, 4096],
      ['pg-3', false, null],
    ]);
    expect(rows.slice(0, 3).every((r) => r.kind === 'instance')).toBe(true);
    const text = (row: ReplicationItem) => replicationView.columns.map((c) => c.text(row, { ownPids: new Set() })).join(' | ');
    expect(text(rows[0]!)).toMatch(/^▶primary \| pg-1 \| Ready \|/);
    expect(text(rows[2]!)).toMatch(/^ replica \| pg-3 \| CrashLoopBackOff \|.*restarts 4 {2}phase Running {2}no walsender under its name here$/);
    expect(replicationView.json!(rows[1]!, { ownPids: new Set() })).toMatchObject({ kind: 'instance', pod: 'pg-2', role: 'replica', lagBytes: 4096, standbyState: 'streaming' });
  });

  it('m on a replica pins it, m on the primary follows the primary again, m elsewhere says what it is for', () => {
    const move = replicationView.commands!.moveToInstance!;
    expect(move(stateWith(cluster, [], 1))).toEqual({ ui: { instancePin: 'pg-2' }, status: 'moving to pg-2 (replica): reconnecting' });
    expect(move(stateWith(cluster, [], 0, 'pg-2'))).toEqual({ ui: { instancePin: null }, status: 'following the primary again: reconnecting to pg-1' });
    expect(move(stateWith(cluster, [], 0))).toEqual({ status: 'already following the primary' });
    expect(move(stateWith([], [standby('pg-2', 0)], 0))).toEqual({
      status: 'm moves the dashboard to an instance: select an instance row (pgtop -k cluster/NAME lists them)',
    });
  });
});
