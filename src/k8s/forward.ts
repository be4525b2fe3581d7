// pgtop's own port-forward: a listener on 127.0.0.1 that lives as long as
// pgtop, and for every accepted TCP connection one WebSocket to the current
// pod's portforward subresource (v4.channel.k8s.io: data channel 0, error
// channel 1, each opening with the port as uint16 LE). What kubectl and
// client-node do not:
// - the listener never depends on a tunnel, so a dead pod costs a reconnect,
//   not the forward;
// - a tunnel that dies destroys its local socket at once, so the PostgreSQL
//   client notices and reconnects, and the pod is re-resolved for the next
//   connection (it may have been replaced, or another pod may be primary);
// - it can be pinned to one pod (the dashboard moved to a replica): then it
//   resolves that pod only, and a pinned pod that is gone is an error said,
//   never a silent move to another pod;
// - a connection is held (paused) while no pod is Ready, and retried — with
//   the client's bytes replayed — only while the pod side has sent nothing:
//   a PostgreSQL session is never spliced onto a new tunnel mid-protocol;
// - backpressure both ways, and a ping keepalive.
import { EventEmitter } from 'node:events';
import net from 'node:net';
import { openChannelSocket, type ChannelSocket } from './channel-socket.js';
import { forwardErrorCause, K8sError } from './errors.js';
import type { ContainerChoice } from './server-container.js';
import type { KubeClient } from './kube.js';

/** The pod a connection goes to, as resolve.ts found it. */
export interface ResolvedPod {
  namespace: string;
  name: string;
  /** The port inside the pod (a Service's targetPort already mapped). */
  port: number;
  /** Why this pod when there were several ("primary (cnpg.io/instanceRole)", …). */
  note?: string;
  /** The container the server runs in, chosen from the pod's spec when it was resolved: what execs and the log name. */
  container?: ContainerChoice;
}

export interface ForwarderOptions {
  kube: KubeClient;
  /** Finds the pod to forward to now (the pinned one when pinned, or an error: never another); throws a K8sError when there is none. */
  resolve(pinned: string | null): Promise<ResolvedPod>;
  /** 127.0.0.1 port to listen on; 0 or undefined: any free port. */
  localPort?: number;
  /** How long an accepted connection may wait for a Ready pod and an open tunnel. */
  holdMs?: number;
  /** First and longest pause between attempts while holding. */
  retryMs?: { first: number; max: number };
  pingIntervalMs?: number;
  /** Client bytes kept for replay until the pod side answers. */
  replayLimit?: number;
  /** Pending bytes towards the pod above which the local socket is paused. */
  highWaterMark?: number;
}

export interface ForwarderFailure {
  error: K8sError;
  at: number;
}

export interface ForwarderEvents {
  /** A different pod than before is now the target. */
  pod: [ResolvedPod];
  /** A tunnel the server (or the keepalive) ended while its connection was in use. */
  'tunnel-lost': [{ pod: ResolvedPod; reason: string }];
  /** A connection could not be forwarded. */
  failure: [ForwarderFailure];
}

const PORTFORWARD_PROTOCOLS = ['v4.channel.k8s.io'];
const RETRYABLE: ReadonlySet<string> = new Set(['not-found', 'no-ready-pod', 'unreachable', 'refused', 'other']);

export class PodForwarder extends EventEmitter<ForwarderEvents> {
  private server: net.Server | null = null;
  private current: ResolvedPod | null = null;
  private suspect = true;
  private resolving: Promise<ResolvedPod> | null = null;
  private pinnedPod: string | null = null;
  private readonly connections = new Set<ForwardedConnection>();
  private closed = false;
  /** The most recent reason a connection failed, for the UI. */
  lastFailure: ForwarderFailure | null = null;
  readonly holdMs: number;
  readonly retryMs: { first: number; max: number };

  constructor(readonly options: ForwarderOptions) {
    super();
    this.holdMs = options.holdMs ?? 4_000;
    this.retryMs = options.retryMs ?? { first: 200, max: 1_000 };
  }

