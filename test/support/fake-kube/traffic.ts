// What the fake API server sent, by kind, for the Kubernetes cost benchmark
// (bench/k8s.ts): requests as the server saw them (REST calls, watches and
// log follows opened, exec and port-forward streams opened) and the bytes it
// wrote on their connections: HTTP headers and bodies, watch events,
// WebSocket frames (a TLS socket's bytesWritten: before encryption, so
// without the handshake and the records' ~30 bytes each).
// A keep-alive connection carries one request after another: the bytes
// written since its last request are charged to that request's kind; a
// watch, a log follow or an upgraded stream keeps its connection to itself.
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { FakeKube } from './server.js';

export type TrafficKind = 'rest' | 'watch' | 'exec' | 'portforward';

export interface TrafficCounts {
  requests: Record<TrafficKind, number>;
  bytes: Record<TrafficKind, number>;
}

interface Tracked {
  socket: Socket;
  kind: TrafficKind;
  /** bytesWritten already charged. */
  charged: number;
}

const zero = (): Record<TrafficKind, number> => ({ rest: 0, watch: 0, exec: 0, portforward: 0 });

/** A long-lived GET: a watch (watch=true|1) or a followed log (follow=true|1). */
function kindOfRequest(req: IncomingMessage): TrafficKind {
  const url = new URL(req.url ?? '/', 'https://fake');
  const on = (name: string) => ['true', '1'].includes(url.searchParams.get(name) ?? '');
  return on('watch') || on('follow') ? 'watch' : 'rest';
}

function kindOfUpgrade(req: IncomingMessage): TrafficKind {
  return /\/portforward(\?|$)/.test(req.url ?? '') ? 'portforward' : 'exec';
}

/** Starts counting from now; counts() reads the totals so far (take differences for a window). */
export function countTraffic(kube: FakeKube): { counts(): TrafficCounts } {
  const requests = zero();
  const bytes = zero();
  const tracked = new Map<Socket, Tracked>();
  const charge = (t: Tracked) => {
    const written = t.socket.bytesWritten;
    bytes[t.kind] += written - t.charged;
    t.charged = written;
  };
  const seen = (socket: Socket, kind: TrafficKind) => {
    requests[kind] += 1;
    let t = tracked.get(socket);
    if (!t) {
      t = { socket, kind, charged: 0 };
      tracked.set(socket, t);
      socket.once('close', () => {
        charge(t!);
        tracked.delete(socket);
      });
    }
    charge(t); // what the previous request on this connection got
    t.kind = kind;
  };
  // Prepended: the count is taken before the fake's own handler writes the answer.
  kube.server.prependListener('request', (req: IncomingMessage) => seen(req.socket, kindOfRequest(req)));
  kube.server.prependListener('upgrade', (req: IncomingMessage, socket: Socket) => seen(socket, kindOfUpgrade(req)));
  return {
    counts() {
      for (const t of tracked.values()) charge(t);
      return { requests: { ...requests }, bytes: { ...bytes } };
    },
  };
}
