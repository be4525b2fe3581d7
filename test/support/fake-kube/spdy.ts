// kubectl's port-forward protocol for the fake API server: SPDY/3.1 with the
// portforward.k8s.io subprotocol, either on the upgraded HTTP connection
// (POST, kubectl ≤ 1.30) or tunnelled in a WebSocket whose binary messages
// are slices of the SPDY byte stream (GET, SPDY/3.1+portforward.k8s.io,
// kubectl ≥ 1.31). Per local connection kubectl opens two streams, "error"
// and "data" (headers streamtype, port, requestid); data is piped to the
// pod's port; error text on the error stream makes kubectl give up.
// What mattered (kubernetes-protocol.md §2.3): reply to every SYN_STREAM at
// once; one zlib stream per direction with the SPDY/3 dictionary, each
// header block ending with a sync-flush marker; echo PINGs; no flow control.
import type { IncomingMessage } from 'node:http';
import net from 'node:net';
import zlib from 'node:zlib';
import { WebSocketServer, type WebSocket } from 'ws';
import type { FakePod } from './model.js';
import type { FakeKube } from './server.js';
import { reportExit, spawnInPod, type ExecRequest } from './streams.js';

const SYN_STREAM = 1;
const SYN_REPLY = 2;
const RST_STREAM = 3;
const PING = 6;
const GOAWAY = 7;
const FLAG_FIN = 0x01;

/** The SPDY/3 header compression dictionary (draft-mbelshe-httpbis-spdy-00 §2.6.10.1), built from its parts. */
export const SPDY3_DICTIONARY: Buffer = (() => {
  const words = [
    'options', 'head', 'post', 'put', 'delete', 'trace', 'accept', 'accept-charset', 'accept-encoding', 'accept-language',
    'accept-ranges', 'age', 'allow', 'authorization', 'cache-control', 'connection', 'content-base', 'content-encoding',
    'content-language', 'content-length', 'content-location', 'content-md5', 'content-range', 'content-type', 'date', 'etag',
    'expect', 'expires', 'from', 'host', 'if-match', 'if-modified-since', 'if-none-match', 'if-range', 'if-unmodified-since',
    'last-modified', 'location', 'max-forwards', 'pragma', 'proxy-authenticate', 'proxy-authorization', 'range', 'referer',
    'retry-after', 'server', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'user-agent', 'vary', 'via', 'warning',
    'www-authenticate', 'method', 'get', 'status', '200 OK', 'version', 'HTTP/1.1', 'url', 'public', 'set-cookie', 'keep-alive', 'origin',
  ];
  const tail =
    '100101201202205206300302303304305306307402405406407408409410411412413414415416417502504505' +
    '203 Non-Authoritative Information204 No Content301 Moved Permanently400 Bad Request401 Unauthorized' +
    '403 Forbidden404 Not Found500 Internal Server Error501 Not Implemented503 Service Unavailable' +
    'Jan Feb Mar Apr May Jun Jul Aug Sept Oct Nov Dec 00:00:00 Mon, Tue, Wed, Thu, Fri, Sat, Sun, GMT' +
    'chunked,text/html,image/png,image/jpg,image/gif,application/xml,application/xhtml+xml,text/plain,' +
    'text/javascript,publicprivatemax-age=gzip,deflate,sdchcharset=utf-8charset=iso-8859-1,utf-,*,enq=0.';
  const parts = words.map((w) => {
    const b = Buffer.alloc(4 + w.length);
    b.writeUInt32BE(w.length, 0);
    b.write(w, 4, 'latin1');
    return b;
  });
  const dictionary = Buffer.concat([...parts, Buffer.from(tail, 'latin1')]);
  if (dictionary.length !== 1423) throw new Error(`SPDY/3 dictionary is ${dictionary.length} bytes, not 1423`);
  return dictionary;
})();

/** A byte pipe under the SPDY session: the upgraded socket, or a WebSocket tunnel. */
interface Transport {
  write(data: Buffer): boolean;
  onDrain(fn: () => void): void;
  pause(): void;
  resume(): void;
  close(): void;
  kill(): void;
}

