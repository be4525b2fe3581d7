// The logs screen end to end, in a real terminal (tmux) with the built
// binary and the fake API server in front of the real throwaway PostgreSQL:
// the server container's log followed live, an OOM kill and restart under
// the dashboard (the new container's lines follow, P shows the one that
// died); and RBAC forbidding logs and exec: the logs screen names the verb,
// `b` is greyed and refused before any dialog, and K on the activity screen
// still terminates a backend.
import { afterEach, describe, expect, it } from 'vitest';
import { BIN, cleanEnv } from '../support/binary.js';
import { saveCapture } from '../support/captures.js';
import { postgresTemplate, startFakeCluster, type FakeCluster } from '../support/fake-kube/index.js';
import { connect, pgInfo, waitFor } from '../support/pg.js';
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

function pgtop(kubeconfig: string, args: string[]): Promise<TmuxSession> {
  return startTmux({
    command: [process.execPath, BIN, '--kubeconfig', kubeconfig, '-n', NS, '-i', '0.5', ...args],
    env: { ...(cleanEnv() as Record<string, string>), TERM: 'xterm-256color', PGPASSWORD: pgInfo().password },
    cols: 140,
    rows: 30,
  });
}

describe('the logs screen in a terminal (-k)', () => {
  it('follows the server log live, and after an OOM kill P shows the log of the container that died', async () => {
    fake = await startFakeCluster({ namespace: NS });
    fake.kube.addPod(NS, 'pg-0', { ...postgresTemplate(pgInfo()), resources: { limits: { cpu: '1', memory: '1Gi' } } });
    fake.kube.setUsage(NS, 'pg-0', { cpu: '120m', memory: '200Mi' });
    fake.kube.appendLog(NS, 'pg-0', ['LOG:  database system is ready to accept connections']);
    session = await pgtop(fake.kubeconfig, ['-k', 'pod/pg-0', '--screen', 'logs']);
    await session.waitForText(/following · current container \(P: previous\) · pod\/pg-0 container postgres/, 15_000);
    await session.waitForText(/\d\d:\d\d:\d\d\.\d{3} LOG: {2}database system is ready to accept connections/);

    fake.kube.appendLog(NS, 'pg-0', ['ERROR:  could not extend file "base/16384/16385": No space left on device']);
    await session.waitForText('ERROR:  could not extend file "base/16384/16385": No space left on device');

    fake.kube.restartContainer(NS, 'pg-0', { reason: 'OOMKilled', exitCode: 137 });
    fake.kube.appendLog(NS, 'pg-0', ['LOG:  database system was interrupted; last known up at 2026-12-02 06:00:00 UTC']);
    let screen = await session.waitForText('database system was interrupted', 10_000);
    expect(screen).toContain('log stream of pod/pg-0 ended');

    await session.sendText('P');
    screen = await session.waitForText("previous container's log, before its last restart (P: current)", 10_000);
    screen = await session.waitForText('No space left on device');
    expect(screen).not.toContain('database system was interrupted');
    // For docs/screens.md (npm run docs:captures): the previous container's log after the restart.
    await saveCapture(session, 'logs', { size: { cols: 110, rows: 24 }, waitFor: 'No space left on device' });
    await session.sendText('P');
    await session.waitForText('database system was interrupted');
    await session.sendText('q');

    expect(await session.waitForExit(5_000)).toBe(0);
  });

  it('with logs and exec forbidden: the logs screen names the verb, b is greyed and refused, K still terminates a backend', async () => {
    fake = await startFakeCluster({ namespace: NS });
    fake.kube.addPod(NS, 'pg-0', postgresTemplate(pgInfo()));
    fake.kube.forbid('get', 'pods/log');
    fake.kube.forbid('create', 'pods/exec');
    const victim = await connect({ applicationName: 'logs-rbac-victim' });
    victim.on('error', () => undefined);
    const victimPid = (await victim.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
    try {
      session = await pgtop(fake.kubeconfig, ['-k', 'pod/pg-0', '--screen', 'logs']);
      await session.waitForText('server log: needs get pods/log in development', 15_000);
      expect(fake.kube.requests.filter((r) => r.path.includes('/log?'))).toEqual([]);

      await session.sendText(':backups');
      await session.sendKey('Enter');
      const backups = await session.waitForText(/b backup {2}r restore {2}t verify: needs create pods\/exec in development/);
      expect(backups).toContain('8 backups');
      await session.sendText('b');
      const refused = await session.waitForText('b backup is unavailable: needs create pods/exec in development');
      expect(refused).not.toContain('What to back up');

      await session.sendText('1');
      await session.sendText('/logs-rbac-victim');
      await session.sendKey('Enter');
      await session.waitForText(new RegExp(`${victimPid} .*logs-rbac`));
      await session.sendText('K');
      await session.waitForText(`will run: SELECT pg_terminate_backend(${victimPid});`);
      await session.sendText('y');
      await session.waitForText(`terminated pid ${victimPid}`);
      const check = await connect();
      try {
        await waitFor(async () => (await check.query('SELECT count(*)::int AS n FROM pg_stat_activity WHERE pid = $1', [victimPid])).rows[0].n === 0, {
          what: 'the backend to be gone from the server',
        });
      } finally {
        await check.end();
      }
      await session.sendText('q');
      expect(await session.waitForExit(5_000)).toBe(0);
    } finally {
      await victim.end().catch(() => undefined);
    }
  });
});
