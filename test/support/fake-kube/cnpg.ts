// A CloudNativePG-like cluster in the fake API server, over real servers:
// three bare pods labelled cnpg.io/cluster=NAME and cnpg.io/instanceRole, as
// CloudNativePG makes them. NAME-1 is the primary and forwards to a real
// primary; NAME-2 and NAME-3 are replicas, each forwarding to its own real
// streaming standby whose cluster_name (its application_name on the primary)
// is the pod's name, as CloudNativePG sets it. NAME-3's replay is paused with
// WAL received behind it, so it lags; NAME-2 is caught up. Each pod on its own
// node; NAME-3 has restarted twice.
import pg from 'pg';
import { startLocalCluster, type LocalCluster } from '../../../src/localcluster/cluster.js';
import { connected, waitFor } from '../pg.js';
import { postgresTemplate, startFakeCluster, type FakeCluster } from './index.js';

export interface CnpgCluster {
  fake: FakeCluster;
  namespace: string;
  name: string;
  /** The pods, primary first: NAME-1, NAME-2, NAME-3. */
  pods: [string, string, string];
  primary: LocalCluster;
  /** The standbys behind NAME-2 and NAME-3. */
  standbys: [LocalCluster, LocalCluster];
  /** A connected superuser client on the server behind a pod; the caller ends it. */
  client(pod: string): Promise<pg.Client>;
  stop(): Promise<void>;
}

export async function startCnpgCluster({ name = 'pg', namespace = 'cnpg' } = {}): Promise<CnpgCluster> {
  const pods: [string, string, string] = [`${name}-1`, `${name}-2`, `${name}-3`];
  const started: LocalCluster[] = [];
  let fake: FakeCluster | undefined;
  const stop = async () => {
    await fake?.stop();
    for (const server of started.reverse()) await server.stop();
  };
  try {
    const primary = await startLocalCluster();
    started.push(primary);
    const standbys: LocalCluster[] = [];
    for (const pod of pods.slice(1)) {
      // cluster_name is the walreceiver's application_name on the primary: the pod's name, as with CloudNativePG.
      const standby = await startLocalCluster({ standbyOf: primary, settings: { cluster_name: pod, hot_standby_feedback: 'on' } });
      started.push(standby);
      standbys.push(standby);
    }
    const servers = new Map<string, LocalCluster>([
      [pods[0], primary],
      [pods[1], standbys[0]!],
      [pods[2], standbys[1]!],
    ]);
    const client = (pod: string) => {
      const server = servers.get(pod)!;
      return connected(new pg.Client({ host: server.host, port: server.port, user: server.user, password: server.password, database: 'postgres', application_name: 'pgtop-test' }));
    };

    const onPrimary = await client(pods[0]);
    const lagging = await client(pods[2]);
    try {
      await waitFor(
        async () => (await onPrimary.query("SELECT count(*)::int AS n FROM pg_stat_replication WHERE application_name = ANY($1) AND state = 'streaming'", [pods.slice(1)])).rows[0].n === 2,
        { what: 'both standbys to stream', timeoutMs: 30_000 },
      );
      // NAME-3 lags: its replay paused, then WAL it receives and does not apply.
      await lagging.query('SELECT pg_wal_replay_pause()');
      await waitFor(async () => (await lagging.query<{ p: boolean }>('SELECT pg_is_wal_replay_paused() AS p')).rows[0]!.p, { what: 'replay to pause' });
      await onPrimary.query("CREATE TABLE filler AS SELECT i, repeat('x', 200) AS pad FROM generate_series(1, 5000) AS i");
      const { lsn } = (await onPrimary.query<{ lsn: string }>('SELECT pg_current_wal_lsn()::text AS lsn')).rows[0]!;
      await waitFor(
        async () =>
          (await onPrimary.query<{ ok: boolean }>('SELECT bool_and(replay_lsn >= $1::pg_lsn) AS ok FROM pg_stat_replication WHERE application_name = $2', [lsn, pods[1]])).rows[0]!.ok,
        { what: `${pods[1]} to replay everything`, timeoutMs: 20_000 },
      );
      await waitFor(
        async () => (await lagging.query<{ ok: boolean }>('SELECT pg_last_wal_receive_lsn() >= $1::pg_lsn AS ok', [lsn])).rows[0]!.ok,
        { what: `${pods[2]} to receive the WAL it does not replay`, timeoutMs: 20_000 },
      );
    } finally {
      await onPrimary.end();
      await lagging.end();
    }

    fake = await startFakeCluster({ namespace });
    for (const [i, pod] of pods.entries()) {
      const role = i === 0 ? 'primary' : 'replica';
      const labels = { 'cnpg.io/cluster': name, 'cnpg.io/instanceRole': role, role, 'cnpg.io/podRole': 'instance' };
      fake.kube.addPod(namespace, pod, { ...postgresTemplate(servers.get(pod)!, labels), node: `node-${String.fromCharCode(97 + i)}` });
    }
    fake.kube.pod(namespace, pods[2])!.containers[0]!.restarts = 2;
    return { fake, namespace, name, pods, primary, standbys: [standbys[0]!, standbys[1]!], client, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
