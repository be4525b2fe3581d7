// Issue 13's volume and no-metrics scenarios on the built binary in tmux,
// against the fake API server with its metrics API switched off (no
// metrics-server) and the pod's PGDATA on a 64 MB tmpfs: the header's pod
// line has memory and CPU from the sampler's cgroup figures (cgroup v1 on
// this machine) and the data volume's %, `:pod` says the usage came from the
// cgroup; a file grown in the tmpfs while pgtop runs makes the filesystem
// row's "full in ~" projection appear and the header's data % rise, in the
// warning colour past 85 %.
import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, cleanEnv } from '../support/binary.js';
import { saveCapture } from '../support/captures.js';
import { postgresTemplate, startFakeCluster, type FakeCluster } from '../support/fake-kube/index.js';
import { mountTmpfs, type Mounted } from '../support/mounts.js';
import { pgInfo } from '../support/pg.js';
import { startTmux, type TmuxSession } from '../support/tmux.js';

const NS = 'development';
const MB = 1024 * 1024;
let session: TmuxSession | undefined;
let fake: FakeCluster | undefined;
let volume: Mounted | null = null;
let parent = '';

beforeAll(() => {
  parent = mkdtempSync(join(tmpdir(), 'pgtop-pv-'));
  volume = mountTmpfs(join(parent, 'data'), '64m');
  if (!volume) throw new Error('mounting a tmpfs needs root: this scenario runs as root (as CI does)');
});
afterAll(async () => {
  await session?.kill();
  await fake?.stop();
  volume?.unmount();
  rmSync(parent, { recursive: true, force: true });
});

/** The header's pod line: the 4th line of the screen. */
const podLine = (screen: string) => screen.split('\n')[3] ?? '';
const dataPercent = (screen: string) => Number(/data (\d+)% used/.exec(podLine(screen))?.[1] ?? NaN);

describe('the pod without metrics-server, its volume filling', () => {
  it('the header and :pod take the usage from the cgroup; a file growing in PGDATA makes the projection appear and the data % rise', { timeout: 90_000 }, async () => {
    const dir = volume!.dir;
    fake = await startFakeCluster();
    fake.kube.metricsApi = false;
    fake.kube.addPvc(NS, 'pgdata-postgres', { capacity: '64Mi', storageClassName: 'local-path' });
    const template = postgresTemplate(pgInfo());
    fake.kube.addDeployment(NS, 'postgres', {
      ...template,
      env: { ...template.env, PGDATA: dir },
      claims: { pgdata: 'pgdata-postgres' },
      resources: { requests: { cpu: '250m', memory: '256Mi' }, limits: { cpu: '1', memory: '64Gi' } },
    });
    session = await startTmux({
      command: [process.execPath, BIN, '--kubeconfig', fake.kubeconfig, '-i', '1', '-k', 'deployment/postgres', '-n', NS],
      env: { ...(cleanEnv() as Record<string, string>), TERM: 'xterm-256color', PGPASSWORD: pgInfo().password },
      cols: 160,
      rows: 30,
    });
    // Memory and CPU from the cgroup (the limits from the pod spec), the data volume's share: no metrics API needed.
    let screen = await session.waitForText(/restarts 0 {2}mem [\d.]+ [kMG]?B\/64 GB {2}data \d+% used {2}cpu [\d.]+\/1/, 20_000);
    const before = dataPercent(screen);
    expect(before).toBeLessThan(10);

    await session.sendText(':pod');
    await session.sendKey('Enter');
    // The claim is read a moment after the pod: both rows, whichever lands first.
    screen = await session.waitForText(/(?=[\s\S]*volume\s+pgdata-postgres\s+Bound)[\s\S]*usage\s+cgroup v1\s+mem \d+%\s+memory [\d.]+ [kMG]?B \/ 64 GB · cpu \S+ \/ 1 · (throttled \d+% · )?limits from pod spec · no metrics API in this/, 15_000);
    expect(screen).toContain('usage from cgroup v1 (no metrics API in this cluster (metrics.k8s.io is not served: no metrics-server))');
    expect(screen).toMatch(/volume\s+pgdata-postgres\s+Bound\s+the data volume · volume pgdata/);
    expect(screen).toMatch(/filesystem\s+data directory\s+\d+% used\s+available [\d.]+ MB · used [\d.]+ [kMG]?B · size 64 MB/);
    expect(screen).not.toContain('full in');

    // 4 MB a second, to 56 MB of 64: the projection appears, the data % rises past 85 %, in the warning colour.
    let projected = '';
    for (let step = 0; step < 14; step++) {
      appendFileSync(join(dir, 'wal-like'), Buffer.alloc(4 * MB, step));
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      const now = await session.capture();
      if (!projected && /filesystem\s+data directory\s+\d+% used\s+full in ~\d+ (min|h) at the last hour's rate · available/.test(now)) projected = now;
    }
    expect(projected, 'the projection appeared while the file grew').not.toBe('');
    screen = await session.waitForText(/filesystem\s+data directory\s+(8[6-9]|9\d)% used\s+full in ~\d+ min at the last hour's rate/, 10_000);
    const after = dataPercent(screen);
    expect(after).toBeGreaterThan(85);
    expect(after).toBeGreaterThan(before);
    // The warning colour: the header's data part in yellow (SGR 33), the restarts beside it not.
    const styled = await session.command('capture-pane', '-p', '-e', '-t', 'main');
    const line = styled.split('\n')[3] ?? '';
    const sgr = (part: RegExp) => new RegExp(`((?:\x1b\\[[0-9;]*m)*)${part.source}`).exec(line)?.[1] ?? '';
    expect(sgr(/data \d+% used/)).toMatch(/[[;]33[;m]/);
    expect(sgr(/restarts 0/)).not.toMatch(/[[;]33[;m]/);

    await saveCapture(session, 'pod-volume', { size: { cols: 120, rows: 24 }, waitFor: /full in ~\d+ min/ });
    await session.sendText('q');
    expect(await session.waitForExit(5_000)).toBe(0);
  });
});
