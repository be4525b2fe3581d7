// A CloudNativePG cluster (-k cluster/NAME) on the replication screen, with
// three instance pods in the fake API server over a real primary and two real
// standbys (test/support/fake-kube/cnpg.ts): kubectl sees them as CNPG makes
// them; the built binary's --once --json lists every instance with its role,
// readiness, node, restarts and lag; in a terminal `m` moves the dashboard to
// a replica (the header names it and says standby, `v` is refused there) and
// back to the primary. In process: RBAC refusing the pod list is said on the
// screen, and a pinned pod that dies is said, never replaced by the primary.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DashboardScheduler } from '../../src/cli/dashboard-scheduler.js';
import { openConnection } from '../../src/db/connection.js';
import { createPgtopStore, setUi } from '../../src/store/store.js';
import { openK8sTarget } from '../../src/target/kubernetes.js';
import { screenFailures } from '../../screens/definition.js';
import { replicationScreen } from '../../screens/replication/index.js';
import { BIN, cleanEnv, runPgtop } from '../support/binary.js';
import { startCnpgCluster, type CnpgCluster } from '../support/fake-kube/cnpg.js';
import { kubectl } from '../support/fake-kube/index.js';
import { waitFor } from '../support/pg.js';
import { startTmux, type TmuxSession } from '../support/tmux.js';

let cnpg: CnpgCluster;
let cache: string;
let session: TmuxSession | undefined;
beforeAll(async () => {
  cnpg = await startCnpgCluster({ name: 'pg', namespace: 'cnpg' });
  cache = mkdtempSync(join(tmpdir(), 'kubectl-cache-'));
}, 120_000);
afterEach(async () => {
  await session?.kill();
  session = undefined;
});
afterAll(async () => {
  await cnpg?.stop();
  if (cache) rmSync(cache, { recursive: true, force: true });
});

function pgtopArgs(): { args: string[]; env: Record<string, string> } {
  return {
    args: ['--kubeconfig', cnpg.fake.kubeconfig, '-k', `cluster/${cnpg.name}`, '-n', cnpg.namespace],
    env: { PGPASSWORD: cnpg.primary.password },
  };
}

type Row = Record<string, unknown> & { kind: string };

describe('a three-instance CloudNativePG cluster in the fake API server', () => {
  it('kubectl lists its instance pods by the cnpg.io/cluster label, with their roles, nodes and restarts', async () => {
    const wide = await kubectl(cnpg.fake.kubeconfig, cache, ['get', 'pods', '-l', `cnpg.io/cluster=${cnpg.name}`, '-o', 'wide']);
    expect(wide.stderr).toBe('');
    const lines = wide.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\s+IP\s+NODE\b/);
    expect(lines.slice(1).map((l) => l.split(/\s+/).filter((_, i) => [0, 1, 2, 3, 6].includes(i)))).toEqual([
      ['pg-1', '1/1', 'Running', '0', 'node-a'],
      ['pg-2', '1/1', 'Running', '0', 'node-b'],
      ['pg-3', '1/1', 'Running', '2', 'node-c'],
    ]);
    const roles = await kubectl(cnpg.fake.kubeconfig, cache, ['get', 'pods', '-l', `cnpg.io/cluster=${cnpg.name},cnpg.io/instanceRole=replica`, '-o', 'name']);
    expect(roles.stdout.trim().split('\n')).toEqual(['pod/pg-2', 'pod/pg-3']);
  });
});

