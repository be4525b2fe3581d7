// pgtop's own port-forward against the fake API server, pinning each way
// client-node's PortForward falls short (kubernetes-protocol.md §3): a dead
// tunnel fails the local socket at once; the pod is re-resolved after it was
// replaced; a connection waits for a Ready pod instead of failing; a session
// is never spliced onto a new tunnel; a refused upgrade says why; a black-
// holed tunnel is found by the keepalive; backpressure holds both ways.
import { createHash } from 'node:crypto';
import net from 'node:net';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { K8sError } from '../../src/k8s/errors.js';
import { PodForwarder, type ForwarderOptions } from '../../src/k8s/forward.js';
import { KubeClient } from '../../src/k8s/kube.js';
import { resolveTarget } from '../../src/k8s/resolve.js';
import type { TargetRef } from '../../src/k8s/target-ref.js';
import { postgresTemplate, startFakeCluster, type FakeCluster } from '../support/fake-kube/index.js';
import { pgInfo, waitFor } from '../support/pg.js';

const NS = 'forward';
let cluster: FakeCluster;
let kube: KubeClient;
const forwarders: PodForwarder[] = [];
const servers: net.Server[] = [];
const serverSockets: net.Socket[] = [];

beforeAll(async () => {
  cluster = await startFakeCluster({ namespace: NS });
  kube = KubeClient.load({ kubeconfig: cluster.kubeconfig });
  cluster.kube.addDeployment(NS, 'postgres', postgresTemplate(pgInfo()));
});
afterEach(async () => {
  await Promise.all(forwarders.splice(0).map((f) => f.close()));
  for (const socket of serverSockets.splice(0)) socket.destroy();
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});
afterAll(async () => {
  await cluster?.stop();
});

async function forwarder(target: TargetRef = { kind: 'deployment', name: 'postgres' }, options: Partial<ForwarderOptions> = {}): Promise<PodForwarder> {
  const f = new PodForwarder({
    kube,
    resolve: () => resolveTarget({ kube, namespace: NS, target, remotePort: 5432 }),
    holdMs: 3_000,
    retryMs: { first: 50, max: 200 },
    pingIntervalMs: 250,
    ...options,
  });
  forwarders.push(f);
  await f.listen();
  return f;
}

async function pgClient(port: number): Promise<pg.Client> {
  const info = pgInfo();
  const client = new pg.Client({ host: '127.0.0.1', port, user: info.user, password: info.password, database: 'postgres', connectionTimeoutMillis: 5_000 });
  client.on('error', () => undefined);
  await client.connect();
  return client;
}

