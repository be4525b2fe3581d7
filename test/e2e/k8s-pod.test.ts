// Issue 13's pod scenarios on the built binary, against the fake API server
// and the real throwaway PostgreSQL: in a terminal (tmux), `pgtop -k
// deployment/postgres` while the container is OOM-killed and restarted
// under it — the header says `restarts 1, last OOMKilled …` in time, and the
// pod screen (:pod) lists the OOMKilling event and the container's last
// state; and `--once --screen pod` on a cluster without metrics-server says
// where the usage came from (the container's cgroup: the metrics API is absent).
import { afterEach, describe, expect, it } from 'vitest';
import { BIN, cleanEnv, runPgtop } from '../support/binary.js';
import { saveCapture } from '../support/captures.js';
import { postgresTemplate, startFakeCluster, type FakeCluster } from '../support/fake-kube/index.js';
import { pgInfo } from '../support/pg.js';
import { startTmux, type TmuxSession } from '../support/tmux.js';

const NS = 'development';
let session: TmuxSession | undefined;
let fake: FakeCluster | undefined;
afterEach(async () => {
  await session?.kill();
  session = undefined;
  await fake?.stop();
  fake = undefined;
});

async function fakeWithPod(): Promise<FakeCluster> {
  const cluster = await startFakeCluster();
  cluster.kube.addPvc(NS, 'pgdata-postgres', { capacity: '10Gi', storageClassName: 'local-path' });
  cluster.kube.addDeployment(NS, 'postgres', {
    ...postgresTemplate(pgInfo()),
    claims: { pgdata: 'pgdata-postgres' },
    resources: { requests: { cpu: '250m', memory: '256Mi' }, limits: { cpu: '1', memory: '1Gi' } },
  });
  return cluster;
}

describe('pgtop -k and the pod', () => {
  it('a container OOM-killed under the dashboard: the header says it, the pod screen lists the event and the last state', async () => {
    fake = await fakeWithPod();
    const info = pgInfo();
    const pod = fake.kube.livePod(NS, 'postgres')!.name;
    fake.kube.setUsage(NS, pod, { cpu: '120m', memory: '200Mi' });
    session = await startTmux({
      command: [process.execPath, BIN, '--kubeconfig', fake.kubeconfig, '-i', '1', '-k', 'deployment/postgres', '-n', NS],
      env: { ...(cleanEnv() as Record<string, string>), TERM: 'xterm-256color', PGPASSWORD: info.password },
      cols: 160,
      rows: 30,
    });
    await session.waitForText(/restarts 0 {2}mem 200 MB\/1\.0 GB {2}cpu 0\.12\/1/, 15_000);

    fake.kube.addEvent(NS, { kind: 'Pod', name: pod }, { reason: 'OOMKilling', message: 'Memory cgroup out of memory: Killed process 4242 (postgres)' });
    fake.kube.restartContainer(NS, pod);
    const restartedAt = Date.now();
    // Through the watch: no refresh interval to wait for (the restart also drops the forward: pgtop reconnects).
    await session.waitForText(/restarts 1, last OOMKilled \d+s ago/, 5_000);
    expect(Date.now() - restartedAt).toBeLessThan(5_000);

    await session.sendText(':pod');
    await session.sendKey('Enter');
    const screen = await session.waitForText(/event W\s+OOMKilling/, 10_000);
    expect(screen).toMatch(new RegExp(`pod\\s+${pod}\\s+Running Ready\\s+node fake-node · age \\d+s · QoS Burstable · restarts 1, last OOMKilled`));
    expect(screen).toMatch(/container\s+postgres\s+running ↻1\s+postgres:15 · last OOMKilled \(exit 137\) \d+s ago/);
    expect(screen).toMatch(/volume\s+pgdata-postgres\s+Bound\s+the data volume · volume pgdata/);
    expect(screen).toMatch(/event W\s+OOMKilling\s+×1 \d+s ago\s+pod\/\S+: Memory cgroup out of memory/);
    // Warnings first: the OOMKilling row is the first event row.
    expect(screen.split('\n').find((l) => l.startsWith('event'))).toMatch(/OOMKilling/);
    // For docs/screens.md (npm run docs:captures): the pod screen after the OOM restart, at a common size.
    await saveCapture(session, 'pod', { size: { cols: 120, rows: 24 }, waitFor: /event W\s+OOMKilling/ });
    await session.sendText('q');
    expect(await session.waitForExit(5_000)).toBe(0);
  });

  it("--once --screen pod says which source the usage came from: the metrics API, or the container's cgroup without it", async () => {
    fake = await fakeWithPod();
    const info = pgInfo();
    const pod = fake.kube.livePod(NS, 'postgres')!.name;
    fake.kube.setUsage(NS, pod, { cpu: '120m', memory: '200Mi' });
    const args = ['--kubeconfig', fake.kubeconfig, '-k', 'deployment/postgres', '-n', NS, '--once', '--screen', 'pod'];
    const env = { PGPASSWORD: info.password, COLUMNS: '200' };

    const served = await runPgtop(args, env);
    expect(served.stderr).toBe('');
    expect(served.code).toBe(0);
    expect(served.stdout).toMatch(/usage\s+metrics API\s+mem 20%\s+memory 200 MB \/ 1\.0 GB · cpu 120m \/ 1 · limits from pod spec/);
    expect(served.stdout).toContain('usage from metrics API · u: du -sh');

    fake.kube.metricsApi = false;
    const absent = await runPgtop([...args, '--json'], env);
    expect(absent.stderr).toBe('');
    expect(absent.code).toBe(0);
    const rows = (JSON.parse(absent.stdout) as { rows: { kind: string; source?: string | null; metricsApi?: string }[] }).rows;
    const usage = rows.find((r) => r.kind === 'usage')!;
    // The exec sampler's reading of the container's cgroup stands in (this machine's is v1).
    expect(usage.source).toBe('cgroup v1');
    expect(usage.metricsApi).toBe('no metrics API in this cluster (metrics.k8s.io is not served: no metrics-server)');
    const text = await runPgtop(args, env);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/usage\s+cgroup v1\s+mem \d+%\s+memory [\d.]+ [kMG]?B \/ 1\.0 GB · cpu \S+ \/ 1 · (throttled \d+% · )?limits from pod spec · no metrics API in this cluster/);
    expect(text.stdout).toContain('usage from cgroup v1 (no metrics API in this cluster');
  });
});
