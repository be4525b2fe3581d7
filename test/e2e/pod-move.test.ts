// The forward moving to another pod, on the built binary in tmux against the
// fake API server: `pgtop -k deployment/postgres` on the logs screen while
// the pod is deleted and the Deployment replaces it — the connection line
// names the replacement, the header's pod line takes the replacement's
// figures (its metrics, its restarts), the log follows it with a marker
// line, and :pod shows the new pod. (In process, test/integration/k8s-pod
// and logs-k8s prove the watch and the log follow; this is the whole of it
// as a user sees it.)
import { afterEach, describe, expect, it } from 'vitest';
import { BIN, cleanEnv } from '../support/binary.js';
import { postgresTemplate, startFakeCluster, type FakeCluster } from '../support/fake-kube/index.js';
import { pgInfo, waitFor } from '../support/pg.js';
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

describe('the forward moving to the replacement pod', () => {
  it('the connection line, the header and the log follow it, and :pod shows it', { timeout: 90_000 }, async () => {
    fake = await startFakeCluster();
    fake.kube.addDeployment(NS, 'postgres', { ...postgresTemplate(pgInfo()), resources: { limits: { cpu: '1', memory: '1Gi' } } });
    const first = fake.kube.livePod(NS, 'postgres')!.name;
    fake.kube.setUsage(NS, first, { cpu: '120m', memory: '200Mi' });
    fake.kube.appendLog(NS, first, ['LOG:  the first pod']);
    session = await startTmux({
      command: [process.execPath, BIN, '--kubeconfig', fake.kubeconfig, '-i', '0.5', '-k', 'deployment/postgres', '-n', NS, '--screen', 'logs'],
      env: { ...(cleanEnv() as Record<string, string>), TERM: 'xterm-256color', PGPASSWORD: pgInfo().password },
      cols: 140,
      rows: 30,
    });
    await session.waitForText(/(?=[\s\S]*LOG: {2}the first pod)[\s\S]*restarts 0 {2}mem 200 MB\/1\.0 GB {2}cpu 0\.12\/1/, 20_000);
    expect(await session.capture()).toContain(`→ pod/${first} :5432`);

    fake.kube.killPod(NS, first, { replaceAfterMs: 300, readyAfterMs: 300 });
    const second = await waitFor(async () => {
      const pod = fake!.kube.livePod(NS, 'postgres');
      return pod && pod.name !== first ? pod.name : undefined;
    }, { what: 'the replacement pod', timeoutMs: 10_000 });
    fake.kube.setUsage(NS, second, { cpu: '300m', memory: '400Mi' });
    fake.kube.appendLog(NS, second, ['LOG:  the replacement pod']);

    const screen = await session.waitForText(
      new RegExp(`(?=[\\s\\S]*→ pod/${second} :5432)(?=[\\s\\S]*LOG: {2}the replacement pod)[\\s\\S]*restarts 0 {2}mem 400 MB/1\\.0 GB {2}cpu 0\\.30/1`),
      30_000,
    );
    expect(screen).toContain(`— the dashboard moved to pod/${second}: its log follows —`);
    expect(screen).toContain('LOG:  the first pod');
    expect(screen).toContain(`pod/${second} container postgres`);

    await session.sendText(':pod');
    await session.sendKey('Enter');
    const pod = await session.waitForText(new RegExp(`pod\\s+${second}\\s+Running Ready`), 10_000);
    expect(pod).not.toContain(first);
    await session.sendText('q');
    expect(await session.waitForExit(5_000)).toBe(0);
  });
});