describe('--once --json --screen replication -k cluster/NAME', () => {
  it('lists the three instances with their roles, readiness, node, restarts and lag (the standby streaming under each pod name)', async () => {
    const { args, env } = pgtopArgs();
    const run = await runPgtop([...args, '--once', '--json', '--screen', 'replication'], env);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const doc = JSON.parse(run.stdout) as { server: Record<string, unknown>; rows: Row[]; error: unknown };
    expect(doc.server).toMatchObject({ role: 'primary' });
    const instances = doc.rows.filter((r) => r.kind === 'instance');
    expect(instances.map((i) => [i.pod, i.role, i.ready, i.phase, i.node, i.restarts, i.current])).toEqual([
      ['pg-1', 'primary', true, 'Running', 'node-a', 0, true],
      ['pg-2', 'replica', true, 'Running', 'node-b', 0, false],
      ['pg-3', 'replica', true, 'Running', 'node-c', 2, false],
    ]);
    // The primary has no lag of its own; pg-2 has replayed everything, pg-3's replay is paused behind.
    expect(instances[0]).toMatchObject({ lagBytes: null, standbyState: null });
    expect(instances[1]).toMatchObject({ lagBytes: 0, standbyState: 'streaming', syncState: 'async' });
    expect(instances[2]!.lagBytes as number).toBeGreaterThan(0);
    expect(instances[2]).toMatchObject({ standbyState: 'streaming' });
    // The instances come first; the standbys pg_stat_replication lists follow, as before.
    expect(doc.rows.findIndex((r) => r.kind !== 'instance')).toBe(3);
    expect(doc.rows.filter((r) => r.kind === 'standby').map((r) => r.application).sort()).toEqual(['pg-2', 'pg-3']);
  });

  it('the text names each instance with its role and the primary as where pgtop is', async () => {
    const { args, env } = pgtopArgs();
    const run = await runPgtop([...args, '--once', '--screen', 'replication'], env);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/▶primary\s+pg-1\s+Ready/);
    expect(run.stdout).toMatch(/ replica\s+pg-3\s+Ready streaming\s+\S+\s+\d+(\.\d)? [kM]B/);
    expect(run.stdout).toContain('on the primary instance pg-1 (m moves)');
  });
});

describe('m in a terminal', () => {
  it('moves the dashboard to a replica (the header names the pod and says standby, v is refused there) and back to the primary', async () => {
    const { args, env } = pgtopArgs();
    session = await startTmux({
      command: [process.execPath, BIN, ...args, '-i', '0.5', '--screen', 'replication'],
      env: { ...(cleanEnv() as Record<string, string>), TERM: 'xterm-256color', ...env },
      cols: 160,
      rows: 32,
    });
    await session.waitForText(/k8s cnpg\/cluster\/pg → pod\/pg-1 :5432 \(primary \(cnpg\.io\/instanceRole\) of 3 Ready\) connected/, 15_000);
    await session.waitForText(/▶primary\s+pg-1/);
    await session.waitForText(/replica\s+pg-3\s+Ready streaming/);
    // The cursor starts on pg-1; one down is pg-2.
    await session.sendText('j');
    await session.sendText('m');
    let screen = await session.waitForText(/k8s cnpg\/cluster\/pg → pod\/pg-2 :5432 \(pinned replica\) connected/, 15_000);
    screen = await session.waitForText(/\(standby\)[\s\S]*▶replica\s+pg-2/, 10_000);
    expect(screen).toContain('pgtop is here (moved');
    expect(screen).not.toContain('(primary)');

    // Every screen shows that instance now: the bloat screen's v is refused on a standby.
    await session.sendText(':bloat');
    await session.sendKey('Enter');
    await session.waitForText(/filler/);
    await session.sendText('/filler');
    await session.sendKey('Enter');
    await session.sendText('v');
    screen = await session.waitForText('refused: standby (in recovery, read-only): VACUUM (ANALYZE) public.filler runs on the primary only');
    expect(screen).not.toContain('will run');

    // Back: m on the primary's row.
    await session.sendKey('Escape');
    await session.sendText(':replication');
    await session.sendKey('Enter');
    await session.sendText('g');
    await session.sendText('m');
    await session.waitForText(/k8s cnpg\/cluster\/pg → pod\/pg-1 :5432 \(primary \(cnpg\.io\/instanceRole\) of 3 Ready\) connected/, 15_000);
    screen = await session.waitForText(/\(primary\)[\s\S]*▶primary\s+pg-1/, 10_000);
    expect(screen).not.toContain('pinned');
    await session.sendText('q');
    expect(await session.waitForExit(5_000)).toBe(0);
  });
});

