// The fake Kubernetes API server is only worth what real clients say of it:
// the real kubectl (get, exec over the v5 WebSocket, port-forward over SPDY)
// and client-node's own PortForward and Exec, against it over TLS with a
// client certificate, reaching the throwaway PostgreSQL.
import { execFile, spawn } from 'node:child_process';
import net from 'node:net';
import { PassThrough } from 'node:stream';
import { Exec, KubeConfig, PortForward, type V1Status } from '@kubernetes/client-node';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findKubectl, kubectl, postgresTemplate, startFakeCluster, type FakeCluster } from '../support/fake-kube/index.js';
import { pgInfo } from '../support/pg.js';

const NS = 'development';
let cluster: FakeCluster;
let cache: string;
/** kubectl's minor version: ≥ 30 execs over the v5 WebSocket, ≥ 31 port-forwards over SPDY in a WebSocket. */
let minor: number;

beforeAll(async () => {
  cluster = await startFakeCluster({ namespace: NS });
  cache = `${cluster.dir}/kubectl-cache`;
  const info = pgInfo();
  cluster.kube.addDeployment(NS, 'postgres', postgresTemplate(info));
  cluster.kube.addService(NS, 'postgres', { app: 'postgres' }, [{ name: 'postgres', port: 5432, targetPort: 'postgres' }]);
  cluster.kube.addSecret(NS, 'postgres', { password: info.password });
  const version = await kubectl(cluster.kubeconfig, cache, ['version', '--client', '-o', 'json']);
  minor = Number(/"minor":\s*"(\d+)/.exec(version.stdout)?.[1] ?? 0);
});
afterAll(async () => {
  await cluster?.stop();
});

function podName(): string {
  return cluster.kube.livePod(NS, 'postgres')!.name;
}

async function queryThrough(port: number): Promise<number> {
  const info = pgInfo();
  const client = new pg.Client({ host: '127.0.0.1', port, user: info.user, password: info.password, database: 'postgres' });
  await client.connect();
  try {
    return (await client.query<{ n: number }>('SELECT 41 + 1 AS n')).rows[0]!.n;
  } finally {
    await client.end();
  }
}

describe('the fake API server, as kubectl sees it', () => {
  it('lists pods, deployments, services and secrets by name', async () => {
    const pods = await kubectl(cluster.kubeconfig, cache, ['get', 'pods', '-o', 'name']);
    expect(pods.stderr).toBe('');
    expect(pods.stdout.trim()).toBe(`pod/${podName()}`);
    const deploy = await kubectl(cluster.kubeconfig, cache, ['get', 'deploy/postgres', '-o', 'jsonpath={.spec.selector.matchLabels.app}']);
    expect(deploy.stdout).toBe('postgres');
    const svc = await kubectl(cluster.kubeconfig, cache, ['get', 'svc', '-o', 'name']);
    expect(svc.stdout.trim()).toBe('service/postgres');
    const secret = await kubectl(cluster.kubeconfig, cache, ['get', 'secret', 'postgres', '-o', 'jsonpath={.data.password}']);
    expect(Buffer.from(secret.stdout, 'base64').toString()).toBe(pgInfo().password);
  });

  it('lists the pods of a CloudNativePG-like cluster by its label, with their roles, as kubectl -l does', async () => {
    const info = pgInfo();
    for (const [i, role] of ['primary', 'replica', 'replica'].entries()) {
      cluster.kube.addPod(NS, `pg-${i + 1}`, postgresTemplate(info, { 'cnpg.io/cluster': 'pg', 'cnpg.io/instanceRole': role }));
    }
    const pods = await kubectl(cluster.kubeconfig, cache, ['get', 'pods', '-l', 'cnpg.io/cluster=pg', '-o', 'jsonpath={range .items[*]}{.metadata.name}={.metadata.labels.cnpg\\.io/instanceRole} {end}']);
    expect(pods.stderr).toBe('');
    expect(pods.stdout.trim().split(' ').sort()).toEqual(['pg-1=primary', 'pg-2=replica', 'pg-3=replica']);
    const primary = await kubectl(cluster.kubeconfig, cache, ['get', 'pods', '-l', 'cnpg.io/cluster=pg,cnpg.io/instanceRole=primary', '-o', 'name']);
    expect(primary.stdout.trim()).toBe('pod/pg-1');
    for (const i of [1, 2, 3]) cluster.kube.killPod(NS, `pg-${i}`);
  });

  it('says NotFound and Forbidden as the API server does', async () => {
    const missing = await kubectl(cluster.kubeconfig, cache, ['get', 'deploy/nope']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('deployments.apps "nope" not found');
    cluster.kube.forbid('list', 'pods');
    try {
      const forbidden = await kubectl(cluster.kubeconfig, cache, ['get', 'pods']);
      expect(forbidden.code).toBe(1);
      expect(forbidden.stderr).toContain('cannot list resource "pods" in API group "" in the namespace "development"');
    } finally {
      cluster.kube.allow('list', 'pods');
    }
  });

  // kubectl ≥ 1.30 execs over the v5 WebSocket; older ones (Debian's), or with the variable, over SPDY.
  for (const [transport, env] of [['default', {}], ['SPDY', { KUBECTL_REMOTE_COMMAND_WEBSOCKETS: 'false' }]] as const) {
    it(`runs kubectl exec (${transport} transport): stdout, stderr, stdin and the exit code`, async () => {
      const run = await kubectl(
        cluster.kubeconfig, cache, ['exec', 'deploy/postgres', '--', 'sh', '-c', 'echo "user=$POSTGRES_USER"; echo oops >&2; exit 3'], env,
      );
      expect(run.stdout).toBe(`user=${pgInfo().user}\n`);
      expect(run.stderr).toContain('oops');
      expect(run.stderr).toContain('command terminated with exit code 3');
      expect(run.code).toBe(3);
      const exec = cluster.kube.requests.filter((r) => r.resource === 'pods/exec').at(-1)!;
      expect(exec.protocol).toBe(transport === 'default' && minor >= 30 ? 'v5.channel.k8s.io' : 'SPDY/3.1');

      // stdin, closed with v5's [255, 0] (or SPDY's FIN): wc sees the end and exits.
      const withStdin = await new Promise<string>((resolve, reject) => {
        const child = execFile(
          findKubectl(),
          ['--kubeconfig', cluster.kubeconfig, '--cache-dir', cache, 'exec', '-i', `pod/${podName()}`, '--', 'wc', '-c'],
          { encoding: 'utf8', timeout: 20_000, env: { ...process.env, ...env } },
          (error, stdout) => (error ? reject(new Error(error.message, { cause: error })) : resolve(stdout)),
        );
        child.stdin!.end('twelve bytes');
      });
      expect(withStdin.trim()).toBe('12');
    });
  }

  it('runs psql in the pod with the pod environment', async () => {
    const psql = `${pgInfo().binDir}/psql`;
    const run = await kubectl(cluster.kubeconfig, cache, ['exec', 'deploy/postgres', '--', psql, '-tAc', 'SELECT 6 * 7']);
    expect(run.stderr).toBe('');
    expect(run.stdout.trim()).toBe('42');
  });
});

/** Starts `kubectl port-forward` on a free local port; resolves once it listens. */
async function kubectlPortForward(target: string, env: Record<string, string>) {
  const port = await new Promise<number>((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(p));
    });
  });
  const child = spawn(findKubectl(), ['--kubeconfig', cluster.kubeconfig, '--cache-dir', cache, 'port-forward', target, `${port}:5432`], {
    env: { ...process.env, ...env },
  });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d));
  child.stderr.on('data', (d: Buffer) => (output += d));
  const exited = new Promise<number>((resolve) => child.on('exit', (code) => resolve(code ?? -1)));
  const deadline = Date.now() + 10_000;
  while (!output.includes('Forwarding from 127.0.0.1')) {
    if (Date.now() > deadline) throw new Error(`kubectl port-forward did not start: ${output}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { port, child, exited, output: () => output };
}

describe('the fake API server, as kubectl port-forward sees it', () => {
  it('forwards over SPDY tunnelled in a WebSocket (kubectl ≥ 1.31) and over plain SPDY', async () => {
    for (const [env, method] of [[{}, 'GET'], [{ KUBECTL_PORT_FORWARD_WEBSOCKETS: 'false' }, 'POST']] as const) {
      const before = cluster.kube.requests.length;
      const forward = await kubectlPortForward('svc/postgres', env);
      try {
        // Several connections over the one SPDY session, each a pair of streams.
        for (let i = 0; i < 3; i++) expect(await queryThrough(forward.port)).toBe(42);
        const upgrades = cluster.kube.requests.slice(before).filter((r) => r.resource === 'pods/portforward');
        expect(upgrades.map((r) => `${r.method} ${r.protocol} ${r.status}`)).toEqual([`${minor >= 31 ? method : 'POST'} SPDY/3.1 101`]);
      } finally {
        forward.child.kill();
      }
    }
  });

  it('exits with "lost connection to pod" when the pod dies under it, as kubectl does', async () => {
    const forward = await kubectlPortForward('deploy/postgres', {});
    const info = pgInfo();
    const client = new pg.Client({ host: '127.0.0.1', port: forward.port, user: info.user, password: info.password, database: 'postgres' });
    client.on('error', () => undefined);
    await client.connect();
    cluster.kube.killPod(NS, podName(), { replaceAfterMs: 200, readyAfterMs: 100 });
    // kubectl 1.23 made this an error exit; older ones (Debian 12's 1.20) log it and exit 0.
    expect(await forward.exited).toBe(minor >= 23 ? 1 : 0);
    expect(forward.output()).toContain('lost connection to pod');
    await client.end().catch(() => undefined);
    await new Promise((resolve) => setTimeout(resolve, 400)); // the replacement comes up
  });
});

describe('the fake API server, as client-node sees it', () => {
  it("carries PostgreSQL through client-node's PortForward (v4.channel.k8s.io)", async () => {
    const config = new KubeConfig();
    config.loadFromFile(cluster.kubeconfig);
    const forward = new PortForward(config);
    const server = net.createServer((socket) => {
      forward.portForward(NS, podName(), [5432], socket, null, socket).catch(() => socket.destroy());
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      expect(await queryThrough((server.address() as net.AddressInfo).port)).toBe(42);
      const tunnel = cluster.kube.requests.filter((r) => r.resource === 'pods/portforward').at(-1)!;
      expect(tunnel.protocol).toBe('v4.channel.k8s.io');
      expect(tunnel.path).toContain('ports=5432');
    } finally {
      server.close();
    }
  });

  it("runs a command through client-node's Exec and reports its Status", async () => {
    const config = new KubeConfig();
    config.loadFromFile(cluster.kubeconfig);
    const stdout = new PassThrough();
    const chunks: Buffer[] = [];
    stdout.on('data', (c: Buffer) => chunks.push(c));
    const status = await new Promise<V1Status>((resolve, reject) => {
      new Exec(config)
        .exec(NS, podName(), 'postgres', ['sh', '-c', 'printf hello; exit 0'], stdout, null, null, false, resolve)
        .catch(reject);
    });
    expect(status.status).toBe('Success');
    expect(Buffer.concat(chunks).toString()).toBe('hello');
  });
});