  /** Binds the listener; resolves with the local port. */
  async listen(): Promise<number> {
    const server = net.createServer({ pauseOnConnect: true }, (socket) => this.accept(socket));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.options.localPort ?? 0, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    }).catch((error: NodeJS.ErrnoException) => {
      this.server = null;
      throw new K8sError(
        error.code === 'EADDRINUSE'
          ? `local port ${this.options.localPort} is already in use: choose another --local-port, or leave it out for any free port`
          : `cannot listen on 127.0.0.1:${this.options.localPort ?? 0}: ${error.message}`,
        'other',
      );
    });
    server.on('error', () => undefined);
    return this.port;
  }

  get port(): number {
    const address = this.server?.address();
    return address && typeof address === 'object' ? address.port : 0;
  }

  /** The pod connections currently go to (null before the first resolution). */
  get pod(): ResolvedPod | null {
    return this.current;
  }

  get openConnections(): number {
    return this.connections.size;
  }

  /** The pod the forward is pinned to, or null when it follows the target's choice (the primary). */
  get pinned(): string | null {
    return this.pinnedPod;
  }

  /**
   * Pins the forward to one pod by name, or (null) back to the target's
   * choice. The connections open now end, so their clients reconnect, and
   * reach the new pod.
   */
  pin(pod: string | null): void {
    if (pod === this.pinnedPod) return;
    this.pinnedPod = pod;
    this.suspect = true;
    for (const connection of this.connections) connection.destroy();
  }

  /** Forget the current pod: the next connection resolves the target again. */
  invalidate(): void {
    this.suspect = true;
  }

  /** The pod to use now: the known one, or a fresh resolution (one at a time). */
  async currentPod(): Promise<ResolvedPod> {
    if (this.current && !this.suspect) return this.current;
    this.resolving ??= (async () => {
      const pinned = this.pinnedPod;
      try {
        const pod = await this.options.resolve(pinned);
        const changed = !this.current || this.current.name !== pod.name || this.current.port !== pod.port || this.current.note !== pod.note;
        this.current = pod;
        // Pinned elsewhere meanwhile: the next connection resolves again.
        this.suspect = pinned !== this.pinnedPod;
        if (changed) this.emit('pod', pod);
        return pod;
      } finally {
        this.resolving = null;
      }
    })();
    return this.resolving;
  }

  /** Opens one tunnel to `pod` with the forward's settings. */
  openTunnel(pod: ResolvedPod, onMessage: (data: Buffer) => void): Promise<ChannelSocket> {
    return openChannelSocket(
      this.options.kube,
      `/api/v1/namespaces/${encodeURIComponent(pod.namespace)}/pods/${encodeURIComponent(pod.name)}/portforward?ports=${pod.port}`,
      { verb: 'create', resource: 'pods/portforward', namespace: pod.namespace, name: pod.name },
      { protocols: PORTFORWARD_PROTOCOLS, pingIntervalMs: this.options.pingIntervalMs ?? 15_000, openTimeoutMs: this.holdMs },
      onMessage,
    );
  }

  fail(error: K8sError): void {
    this.lastFailure = { error, at: Date.now() };
    this.emit('failure', this.lastFailure);
  }

  isRetryable(error: K8sError): boolean {
    return RETRYABLE.has(error.kind);
  }

  private accept(socket: net.Socket): void {
    if (this.closed) {
      socket.destroy();
      return;
    }
    const connection = new ForwardedConnection(this, socket);
    this.connections.add(connection);
    socket.once('close', () => this.connections.delete(connection));
    void connection.run();
  }

  /** Closes the listener, every local socket and every tunnel; safe to call twice. */
  async close(): Promise<void> {
    this.closed = true;
    for (const connection of this.connections) connection.destroy();
    this.connections.clear();
    const server = this.server;
    this.server = null;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  get isClosed(): boolean {
    return this.closed;
  }
}

/** One accepted local connection and its tunnel (or the tunnels tried for it). */
class ForwardedConnection {
  private tunnel: ChannelSocket | null = null;
  private pod: ResolvedPod | null = null;
  /** Client bytes sent since the pod side last said anything: replayed on a retry. */
  private replay: Buffer[] | null = [];
  private replayBytes = 0;
  private podBytes = 0;
  private inFlight = 0;
  private localPaused = false;
  private done = false;
  private readonly deadline: number;
  /** Remaining port-prefix bytes per channel of the current tunnel. */
  private prefix = [2, 2];
  private errorText = '';
  private tunnelOpen = false;
  private podPaused = false;

