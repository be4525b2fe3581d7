// The scenario end to end, in a real terminal (tmux) with the built
// binary and the fake API server: `pgtop -k deployment/postgres -n
// development --kubeconfig FILE` shows activity; the pod is killed three
// times and each time pgtop says reconnecting, then shows the new pod and
// fresh data within 10 s, no key pressed. A failover between two pods of a
// StatefulSet (a primary and a streaming standby, no CloudNativePG labels)
// moves pgtop to the new primary.
import { afterEach, describe, expect, it } from 'vitest';
import { startLocalCluster, type LocalCluster } from '../../src/localcluster/cluster.js';
import { BIN, cleanEnv } from '../support/binary.js';
import { postgresTemplate, startFakeCluster, type FakeCluster } from '../support/fake-kube/index.js';
import { startStandby, type Standby } from '../support/fake-kube/standby.js';
import { pgInfo } from '../support/pg.js';
import { startTmux, type TmuxSession } from '../support/tmux.js';

let session: TmuxSession | undefined;
let fake: FakeCluster | undefined;
afterEach(async () => {
  await session?.kill();
  session = undefined;
  await fake?.stop();
  fake = undefined;
});

function pgtop(kubeconfig: string, args: string[], env: Record<string, string>): Promise<TmuxSession> {
  return startTmux({
    command: [process.execPath, BIN, '--kubeconfig', kubeconfig, '-i', '0.5', ...args],
    env: { ...(cleanEnv() as Record<string, string>), TERM: 'xterm-256color', ...env },
    cols: 140,
    rows: 30,
  });
}

/** pgtop's own session on the activity screen: "*PID". */
function ownPid(screen: string): string {
  return /\*(\d+) /.exec(screen)![1]!;
}

describe('pgtop -k in a terminal', () => {
  it('heals by itself each time the pod is killed: reconnecting, then the new pod and fresh data', async () => {
    const NS = 'development';
    fake = await startFakeCluster();
    const info = pgInfo();
    fake.kube.addDeployment(NS, 'postgres', postgresTemplate(info));
    session = await pgtop(fake.kubeconfig, ['-k', 'deployment/postgres', '-n', NS], { PGPASSWORD: info.password });
    let pod = fake.kube.livePod(NS, 'postgres')!.name;
    let screen = await session.waitForText(new RegExp(`k8s development/deployment/postgres → pod/${pod} :5432 connected[\\s\\S]*\\*\\d+ `));
    for (let restart = 1; restart <= 3; restart++) {
      const before = ownPid(screen);
      const killedAt = Date.now();
      fake.kube.killPod(NS, pod, { replaceAfterMs: 1_500, readyAfterMs: 500 });
      await session.waitForText(/reconnecting/, 5_000);
      await new Promise((resolve) => setTimeout(resolve, 1_600)); // the replacement exists by now
      const next = fake.kube.livePod(NS, 'postgres')!.name;
      expect(next).not.toBe(pod);
      screen = await session.waitForText(
        new RegExp(`→ pod/${next} :5432 connected[\\s\\S]*\\*(?!${before}\\b)\\d+ `),
        Math.max(1_000, 10_000 - (Date.now() - killedAt)),
      );
      expect(Date.now() - killedAt, `restart ${restart}`).toBeLessThan(10_000);
      expect(screen).not.toContain('reconnecting');
      // Nothing leaks across reconnects: one tunnel, the monitor connection's (the host figures' sampler is an exec stream of its own).
      expect(fake.kube.openStreams(NS, next, 'portforward')).toBe(1);
      expect(fake.kube.openStreams(NS, next, 'exec')).toBeLessThanOrEqual(1);
      pod = next;
    }
    await session.sendText('q');
    expect(await session.waitForExit(5_000)).toBe(0);
    // Nothing leaks: every tunnel pgtop opened is closed once it quits (the sampler's exec ends with its stdin: give the close a moment).
    for (let i = 0; i < 30 && fake.kube.openStreams(NS, pod) > 0; i++) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(fake.kube.openStreams(NS, pod)).toBe(0);
  });

  it('follows a failover to the new primary', async () => {
    let primary: LocalCluster | undefined;
    let standby: Standby | undefined;
    try {
      primary = await startLocalCluster();
      standby = await startStandby(primary);
      const NS = 'ha';
      fake = await startFakeCluster({ namespace: NS });
      const template = postgresTemplate(primary, { app: 'pg' });
      fake.kube.addStatefulSet(NS, 'pg', template, 2, [{}, { ports: { 5432: { host: standby.host, port: standby.port } } }]);
      session = await pgtop(fake.kubeconfig, ['-k', 'sts/pg'], { PGPASSWORD: primary.password });
      await session.waitForText(/k8s ha\/statefulset\/pg → pod\/pg-0 :5432 \(primary of 2 Ready\) connected/, 15_000);
      await primary.stopServer('immediate');
      await standby.promote();
      const failedOverAt = Date.now();
      const screen = await session.waitForText(/k8s ha\/statefulset\/pg → pod\/pg-1 :5432 \(primary of 2 Ready\) connected[\s\S]*\*\d+ /, 15_000);
      expect(screen).not.toContain('(replica)');
      expect(Date.now() - failedOverAt).toBeLessThan(15_000);
      await session.sendText('q');
      expect(await session.waitForExit(5_000)).toBe(0);
    } finally {
      await session?.kill();
      await standby?.stop();
      await primary?.stop();
    }
  });
});
