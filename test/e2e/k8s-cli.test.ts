// The built binary with -k against the fake API server, without a terminal:
// --once through pgtop's own port-forward for every kind of target, the
// password from a Secret, and every early Kubernetes failure as ONE line
// naming the cause and the fix, with its exit code, within 10 seconds.
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runPgtop, type BinaryRun } from '../support/binary.js';
import { postgresTemplate, startFakeCluster, type FakeCluster } from '../support/fake-kube/index.js';
import { pgInfo } from '../support/pg.js';

const NS = 'development';
let cluster: FakeCluster;
let emptyHome: string;

beforeAll(async () => {
  cluster = await startFakeCluster({ namespace: NS });
  const info = pgInfo();
  const k = cluster.kube;
  k.addDeployment(NS, 'postgres', postgresTemplate(info));
  k.addService(NS, 'db', { app: 'postgres' }, [{ name: 'pg', port: 6543, targetPort: 'postgres' }]);
  k.addStatefulSet(NS, 'pg', postgresTemplate(info, { app: 'pg' }), 1);
  k.addSecret(NS, 'postgres', { password: `${info.password}\n`, username: 'postgres' });
  k.addDeployment(NS, 'stuck', postgresTemplate(info, { app: 'stuck' }), 2);
  const [a, b] = k.podsOf(NS, 'stuck');
  k.setReady(NS, a!.name, false);
  k.setPhase(NS, b!.name, 'Pending');
  k.tokens.set('expired-token', null);
  emptyHome = mkdtempSync(join(tmpdir(), 'pgtop-home-'));
});
afterAll(async () => {
  await cluster?.stop();
  rmSync(emptyHome, { recursive: true, force: true });
});

/** pgtop -k … --once with the fake's kubeconfig and nothing else from the developer's environment. */
function pgtop(args: string[], env: Record<string, string | undefined> = {}): Promise<BinaryRun> {
  return runPgtop([...args], { HOME: emptyHome, KUBECONFIG: cluster.kubeconfig, PGPASSWORD: pgInfo().password, ...env });
}

function expectOneLineFailure(run: BinaryRun, code: number, pattern: RegExp | string) {
  expect(run.stdout).toBe('');
  const lines = run.stderr.trimEnd().split('\n');
  expect(lines, run.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^pgtop: /);
  if (typeof pattern === 'string') expect(lines[0]).toBe(`pgtop: ${pattern}`);
  else expect(lines[0]).toMatch(pattern);
  // It does not hang: runPgtop's deadline would end it with code -1 (no test asserts a time).
  expect(run.code).toBe(code);
}

describe('pgtop -k --once', () => {
  it('reaches the database through its own port-forward to deployment/postgres', async () => {
    const run = await pgtop(['-k', 'deployment/postgres', '-n', NS, '--once']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const pod = cluster.kube.livePod(NS, 'postgres')!.name;
    expect(run.stdout).toMatch(new RegExp(`^pgtop {2}PostgreSQL \\d+\\.\\d+ \\(primary\\) {2}db postgres {2}user postgres {2}k8s development/deployment/postgres → pod/${pod} :5432\\n`));
    expect(run.stdout).toMatch(/\*\d+ postgres\s+postgres\s+pgtop/);
    // No kubectl: the fake saw a v4 port-forward WebSocket of pgtop's own.
    expect(cluster.kube.requests.some((r) => r.resource === 'pods/portforward' && r.protocol === 'v4.channel.k8s.io')).toBe(true);
  });

  // Four runs of pgtop -k --once, each resolving, reviewing and forwarding: more than 30 s on a loaded two-core machine.
  it('takes the namespace from the context, the short type names, a Service (named targetPort), a StatefulSet and a pod', async () => {
    const pod = cluster.kube.livePod(NS, 'postgres')!.name;
    for (const [target, label] of [
      ['deploy/postgres', `deployment/postgres → pod/${pod} :5432`],
      ['svc/db', `service/db → pod/${pod} :5432`],
      ['sts/pg', 'statefulset/pg → pod/pg-0 :5432'],
      [`po/${pod}`, `pod/${pod} → pod/${pod} :5432`],
    ] as const) {
      const run = await pgtop(['-k', target, '--once', ...(target === 'svc/db' ? ['--remote-port', '6543'] : [])]);
      expect(run.stderr, target).toBe('');
      expect(run.stdout.split('\n')[0]).toContain(`k8s development/${label}`);
    }
  }, 90_000);

  it('reads the password from a Secret and never shows it', async () => {
    const run = await pgtop(['-k', 'deploy/postgres', '--password-secret', 'postgres/password', '--once', '--json'], { PGPASSWORD: undefined });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout).server.user).toBe('postgres');
    expect(run.stdout).not.toContain(pgInfo().password);
    const wrongKey = await pgtop(['-k', 'deploy/postgres', '--password-secret', 'postgres/pass', '--once'], { PGPASSWORD: undefined });
    expectOneLineFailure(wrongKey, 1, 'secret "postgres" in namespace "development" has no key "pass": it has password, username; check --password-secret NAME/KEY');
    expect(wrongKey.stderr).not.toContain(pgInfo().password);
  });
});