  constructor(
    private readonly forward: PodForwarder,
    private readonly socket: net.Socket,
  ) {
    this.deadline = Date.now() + forward.holdMs;
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.fromLocal(chunk));
    // Nothing is read until a tunnel is open (attaching 'data' would start the flow).
    socket.pause();
    socket.on('error', () => undefined);
    socket.once('close', () => this.destroy());
  }

  async run(): Promise<void> {
    let delay = this.forward.retryMs.first;
    for (;;) {
      if (this.done) return;
      try {
        await this.connect();
        return;
      } catch (error) {
        const failure = error instanceof K8sError ? error : new K8sError(String((error as Error)?.message ?? error), 'other');
        this.forward.fail(failure);
        if (!this.forward.isRetryable(failure) || Date.now() + delay > this.deadline || this.done) {
          this.destroy();
          return;
        }
        // Jitter, so many held connections do not hit the API server together.
        await sleep(delay / 2 + (Math.random() * delay) / 2);
        delay = Math.min(this.forward.retryMs.max, delay * 2);
      }
    }
  }

  private async connect(): Promise<void> {
    const pod = await this.forward.currentPod();
    if (this.done) return;
    this.prefix = [2, 2];
    this.errorText = '';
    this.tunnelOpen = false;
    this.podPaused = false;
    const tunnel = await this.forward.openTunnel(pod, (data) => this.fromPod(tunnel, data));
    if (this.done) {
      tunnel.ws.terminate();
      return;
    }
    this.tunnel = tunnel;
    this.pod = pod;
    // Set by the 'open' event itself, before any frame of the 101's read is handled.
    tunnel.ws.once('open', () => {
      if (this.tunnel === tunnel) this.tunnelOpen = true;
    });
    tunnel.ws.once('close', (code, reason) => this.tunnelClosed(tunnel, code, reason.toString()));
    try {
      await tunnel.opened;
    } catch (error) {
      this.tunnel = null;
      // The pod is gone or not running (404/400): look again before the next try.
      if (error instanceof K8sError && error.kind !== 'forbidden' && error.kind !== 'unauthorized') this.forward.invalidate();
      throw error;
    }
    if (this.done) {
      tunnel.ws.close(1000);
      return;
    }
    // Replay what the client sent to a tunnel that failed before the pod answered.
    for (const chunk of this.replay ?? []) this.sendToPod(chunk);
    this.socket.resume();
  }

  private fromLocal(chunk: Buffer): void {
    if (this.replay) {
      this.replay.push(chunk);
      this.replayBytes += chunk.length;
      if (this.replayBytes > (this.forward.options.replayLimit ?? 64 * 1024)) this.replay = null;
    }
    const tunnel = this.tunnel;
    if (tunnel && this.tunnelOpen && tunnel.ws.readyState === tunnel.ws.OPEN) this.sendToPod(chunk);
    else this.socket.pause(); // held until a tunnel is open; the replay buffer has it
  }

  private sendToPod(chunk: Buffer): void {
    const tunnel = this.tunnel;
    if (!tunnel) return;
    const frame = Buffer.allocUnsafe(chunk.length + 1);
    frame[0] = 0;
    chunk.copy(frame, 1);
    this.inFlight += frame.length;
    tunnel.ws.send(frame, (error) => {
      this.inFlight -= frame.length;
      if (!error && this.localPaused && this.inFlight < this.highWater() / 2) {
        this.localPaused = false;
        this.socket.resume();
      }
    });
    if (this.inFlight > this.highWater() && !this.localPaused) {
      this.localPaused = true;
      this.socket.pause();
    }
  }

  private highWater(): number {
    return this.forward.options.highWaterMark ?? 1024 * 1024;
  }

  private fromPod(tunnel: ChannelSocket, data: Buffer): void {
    if (tunnel !== this.tunnel || data.length < 1) return;
    const channel = data[0]!;
    let payload = data.subarray(1);
    if (channel > 1) return; // one port: channels 0 and 1 only
    const skip = Math.min(this.prefix[channel]!, payload.length);
    this.prefix[channel]! -= skip;
    payload = payload.subarray(skip);
    if (payload.length === 0) return;
    if (channel === 1) {
      // kubelet could not reach the port in the pod (or lost it): it closes next.
      this.errorText += payload.toString('utf8');
      return;
    }
    this.podBytes += payload.length;
    // The pod answered: from now on this session is bound to this tunnel.
    this.replay = null;
    if (!this.socket.write(payload) && !this.podPaused) {
      this.podPaused = true;
      tunnel.setPaused(true);
      this.socket.once('drain', () => {
        this.podPaused = false;
        tunnel.setPaused(false);
      });
    }
  }

  private tunnelClosed(tunnel: ChannelSocket, code: number, reason: string): void {
    // A tunnel that never opened is handled where its opening failed.
    if (tunnel !== this.tunnel || this.done || !this.tunnelOpen) return;
    this.tunnel = null;
    this.tunnelOpen = false;
    const pod = this.pod!;
    // The server ended it: the pod may be gone, restarting, or no longer primary.
    this.forward.invalidate();
    const why = this.errorText.trim()
      ? forwardErrorCause(this.errorText)
      : code === 1000
        ? 'closed by the API server'
        : `tunnel lost (WebSocket ${code}${reason ? ` ${reason}` : ''})`;
    if (this.replay && Date.now() < this.deadline) {
      // Nothing came from the pod yet: the client cannot tell a retry from a slow start.
      this.forward.fail(new K8sError(`port ${pod.port} in pod ${pod.name}: ${why}`, 'refused', undefined, why));
      this.socket.pause();
      void sleep(this.forward.retryMs.first).then(() => this.run());
      return;
    }
    this.forward.emit('tunnel-lost', { pod, reason: why });
    const clean = code === 1000 && !this.errorText;
    // A clean close is the server ending the session (PostgreSQL says why, better than we can).
    if (!clean) this.forward.fail(new K8sError(`lost the port-forward to pod ${pod.name}: ${why}`, 'refused', undefined, why));
    if (clean) {
      // A clean end (the server closed the session): let the bytes already written reach the client.
      this.socket.end();
      setTimeout(() => this.destroy(), 1_000).unref();
    } else {
      this.destroy();
    }
  }

  destroy(): void {
    if (this.done) return;
    this.done = true;
    this.socket.destroy();
    const tunnel = this.tunnel;
    this.tunnel = null;
    if (tunnel) {
      if (tunnel.ws.readyState === tunnel.ws.OPEN) tunnel.ws.close(1000);
      else tunnel.ws.terminate();
      // A peer that never answers the close handshake must not keep the socket.
      setTimeout(() => tunnel.ws.terminate(), 2_000).unref();
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