describe('in process: what goes wrong is said', () => {
  it('RBAC refusing to list the pods is said where the instances would be, and the rest of the screen stays', async () => {
    const env = { KUBECONFIG: cnpg.fake.kubeconfig, PGPASSWORD: cnpg.primary.password };
    const target = await openK8sTarget({ target: { kind: 'cluster', name: cnpg.name }, namespace: cnpg.namespace, remotePort: 5432 }, {}, env);
    const store = createPgtopStore({ target: target.label, screen: 'replication' });
    target.attach(store);
    // Connected first (resolving lists the pods too); then the Role loses "list pods".
    cnpg.fake.kube.forbid('list', 'pods');
    const scheduler = new DashboardScheduler({ store, connect: () => openConnection(target.connection, { purpose: 'monitor' }), cluster: target.cnpgCluster });
    try {
      await scheduler.refresh();
      const failures = screenFailures(store.getState(), replicationScreen);
      expect(failures.map((f) => f.text)).toEqual([
        // A 403 at run time says what the permission review would have said.
        'CloudNativePG instances: needs list pods in cnpg',
      ]);
      expect(store.getState().data.results.replicationStandbys?.rows.map((s) => s.application).sort()).toEqual(['pg-2', 'pg-3']);
    } finally {
      cnpg.fake.kube.allow('list', 'pods');
      await scheduler.stop();
      await target.close();
    }
  });

  it('a pinned replica that dies is said, not silently replaced by the primary', async () => {
    const env = { KUBECONFIG: cnpg.fake.kubeconfig, PGPASSWORD: cnpg.primary.password };
    const target = await openK8sTarget({ target: { kind: 'cluster', name: cnpg.name }, namespace: cnpg.namespace, remotePort: 5432 }, {}, env, {
      holdMs: 500,
      retryMs: { first: 50, max: 100 },
    });
    const store = createPgtopStore({ target: target.label, screen: 'replication' });
    target.attach(store);
    const connect = async () => {
      const client = new pg.Client({ host: '127.0.0.1', port: target.connection.port, user: 'postgres', password: cnpg.primary.password, database: 'postgres' });
      client.on('error', () => undefined);
      await client.connect();
      try {
        return (await client.query<{ name: string }>("SELECT current_setting('cluster_name') AS name")).rows[0]!.name;
      } finally {
        await client.end();
      }
    };
    try {
      setUi(store, { instancePin: 'pg-3' });
      expect(await connect()).toBe('pg-3');
      expect(store.getState().connection).toMatchObject({ instance: { pod: 'pg-3', pinned: true } });
      expect(store.getState().connection.target).toBe('k8s cnpg/cluster/pg → pod/pg-3 :5432 (pinned replica)');

      cnpg.fake.kube.killPod(cnpg.namespace, 'pg-3');
      await waitFor(async () => !cnpg.fake.kube.pod(cnpg.namespace, 'pg-3'), { what: 'pg-3 to be gone' });
      target.forwarder.invalidate();
      await expect(connect()).rejects.toThrow();
      expect(target.forwarder.lastFailure?.error.message).toBe('pod pg-3, where the dashboard was moved, is gone from namespace "cnpg"; pgtop stays on it: move back to the primary to go on');
      expect(target.forwarder.pod?.name).toBe('pg-3');

      // Back to the primary: the pin is dropped and the forward follows the label again.
      setUi(store, { instancePin: null });
      expect(await connect()).toBe('');
      await waitFor(async () => store.getState().connection.instance?.pod === 'pg-1', { what: 'the store to say pg-1' });
      expect(store.getState().connection.instance).toEqual({ pod: 'pg-1', pinned: false });
    } finally {
      await target.close();
      // pg-3 again, for the tests after this one.
      cnpg.fake.kube.addPod(cnpg.namespace, 'pg-3', {
        labels: { 'cnpg.io/cluster': cnpg.name, 'cnpg.io/instanceRole': 'replica', role: 'replica' },
        ports: { 5432: { host: cnpg.standbys[1].host, port: cnpg.standbys[1].port } },
        node: 'node-c',
      });
    }
  });
});