describe('pgtop -k failures: one line, the fix, the exit code', () => {
  it('bad usage exits 2', async () => {
    expectOneLineFailure(await pgtop(['-k', 'postgres', '--once']), 2, /invalid -k "postgres": give TYPE\/NAME/);
    expectOneLineFailure(await pgtop(['-k', 'job/x', '--once']), 2, /unknown type "job"; use deployment \(deploy\), statefulset \(sts\), service \(svc\), pod \(po\) or cluster \(a CloudNativePG Cluster\)/);
    expectOneLineFailure(await pgtop(['-k', 'deploy/postgres', '--remote-port', '99999', '--once']), 2, 'invalid --remote-port "99999": give a port number from 1 to 65535');
    expectOneLineFailure(await pgtop(['-k', 'deploy/postgres', '-h', 'db', '--once']), 2, /-h\/--host and -p\/--port do not go with -k/);
  });

  it('no kubeconfig, a missing file, an unknown context', async () => {
    expectOneLineFailure(await pgtop(['-k', 'deploy/postgres', '--once'], { KUBECONFIG: undefined }), 1, /^pgtop: no kubeconfig found .*: pass --kubeconfig FILE or set KUBECONFIG/);
    expectOneLineFailure(await pgtop(['-k', 'deploy/postgres', '--kubeconfig', '/nonexistent/config', '--once']), 1, 'kubeconfig /nonexistent/config (from --kubeconfig) does not exist: check the path');
    expectOneLineFailure(await pgtop(['-k', 'deploy/postgres', '--context', 'prod', '--once']), 1, 'context "prod" is not in the kubeconfig: use one of fake (kubectl config get-contexts)');
  });

  it('an API server that is not there', async () => {
    const port = await new Promise<number>((resolve) => {
      const s = net.createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as net.AddressInfo).port;
        s.close(() => resolve(p));
      });
    });
    const config = cluster.writeKubeconfig('unreachable', { server: `https://127.0.0.1:${port}` });
    expectOneLineFailure(
      await pgtop(['-k', 'deploy/postgres', '--kubeconfig', config, '--once']),
      1,
      `cannot reach the Kubernetes API server at https://127.0.0.1:${port} (ECONNREFUSED): is the cluster up? check the server address of context "fake" (kubectl cluster-info)`,
    );
  });

  it('expired credentials: a token and a client certificate', async () => {
    const token = cluster.writeKubeconfig('expired-token', { credentials: { token: 'expired-token' } });
    const expected = 'the API server rejected the credentials of context "fake" (401 Unauthorized): they have probably expired; refresh them (log in again or fetch a new kubeconfig)';
    expectOneLineFailure(await pgtop(['-k', 'deploy/postgres', '-n', NS, '--kubeconfig', token, '--once']), 1, expected);
    const cert = cluster.writeKubeconfig('expired-cert', { credentials: cluster.kube.certs.client('old-admin', 'system:masters', { expired: true }) });
    expectOneLineFailure(await pgtop(['-k', 'deploy/postgres', '-n', NS, '--kubeconfig', cert, '--once']), 1, expected);
    // A credential plugin (gke-gcloud-auth-plugin, aws eks get-token…) that can no longer log in.
    const plugin = cluster.writeKubeconfig('exec-plugin', {
      credentials: { exec: { command: 'sh', args: ['-c', 'echo "error: the refresh token has expired" >&2; exit 1'] } },
    });
    expectOneLineFailure(
      await pgtop(['-k', 'deploy/postgres', '-n', NS, '--kubeconfig', plugin, '--once']),
      1,
      'cannot get credentials for context "fake" (error: the refresh token has expired): log in again or fix the user in the kubeconfig',
    );
  });

  it('namespace or target not found', async () => {
    expectOneLineFailure(await pgtop(['-k', 'deploy/postgres', '-n', 'nope', '--once']), 1, 'namespace "nope" not found: check -n/--namespace (kubectl get namespaces)');
    expectOneLineFailure(
      await pgtop(['-k', 'sts/postgres', '--once']),
      1,
      'statefulset "postgres" not found in namespace "development": check -k and -n (kubectl get statefulsets -n development)',
    );
  });

  it('no Ready pod: says which pods exist and their phase', async () => {
    const [a, b] = cluster.kube.podsOf(NS, 'stuck').sort((x, y) => x.name.localeCompare(y.name));
    const run = await pgtop(['-k', 'deploy/stuck', '--once']);
    expectOneLineFailure(run, 1, /^pgtop: no Ready pod for deployment\/stuck in namespace "development": /);
    for (const pod of [a!, b!]) {
      expect(run.stderr).toContain(pod.phase === 'Pending' ? `${pod.name} Pending (ContainerCreating)` : `${pod.name} Running (not Ready)`);
    }
  });

  it('RBAC: names the verb and resource that are missing', async () => {
    const cases: [string, string, string[]][] = [
      ['get', 'deployments', []],
      ['list', 'pods', []],
      ['create', 'pods/portforward', []],
      ['get', 'secrets', ['--password-secret', 'postgres/password']],
    ];
    for (const [verb, resource, extra] of cases) {
      cluster.kube.forbid(verb, resource);
      try {
        const run = await pgtop(['-k', 'deploy/postgres', '--once', ...extra]);
        expectOneLineFailure(
          run,
          1,
          new RegExp(`^pgtop: RBAC: you may not ${verb} ${resource.replace('/', '\\/')} in namespace "development" \\(the API server said: .*User "admin" cannot ${verb} resource "${resource.replace('/', '\\/')}".*\\): ask a cluster admin for a Role that grants "${verb}" on "${resource.replace('/', '\\/')}"$`),
        );
      } finally {
        cluster.kube.allow(verb, resource);
      }
    }
  });

  it('a pod whose database port refuses', async () => {
    const run = await pgtop(['-k', 'deploy/postgres', '--remote-port', '5433', '--once']);
    const pod = cluster.kube.livePod(NS, 'postgres')!.name;
    expectOneLineFailure(run, 1, `PostgreSQL does not answer on port 5433 in pod ${pod} (connection refused): check --remote-port and that the server in the pod is up`);
  });
});