interface Stream {
  id: number;
  type: string;
  requestId: string;
  port: number;
  socket?: net.Socket;
  pending: Buffer[];
  connected: boolean;
}

/** Installs kubectl port-forward support (SPDY and SPDY-in-WebSocket) on a fake API server. */
export function enableSpdyPortForward(fake: FakeKube): void {
  const tunnels = new WebSocketServer({ noServer: true, perMessageDeflate: false });
  // ws refuses "SPDY/3.1+portforward.k8s.io" ('/' is no token character): the
  // header is taken out before the handshake and put back in the answer.
  tunnels.on('headers', (headers) => headers.push('Sec-WebSocket-Protocol: SPDY/3.1+portforward.k8s.io'));
  fake.spdyUpgrade = (req: IncomingMessage, socket: net.Socket, head: Buffer, pod: FakePod, tunnelled: boolean, exec: ExecRequest | null) => {
    if (tunnelled) {
      delete req.headers['sec-websocket-protocol'];
      tunnels.handleUpgrade(req, socket, head, (ws) =>
        serveSession(wsTransport(ws), pod, null, (onData, onClose) => {
          ws.on('message', (d: Buffer) => onData(d));
          ws.on('close', onClose);
        }),
      );
      return;
    }
    // Exec speaks the channel protocol's versions (v4: a JSON Status on the error stream).
    const offered = String(req.headers['x-stream-protocol-version'] ?? '').split(',').map((p) => p.trim());
    const protocol = exec ? (offered.includes('v4.channel.k8s.io') ? 'v4.channel.k8s.io' : null) : 'portforward.k8s.io';
    if (!protocol) {
      socket.end('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
      return;
    }
    socket.write(
      `HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: ${protocol}\r\n\r\n`,
    );
    socket.setNoDelay(true);
    serveSession(socketTransport(socket), pod, exec, (onData, onClose) => {
      if (head.length) onData(head);
      socket.on('data', onData);
      socket.on('close', onClose);
    });
  };
}

function socketTransport(socket: net.Socket): Transport {
  socket.on('error', () => undefined);
  return {
    write: (data) => socket.write(data),
    onDrain: (fn) => socket.once('drain', fn),
    pause: () => socket.pause(),
    resume: () => socket.resume(),
    close: () => socket.end(),
    kill: () => socket.destroy(),
  };
}

function wsTransport(ws: WebSocket): Transport {
  const drains: (() => void)[] = [];
  ws.on('error', () => undefined);
  return {
    write: (data) => {
      ws.send(data, () => {
        if (ws.bufferedAmount < 512 * 1024) for (const fn of drains.splice(0)) fn();
      });
      return ws.bufferedAmount < 1024 * 1024;
    },
    onDrain: (fn) => drains.push(fn),
    pause: () => ws.pause(),
    resume: () => ws.resume(),
    close: () => ws.close(1000),
    kill: () => ws.terminate(),
  };
}

function serveSession(transport: Transport, pod: FakePod, exec: ExecRequest | null, listen: (onData: (data: Buffer) => void, onClose: () => void) => void): void {
  const inflate = zlib.createInflate({ dictionary: SPDY3_DICTIONARY });
  let deflateStarted = false;
  const streams = new Map<number, Stream>();
  let buffer: Buffer = Buffer.alloc(0);
  let closed = false;
  let chain: Promise<void> = Promise.resolve();
  const handle = { kill: () => shutdown(true), freeze: () => transport.pause() };
  pod.streams.add(handle);

  const shutdown = (abrupt: boolean) => {
    if (closed) return;
    closed = true;
    pod.streams.delete(handle);
    for (const s of streams.values()) s.socket?.destroy();
    execChild?.kill('SIGKILL');
    if (abrupt) transport.kill();
    else transport.close();
  };

  const control = (type: number, flags: number, payload: Buffer) => {
    const frame = Buffer.alloc(8 + payload.length);
    frame.writeUInt16BE(0x8003, 0);
    frame.writeUInt16BE(type, 2);
    frame.writeUInt32BE(payload.length, 4);
    frame[4] = flags;
    payload.copy(frame, 8);
    return transport.write(frame);
  };
  const data = (id: number, flags: number, payload: Buffer) => {
    const frame = Buffer.alloc(8 + payload.length);
    frame.writeUInt32BE(id & 0x7fffffff, 0);
    frame.writeUInt32BE(payload.length, 4);
    frame[4] = flags;
    payload.copy(frame, 8);
    return transport.write(frame);
  };
  /** A header block in stored deflate blocks, each ended by a sync flush (Go's flate needs the marker). */
  const headerBlock = (headers: Record<string, string>) => {
    const entries = Object.entries(headers);
    const parts: Buffer[] = [u32(entries.length)];
    for (const [k, v] of entries) parts.push(u32(Buffer.byteLength(k)), Buffer.from(k), u32(Buffer.byteLength(v)), Buffer.from(v));
    const raw = Buffer.concat(parts);
    const stored = Buffer.alloc(5 + raw.length);
    stored[0] = 0x00;
    stored.writeUInt16LE(raw.length, 1);
    stored.writeUInt16LE(~raw.length & 0xffff, 3);
    raw.copy(stored, 5);
    const prefix = deflateStarted ? Buffer.alloc(0) : Buffer.from([0x78, 0x01]);
    deflateStarted = true;
    return Buffer.concat([prefix, stored, Buffer.from([0x00, 0x00, 0x00, 0xff, 0xff])]);
  };
  // One zlib context per direction for the whole session. Node inflates asynchronously,
  // so frames are handled through a promise chain, in order.
  const inflated: Buffer[] = [];
  inflate.on('data', (d: Buffer) => inflated.push(d));
  inflate.on('error', () => shutdown(true));
  const inflateBlock = (block: Buffer) =>
    new Promise<Buffer>((resolve) => {
      inflate.write(block);
      inflate.flush(zlib.constants.Z_SYNC_FLUSH, () => resolve(Buffer.concat(inflated.splice(0))));
    });
  const readHeaders = async (block: Buffer): Promise<Record<string, string>> => {
    const out = await inflateBlock(block);
    const headers: Record<string, string> = {};
    let at = 4;
    for (let i = 0, n = out.readUInt32BE(0); i < n; i++) {
      const kl = out.readUInt32BE(at);
      const key = out.subarray(at + 4, at + 4 + kl).toString();
      at += 4 + kl;
      const vl = out.readUInt32BE(at);
      headers[key.toLowerCase()] = out.subarray(at + 4, at + 4 + vl).toString();
      at += 4 + vl;
    }
    return headers;
  };

  let execStarted = false;
  const stdinWaiting: Buffer[] = [];
  let stdinEnded = false;
  let execChild: ReturnType<typeof spawnInPod> | null = null;
  /** Exec over SPDY: once every expected stream is open, run the command as kubelet does. */
  const maybeStartExec = () => {
    if (!exec || execStarted) return;
    const byType = new Map([...streams.values()].map((s) => [s.type, s.id]));
    const wanted = ['error', ...(exec.stdout ? ['stdout'] : []), ...(exec.stderr ? ['stderr'] : []), ...(exec.stdin ? ['stdin'] : [])];
    if (!wanted.every((t) => byType.has(t))) return;
    execStarted = true;
    const child = spawnInPod(pod, exec.command, exec.container);
    execChild = child;
    child.stdin.on('error', () => undefined);
    for (const chunk of stdinWaiting.splice(0)) child.stdin.write(chunk);
    if (!exec.stdin || stdinEnded) child.stdin.end();
    for (const [name, readable] of [['stdout', child.stdout], ['stderr', child.stderr]] as const) {
      const id = byType.get(name);
      readable.on('data', (chunk: Buffer) => {
        if (id !== undefined && !closed && !data(id, 0, chunk)) {
          readable.pause();
          transport.onDrain(() => readable.resume());
        }
      });
    }
    reportExit(child, exec, (status) => {
      if (closed) return;
      for (const name of ['stdout', 'stderr']) if (byType.has(name)) data(byType.get(name)!, FLAG_FIN, Buffer.alloc(0));
      data(byType.get('error')!, FLAG_FIN, Buffer.from(JSON.stringify(status)));
    });
  };

  const openStream = (id: number, headers: Record<string, string>) => {
    const stream: Stream = { id, type: headers.streamtype ?? '', requestId: headers.requestid ?? '', port: Number(headers.port), pending: [], connected: false };
    streams.set(id, stream);
    control(SYN_REPLY, 0, Buffer.concat([u32(id), headerBlock({})]));
    if (exec) return maybeStartExec();
    if (stream.type !== 'data') return;
    const errorStream = [...streams.values()].find((s) => s.type === 'error' && s.requestId === stream.requestId);
    const backend = pod.ports[stream.port];
    const fail = (why: string) => {
      const text = Buffer.from(`error forwarding port ${stream.port} to pod ${pod.uid}, uid : failed to connect to localhost:${stream.port} inside namespace "${pod.uid}", IPv4: ${why}`);
      if (errorStream) data(errorStream.id, FLAG_FIN, text);
      data(id, FLAG_FIN, Buffer.alloc(0));
    };
    if (!backend) return fail(`dial tcp4 127.0.0.1:${stream.port}: connect: connection refused`);
    const socket = net.connect(backend.port, backend.host);
    stream.socket = socket;
    socket.setNoDelay(true);
    socket.on('connect', () => {
      stream.connected = true;
      for (const chunk of stream.pending.splice(0)) socket.write(chunk);
    });
    socket.on('data', (chunk: Buffer) => {
      if (!data(id, 0, chunk)) {
        socket.pause();
        transport.onDrain(() => socket.resume());
      }
    });
    // As kubelet: when the pod side is done, both streams of the pair are closed.
    socket.on('close', () => {
      if (closed || !stream.connected) return;
      data(id, FLAG_FIN, Buffer.alloc(0));
      if (errorStream) data(errorStream.id, FLAG_FIN, Buffer.alloc(0));
    });
    socket.on('error', (error: NodeJS.ErrnoException) => {
      if (!stream.connected) fail(`dial tcp4 ${backend.host}:${backend.port}: connect: ${error.code === 'ECONNREFUSED' ? 'connection refused' : error.message}`);
    });
  };

  const onFrame = async (frame: Buffer): Promise<void> => {
    if (frame[0]! & 0x80) {
      const type = frame.readUInt16BE(2);
      const payload = frame.subarray(8);
      if (type === SYN_STREAM) openStream(payload.readUInt32BE(0) & 0x7fffffff, await readHeaders(payload.subarray(10)));
      else if (type === PING) control(PING, 0, payload);
      else if (type === RST_STREAM) streams.get(payload.readUInt32BE(0) & 0x7fffffff)?.socket?.destroy();
      else if (type === GOAWAY) shutdown(false);
      return; // SETTINGS, WINDOW_UPDATE, HEADERS: spdystream has no flow control either
    }
    const id = frame.readUInt32BE(0) & 0x7fffffff;
    const fin = (frame[4]! & FLAG_FIN) !== 0;
    const payload = frame.subarray(8);
    const stream = streams.get(id);
    if (exec && stream?.type === 'stdin') {
      if (payload.length) {
        if (execChild) execChild.stdin.write(payload);
        else stdinWaiting.push(Buffer.from(payload));
      }
      if (fin) {
        stdinEnded = true;
        execChild?.stdin.end();
      }
      return;
    }
    if (!stream?.socket) return;
    if (payload.length) {
      if (!stream.connected) stream.pending.push(Buffer.from(payload));
      else if (!stream.socket.write(payload)) {
        transport.pause();
        stream.socket.once('drain', () => transport.resume());
      }
    }
    if (fin) stream.socket.end();
  };

  listen((chunk: Buffer) => {
    if (closed) return;
    buffer = buffer.length ? Buffer.concat([buffer, chunk]) : chunk;
    while (buffer.length >= 8) {
      const length = buffer.readUInt32BE(4) & 0xffffff;
      if (buffer.length < 8 + length) break;
      const frame = buffer.subarray(0, 8 + length);
      buffer = buffer.subarray(8 + length);
      chain = chain.then(() => (closed ? undefined : onFrame(frame))).catch(() => shutdown(true));
    }
  }, () => shutdown(true));
}

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n, 0);
  return b;
}
