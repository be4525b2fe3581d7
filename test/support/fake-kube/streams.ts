// The fake's streaming subresources over WebSocket, as kubelet serves them:
// portforward (v4.channel.k8s.io: per port a data and an error channel, each
// opening with the port as uint16 LE; one WebSocket per TCP connection; the
// error text then a close when the port cannot be reached) and exec
// (v5/v4.channel.k8s.io: an empty "ready" frame, stdout/stderr, the Status on
// channel 3, then close; [255, 0] closes stdin in v5).
import { spawn, type ChildProcess } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import net from 'node:net';
import type WebSocket from 'ws';
import type { FakePod } from './model.js';

const HIGH_WATER = 1024 * 1024;

/** Sends with backpressure on `source`: paused while the WebSocket has too much queued. */
function sendPaced(ws: WebSocket, frame: Buffer, source: { pause(): void; resume(): void }): void {
  ws.send(frame, () => {
    if (ws.bufferedAmount < HIGH_WATER / 2) source.resume();
  });
  if (ws.bufferedAmount > HIGH_WATER) source.pause();
}

export function servePortForward(ws: WebSocket, pod: FakePod, ports: number[]): void {
  const sockets: net.Socket[] = [];
  const raw = (ws as unknown as { _socket: net.Socket })._socket;
  const handle = {
    kind: 'portforward' as const,
    kill: () => {
      ws.terminate();
      for (const s of sockets) s.destroy();
    },
    freeze: () => {
      // A black hole: nothing is read any more, so pings go unanswered.
      raw.pause();
    },
  };
  pod.streams.add(handle);
  ws.on('close', () => {
    pod.streams.delete(handle);
    for (const s of sockets) s.destroy();
  });
  ws.on('error', () => undefined);

  ports.forEach((port, i) => {
    const prefix = Buffer.from([0, port & 0xff, port >> 8]);
    ws.send(Buffer.from([2 * i, ...prefix.subarray(1)]));
    ws.send(Buffer.from([2 * i + 1, ...prefix.subarray(1)]));
    const backend = pod.ports[port];
    const pending: Buffer[] = [];
    let connected = false;
    const fail = (why: string) => {
      const text = `error forwarding port ${port} to pod ${pod.uid}, uid : failed to execute portforward in network namespace "/var/run/netns/cni-fake": failed to connect to localhost:${port} inside namespace "${pod.uid}", IPv4: ${why} `;
      if (ws.readyState === ws.OPEN) {
        ws.send(Buffer.concat([Buffer.from([2 * i + 1]), Buffer.from(text)]));
        ws.close(1000);
      }
    };
    if (!backend) {
      fail('dial tcp4 127.0.0.1:' + port + ': connect: connection refused');
      return;
    }
    const socket = net.connect(backend.port, backend.host);
    sockets.push(socket);
    socket.setNoDelay(true);
    socket.on('connect', () => {
      connected = true;
      // Data can arrive before the in-pod connection is up: it was kept.
      for (const chunk of pending.splice(0)) socket.write(chunk);
    });
    socket.on('data', (chunk: Buffer) => sendPaced(ws, Buffer.concat([Buffer.from([2 * i]), chunk]), socket));
    socket.on('error', (error: NodeJS.ErrnoException) => {
      if (!connected) fail(`dial tcp4 ${backend.host}:${backend.port}: connect: ${error.code === 'ECONNREFUSED' ? 'connection refused' : error.message}`);
    });
    socket.on('close', () => {
      if (connected && ws.readyState === ws.OPEN) ws.close(1000);
    });
    ws.on('message', (data: Buffer) => {
      if (data.length < 1 || data[0] !== 2 * i) return;
      const payload = data.subarray(1);
      if (!connected) pending.push(payload);
      else if (!socket.write(payload)) {
        ws.pause();
        socket.once('drain', () => ws.resume());
      }
    });
  });
}

export interface ExecRequest {
  command: string[];
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  /** The container it runs in (the request's, or the pod's only one). */
  container: string;
}

export function serveExec(ws: WebSocket, pod: FakePod, request: ExecRequest): void {
  const v5 = ws.protocol === 'v5.channel.k8s.io';
  const child = spawnInPod(pod, request.command, request.container);
  const raw = (ws as unknown as { _socket: net.Socket })._socket;
  const handle = {
    kind: 'exec' as const,
    kill: () => {
      ws.terminate();
      child.kill('SIGKILL');
    },
    freeze: () => {
      raw.pause();
    },
  };
  pod.streams.add(handle);
  let finished = false;
  ws.on('close', () => {
    pod.streams.delete(handle);
    if (!finished) child.kill('SIGTERM');
  });
  ws.on('error', () => undefined);
  child.stdin.on('error', () => undefined);
  if (!request.stdin) child.stdin.end();

  // kubelet's "streams ready": an empty message on the lowest output channel.
  ws.send(Buffer.from([request.stdout ? 1 : 2]));
  child.stdout.on('data', (chunk: Buffer) => {
    if (request.stdout) sendPaced(ws, Buffer.concat([Buffer.from([1]), chunk]), child.stdout);
  });
  child.stderr.on('data', (chunk: Buffer) => {
    if (request.stderr) sendPaced(ws, Buffer.concat([Buffer.from([2]), chunk]), child.stderr);
  });
  ws.on('message', (data: Buffer) => {
    if (data.length < 1) return;
    if (data[0] === 0) child.stdin.write(data.subarray(1));
    else if (data[0] === 255 && data[1] === 0 && v5) child.stdin.end();
  });

  const sendStatus = (status: object) => {
    finished = true;
    if (ws.readyState !== ws.OPEN) return;
    ws.send(Buffer.concat([Buffer.from([3]), Buffer.from(JSON.stringify(status))]));
    ws.close(1000);
  };
  reportExit(child, request, (status) => {
    if (!finished) sendStatus(status);
  });
}

/** The exec Status kubelet writes on the error channel: Success, NonZeroExitCode, or a runtime failure. */
export function reportExit(child: ChildProcess, request: ExecRequest, report: (status: object) => void): void {
  const [file] = request.command;
  child.on('error', (error: NodeJS.ErrnoException) => {
    report({
      metadata: {},
      status: 'Failure',
      message: `OCI runtime exec failed: exec failed: unable to start container process: exec: "${file}": ${error.code === 'ENOENT' ? 'executable file not found in $PATH' : error.message}: unknown`,
      reason: 'InternalError',
      details: { causes: [{ message: error.message }] },
      code: 500,
    });
  });
  child.on('close', (code, signal) => {
    if (code === null && signal === null) return; // never started: 'error' said why
    if (code === 0) report({ metadata: {}, status: 'Success' });
    else {
      const exit = code ?? 128 + (signal === 'SIGKILL' ? 9 : 15);
      report({
        metadata: {},
        status: 'Failure',
        message: `command terminated with non-zero exit code: error executing command [${request.command.join(' ')}], exit code ${exit}`,
        reason: 'NonZeroExitCode',
        details: { causes: [{ reason: 'ExitCode', message: String(exit) }] },
      });
    }
  });
}

/** Starts an exec'd command as the pod would: its environment, and PATH to find it. */
export function spawnInPod(pod: FakePod, command: string[], container = pod.containerName): ChildProcess & { stdin: Writable; stdout: Readable; stderr: Readable } {
  const [file, ...args] = command;
  return spawn(file!, args, {
    // A sidecar has none of the server container's environment (PGDATA, POSTGRES_PASSWORD…).
    env: { PATH: process.env.PATH, HOME: process.env.HOME, LANG: 'C.UTF-8', ...(container === pod.containerName ? pod.env : {}) },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
}
