// A primary and a real streaming standby, with the replication incidents the
// replication screen and health must show: a physical slot nobody uses with
// WAL piled up behind it, the standby's own slot (active), a logical slot (test_decoding), an archive_command
// that fails, and replay paused on the standby with WAL received behind it.
// One pair per test file (it takes a few seconds); stop() removes both.
import pg from 'pg';

import { startLocalCluster, type LocalCluster } from '../../src/localcluster/cluster.js';
import { connected, waitFor } from './pg.js';

export interface ReplicationPair {
  primary: LocalCluster;
  standby: LocalCluster;
  /** The standby's application_name on the primary (its cluster_name). */
  standbyName: string;
  /** The physical slot the standby streams through: active. */
  standbySlot: string;
  /** The physical slot nobody streams from. */
  unusedSlot: string;
  /** The logical slot nobody decodes from. */
  logicalSlot: string;
  /** A connected superuser client on one of the two; the caller ends it. */
  client(on: 'primary' | 'standby', database?: string): Promise<pg.Client>;
  /** -h/-p/-U of one of the two for the built binary, and its password in the environment. */
  args(on: 'primary' | 'standby'): { args: string[]; env: Record<string, string> };
  /** Stops both servers and deletes their directories. */
  stop(): Promise<void>;
}

const PRIMARY_SETTINGS = {
  wal_level: 'logical', // a logical slot needs it
  max_wal_senders: '10',
  max_replication_slots: '10',
  archive_mode: 'on',
  archive_command: 'false', // every attempt fails: pg_stat_archiver counts them
  archive_timeout: '0',
};

const STANDBY_SLOT = 'standby_slot';

export async function startReplicationPair(): Promise<ReplicationPair> {
  const primary = await startLocalCluster({ settings: PRIMARY_SETTINGS });
  let standby: LocalCluster | undefined;
  const clientOf = (cluster: LocalCluster, database = 'postgres') =>
    connected(new pg.Client({ host: cluster.host, port: cluster.port, user: cluster.user, password: cluster.password, database, application_name: 'pgtop-test' }));
  const stop = async () => {
    await standby?.stop();
    await primary.stop();
  };
  const standbyName = 'pgtop_standby';
  try {
    standby = await startLocalCluster({
      standbyOf: { ...primary, slot: STANDBY_SLOT },
      // cluster_name is the walreceiver's application_name on the primary.
      settings: { hot_standby_feedback: 'on', cluster_name: standbyName },
    });
    const onPrimary = await clientOf(primary);
    const onStandby = await clientOf(standby);
    try {
      await waitFor(
        async () => (await onPrimary.query("SELECT 1 FROM pg_stat_replication WHERE application_name = $1 AND state = 'streaming'", [standbyName])).rowCount === 1,
        { what: 'the standby to stream', timeoutMs: 60_000 },
      );
      await onPrimary.query("SELECT pg_create_physical_replication_slot('unused', true)");
      await onPrimary.query("SELECT pg_create_logical_replication_slot('decoder', 'test_decoding')");
      await onPrimary.query('CREATE TABLE filler (id serial PRIMARY KEY, pad text)');
      // Each switch after a write starts a new 16 MB segment: the unused slot holds them all.
      for (let i = 0; i < 3; i++) {
        await onPrimary.query("INSERT INTO filler (pad) SELECT repeat('x', 500) FROM generate_series(1, 200)");
        await onPrimary.query('SELECT pg_switch_wal()');
      }
      await waitFor(async () => (await onPrimary.query<{ n: number }>('SELECT failed_count::int AS n FROM pg_stat_archiver')).rows[0]!.n > 0, {
        what: 'the archiver to fail',
        timeoutMs: 60_000,
      });

      // Everything so far replayed first (the filler table must exist there), then replay paused
      // on the standby, then WAL written that it receives and does not apply.
      const { caughtUp } = (await onPrimary.query<{ caughtUp: string }>('SELECT pg_current_wal_insert_lsn()::text AS "caughtUp"')).rows[0]!;
      await waitFor(async () => (await onStandby.query<{ ok: boolean }>('SELECT pg_last_wal_replay_lsn() >= $1::pg_lsn AS ok', [caughtUp])).rows[0]!.ok, {
        what: 'the standby to replay what was written so far',
        timeoutMs: 60_000,
      });
      await onStandby.query('SELECT pg_wal_replay_pause()');
      await waitFor(async () => (await onStandby.query<{ p: boolean }>('SELECT pg_is_wal_replay_paused() AS p')).rows[0]!.p, { what: 'replay to pause' });
      await onPrimary.query("INSERT INTO filler (pad) SELECT repeat('y', 500) FROM generate_series(1, 2000)");
      // The insert position: with synchronous_commit off the write position can still be behind the inserts.
      const { lsn } = (await onPrimary.query<{ lsn: string }>('SELECT pg_current_wal_insert_lsn()::text AS lsn')).rows[0]!;
      await waitFor(
        async () =>
          (
            await onStandby.query<{ ok: boolean }>(
              'SELECT pg_last_wal_receive_lsn() >= $1::pg_lsn AND pg_last_wal_replay_lsn() < $1::pg_lsn AS ok',
              [lsn],
            )
          ).rows[0]!.ok,
        { what: 'the standby to receive WAL it does not replay', timeoutMs: 60_000 },
      );
    } finally {
      await onPrimary.end();
      await onStandby.end();
    }
  } catch (error) {
    await stop();
    throw error;
  }

  const servers = { primary, standby };
  return {
    primary,
    standby,
    standbyName,
    standbySlot: STANDBY_SLOT,
    unusedSlot: 'unused',
    logicalSlot: 'decoder',
    client: (on, database) => clientOf(servers[on], database),
    args: (on) => ({
      args: ['-h', servers[on].host, '-p', String(servers[on].port), '-U', servers[on].user],
      env: { PGPASSWORD: servers[on].password },
    }),
    stop,
  };
}
