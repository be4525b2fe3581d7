// A WebSocket to an API server streaming subresource (portforward, exec),
// opened the way pgtop needs and client-node's WebSocketHandler does not:
// message handlers attached before the upgrade completes (kubelet's first
// frames can arrive in the same read as the 101), the JSON Status body of a
// refused upgrade kept (so "pods \"x\" is forbidden: …" reaches the user, not
// "Unexpected server response: 403"), and a ping keepalive that terminates a
// tunnel whose peer stopped answering.
import WebSocket from 'ws';
import { httpError, K8sError, networkError, type ApiOperation } from './errors.js';
import type { KubeClient } from './kube.js';

export interface ChannelSocketOptions {
  /** Sec-WebSocket-Protocol values to offer, preferred first. */
  protocols: string[];
  /** Ping every this often; a missing pong by the next ping terminates the socket. 0: no keepalive. */
  pingIntervalMs?: number;
  /** Give up opening after this long. */
  openTimeoutMs?: number;
}

export interface ChannelSocket {
  ws: WebSocket;
  /** Resolves on the 101 (with the negotiated protocol); rejects with a one-line K8sError. */
  opened: Promise<string>;
  /** Stops the keepalive check while the reader is deliberately paused (backpressure). */
  setPaused(paused: boolean): void;
}

export async function openChannelSocket(
  kube: KubeClient,
  path: string,
  op: ApiOperation,
  options: ChannelSocketOptions,
  onMessage: (data: Buffer) => void,
): Promise<ChannelSocket> {
  const wsOptions = await kube
    .wsOptions({ handshakeTimeout: options.openTimeoutMs ?? 10_000, perMessageDeflate: false })
    .catch((error: unknown) => {
      throw kube.describe(error, op);
    });
  const ws = new WebSocket(kube.wsUrl(path), options.protocols, wsOptions);
  ws.binaryType = 'nodebuffer';
  // Attached now, before the upgrade: frames that arrive with the 101 are not lost.
  ws.on('message', (data: Buffer, isBinary: boolean) => {
    onMessage(isBinary ? data : Buffer.from(data));
  });
  let paused = false;
  let awaitingPong = false;
  let pinger: NodeJS.Timeout | undefined;
  const opened = new Promise<string>((resolve, reject) => {
    ws.once('open', () => {
      if (options.pingIntervalMs) {
        pinger = setInterval(() => {
          if (ws.readyState !== WebSocket.OPEN) return;
          // A paused reader cannot see the pong; the socket is not dead for that.
          if (awaitingPong && !paused) {
            ws.terminate();
            return;
          }
          awaitingPong = true;
          ws.ping();
        }, options.pingIntervalMs);
        pinger.unref();
      }
      resolve(ws.protocol);
    });
    ws.once('unexpected-response', (_req, res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        reject(httpError(res.statusCode ?? 0, Buffer.concat(chunks).toString('utf8'), op, kube.context));
        ws.terminate();
      });
      res.on('error', () => reject(httpError(res.statusCode ?? 0, undefined, op, kube.context)));
    });
    ws.once('error', (error) => reject(error instanceof K8sError ? error : networkError(error, kube.server, kube.context)));
    ws.once('close', () => reject(new K8sError(`the API server closed the ${op.resource} stream before it opened`, 'refused')));
  });
  opened.catch(() => undefined);
  ws.on('pong', () => {
    awaitingPong = false;
  });
  ws.on('close', () => clearInterval(pinger));
  // Errors after open surface as 'close' (code 1006); never as an uncaught 'error'.
  ws.on('error', () => undefined);
  return {
    ws,
    opened,
    setPaused(value: boolean) {
      paused = value;
      if (value) ws.pause();
      else {
        awaitingPong = false;
        ws.resume();
      }
    },
  };
}