async function backendPid(client: pg.Client): Promise<number> {
  return (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
}

/** A TCP server standing in for the pod's port; a pod template reaches it. */
async function tcpServer(onConnection: (socket: net.Socket) => void): Promise<number> {
  const server = net.createServer((socket) => {
    serverSockets.push(socket);
    socket.on('error', () => undefined);
    onConnection(socket);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as net.AddressInfo).port;
}

describe('PodForwarder', () => {
  it('carries concurrent PostgreSQL sessions, one tunnel each, and closes them all', async () => {
    const f = await forwarder();
    const clients = await Promise.all([1, 2, 3, 4].map(() => pgClient(f.port)));
    const pids = await Promise.all(clients.map(backendPid));
    expect(new Set(pids).size).toBe(4);
    const pod = cluster.kube.livePod(NS, 'postgres')!;
    expect(cluster.kube.openStreams(NS, pod.name)).toBe(4);
    expect(f.pod?.name).toBe(pod.name);
    await Promise.all(clients.map((c) => c.end()));
    await waitFor(async () => cluster.kube.openStreams(NS, pod.name) === 0, { what: 'the tunnels to close with their sessions' });
    // And quitting leaves no listener behind.
    const port = f.port;
    await f.close();
    await expect(new Promise((resolve, reject) => net.connect(port, '127.0.0.1').on('connect', resolve).on('error', reject))).rejects.toThrow(/ECONNREFUSED/);
  });

  it('fails the local socket at once when the pod dies, and the next connection reaches its replacement', async () => {
    const f = await forwarder();
    const client = await pgClient(f.port);
    const oldPod = cluster.kube.livePod(NS, 'postgres')!.name;
    const ended = new Promise<number>((resolve) => client.once('end', () => resolve(Date.now())));
    const killedAt = Date.now();
    cluster.kube.killPod(NS, oldPod, { replaceAfterMs: 300, readyAfterMs: 200 });
    // client-node leaves this socket open and the client hangs; here it ends within a blink.
    expect((await ended) - killedAt).toBeLessThan(500);
    await expect(client.query('SELECT 1')).rejects.toThrow();

    // Connecting while no pod is Ready waits for the replacement instead of failing.
    const again = await pgClient(f.port);
    expect(await backendPid(again)).toBeGreaterThan(0);
    const newPod = cluster.kube.livePod(NS, 'postgres')!.name;
    expect(newPod).not.toBe(oldPod);
    expect(f.pod?.name).toBe(newPod);
    await again.end();
  });

  it('never splices a session onto a new tunnel: a dropped stream ends the session, whatever comes next', async () => {
    const f = await forwarder();
    const client = await pgClient(f.port);
    const pid = await backendPid(client);
    const pod = cluster.kube.livePod(NS, 'postgres')!.name;
    cluster.kube.dropStreams(NS, pod);
    // client-node's retryCount would send the next bytes down a fresh tunnel (a new backend, mid-protocol).
    await expect(client.query('SELECT pg_backend_pid()')).rejects.toThrow();
    expect(cluster.kube.openStreams(NS, pod)).toBe(0);
    const fresh = await pgClient(f.port);
    expect(await backendPid(fresh)).not.toBe(pid);
    await fresh.end();
  });

  it('gives up on a held connection after the hold time when no pod becomes Ready, and says why', async () => {
    cluster.kube.addDeployment(NS, 'unready', postgresTemplate(pgInfo(), { app: 'unready' }));
    const pod = cluster.kube.livePod(NS, 'unready')!;
    cluster.kube.setReady(NS, pod.name, false);
    const f = await forwarder({ kind: 'deployment', name: 'unready' }, { holdMs: 600 });
    const started = Date.now();
    await expect(pgClient(f.port)).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(f.lastFailure?.error.message).toMatch(new RegExp(`no Ready pod for deployment/unready in namespace "forward": ${pod.name} Running \\(not Ready\\)`));
    // Once Ready, the same forward serves it.
    cluster.kube.setReady(NS, pod.name, true);
    const client = await pgClient(f.port);
    await client.end();
  });

  it('reports a refused upgrade with the API server\'s own words, not "Unexpected server response"', async () => {
    const f = await forwarder();
    const gone = { namespace: NS, name: 'postgres-gone-abcde', port: 5432 };
    const tunnel = await f.openTunnel(gone, () => undefined);
    await expect(tunnel.opened).rejects.toThrow('pods "postgres-gone-abcde" not found in namespace "forward"');
    cluster.kube.forbid('create', 'pods/portforward');
    try {
      const pod = { namespace: NS, name: cluster.kube.livePod(NS, 'postgres')!.name, port: 5432 };
      const refused = await f.openTunnel(pod, () => undefined);
      const error = await refused.opened.catch((e: unknown) => e);
      expect(error).toBeInstanceOf(K8sError);
      expect((error as K8sError).message).toMatch(/^RBAC: you may not create pods\/portforward in namespace "forward" \(the API server said: pods "postgres-[^"]+" is forbidden: User "admin" cannot create resource "pods\/portforward"/);
      // A connection through the forward is refused at once, not after the hold time.
      const started = Date.now();
      await expect(pgClient(f.port)).rejects.toThrow();
      expect(Date.now() - started).toBeLessThan(1_000);
      expect(f.lastFailure?.error.kind).toBe('forbidden');
    } finally {
      cluster.kube.allow('create', 'pods/portforward');
    }
  });

  it('finds a black-holed tunnel by its keepalive and fails the local socket', async () => {
    const f = await forwarder(undefined, { pingIntervalMs: 150 });
    const client = await pgClient(f.port);
    const ended = new Promise<void>((resolve) => client.once('end', () => resolve()));
    const pod = cluster.kube.livePod(NS, 'postgres')!.name;
    const frozenAt = Date.now();
    cluster.kube.freezeStreams(NS, pod);
    await ended;
    // Two ping intervals, not TCP's minutes.
    expect(Date.now() - frozenAt).toBeLessThan(1_500);
  });

  it('retries, replaying the first bytes, while the port in the pod refuses: the client sees a slow start, not a failure', async () => {
    let accepting = false;
    const echoPort = await tcpServer((socket) => {
      if (!accepting) {
        socket.destroy();
        return;
      }
      socket.pipe(socket);
    });
    // Refused first: the port has no listener yet.
    const closedPort = await new Promise<number>((resolve) => {
      const s = net.createServer().listen(0, '127.0.0.1', () => {
        const { port } = s.address() as net.AddressInfo;
        s.close(() => resolve(port));
      });
    });
    const pod = cluster.kube.addPod(NS, 'echo', { labels: { app: 'echo' }, ports: { 5432: { host: '127.0.0.1', port: closedPort } } });
    const f = await forwarder({ kind: 'pod', name: 'echo' });
    const socket = net.connect(f.port, '127.0.0.1');
    socket.write('hello');
    setTimeout(() => {
      accepting = true;
      pod.ports[5432] = { host: '127.0.0.1', port: echoPort };
    }, 300);
    const echoed = await new Promise<string>((resolve, reject) => {
      socket.once('data', (d: Buffer) => resolve(d.toString()));
      socket.once('close', () => reject(new Error('closed')));
    });
    expect(echoed).toBe('hello');
    expect(f.lastFailure?.error.message).toBe('port 5432 in pod echo: connection refused');
    socket.destroy();
  });

  it('holds backpressure both ways: a slow reader slows the pod, a slow pod slows the writer', async () => {
    const total = 256 * 1024 * 1024;
    const chunk = Buffer.alloc(64 * 1024, 7);
    let writtenBeforeRead = 0;
    let reading = false;
    const bulkPort = await tcpServer((socket) => {
      let sent = 0;
      const pump = () => {
        while (sent < total) {
          sent += chunk.length;
          if (!reading) writtenBeforeRead = sent;
          if (!socket.write(chunk)) {
            socket.once('drain', pump);
            return;
          }
        }
        socket.end();
      };
      pump();
    });
    cluster.kube.addPod(NS, 'bulk', { labels: { app: 'bulk' }, ports: { 5432: { host: '127.0.0.1', port: bulkPort } } });
    const f = await forwarder({ kind: 'pod', name: 'bulk' });
    const rssBefore = process.memoryUsage().rss;
    const socket = net.connect(f.port, '127.0.0.1').on('error', () => undefined);
    socket.pause();
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    // A reader that has not read for a second held the pod to a few MB in flight, not 256.
    expect(writtenBeforeRead).toBeLessThan(48 * 1024 * 1024);
    reading = true;
    const hash = createHash('sha256');
    let received = 0;
    let peakRss = 0;
    await new Promise<void>((resolve, reject) => {
      socket.on('data', (d: Buffer) => {
        received += d.length;
        hash.update(d);
        peakRss = Math.max(peakRss, process.memoryUsage().rss);
      });
      socket.on('end', resolve);
      socket.on('error', reject);
      socket.resume();
    });
    expect(received).toBe(total);
    expect(hash.digest('hex')).toBe(createHash('sha256').update(Buffer.alloc(total, 7)).digest('hex'));
    expect(peakRss - rssBefore).toBeLessThan(128 * 1024 * 1024);

    // The other way: a pod that does not read makes the local writer wait.
    let podReads = false;
    const sinkPort = await tcpServer((s) => {
      s.pause();
      const timer = setInterval(() => {
        if (podReads) {
          clearInterval(timer);
          s.resume();
          s.on('data', () => undefined);
        }
      }, 50);
    });
    cluster.kube.addPod(NS, 'sink', { labels: { app: 'sink' }, ports: { 5432: { host: '127.0.0.1', port: sinkPort } } });
    const g = await forwarder({ kind: 'pod', name: 'sink' });
    const writer = net.connect(g.port, '127.0.0.1').on('error', () => undefined);
    await new Promise((resolve) => writer.once('connect', resolve));
    let offered = 0;
    const write = () => {
      while (offered < total) {
        offered += chunk.length;
        if (!writer.write(chunk)) {
          writer.once('drain', write);
          return;
        }
      }
    };
    write();
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    // What left the writer in a second while the pod read nothing: a few MB in flight, not 256.
    const taken = offered - writer.writableLength;
    expect(taken).toBeGreaterThan(0);
    expect(taken).toBeLessThan(48 * 1024 * 1024);
    podReads = true;
    writer.destroy();
  });
});
