// A container's log through the pods/log subresource: one HTTP request,
// streamed (follow=true keeps it open while the container runs and the API
// server writes each new line as it comes; the previous container's log is
// read whole and ends). Our own request rather than client-node's Log,
// which drops the API server's answer on a refusal: "previous terminated
// container … not found" and RBAC's words are what the screen must say.
import http from 'node:http';
import https from 'node:https';
import { httpError, K8sError, type ApiOperation } from './errors.js';
import type { KubeClient } from './kube.js';

export interface PodLogRequest {
  namespace: string;
  pod: string;
  /** Absent: the API server's choice (the pod's only container). */
  container?: string;
  follow: boolean;
  previous: boolean;
  /** The last lines only; absent: the whole log. */
  tailLines?: number;
  /** Lines of the last seconds only (a resumed follow). */
  sinceSeconds?: number;
}

export interface PodLogStream {
  /** Ends the request (leaving the screen). */
  close(): void;
  /** Settles when the log ended: the container died, the API server closed it, or close(); rejects on a refusal or a broken stream. */
  readonly ended: Promise<void>;
}

/**
 * Opens the log; `data` gets its bytes as they come (timestamps=true: each
 * line starts with its RFC 3339 time). Resolves once the API server answered
 * 200 (for a follow of an empty log that may be when its first line comes);
 * aborting the signal before then drops the request.
 */
export async function openPodLog(kube: KubeClient, request: PodLogRequest, data: (chunk: Buffer) => void, signal?: AbortSignal, timeoutMs = 10_000): Promise<PodLogStream> {
  const query = new URLSearchParams({ follow: String(request.follow), previous: String(request.previous), timestamps: 'true' });
  if (request.container) query.set('container', request.container);
  if (request.tailLines !== undefined) query.set('tailLines', String(request.tailLines));
  if (request.sinceSeconds !== undefined) query.set('sinceSeconds', String(Math.max(1, Math.ceil(request.sinceSeconds))));
  const url = new URL(`${kube.server.replace(/\/$/, '')}/api/v1/namespaces/${encodeURIComponent(request.namespace)}/pods/${encodeURIComponent(request.pod)}/log?${query}`);
  const op: ApiOperation = { verb: 'get', resource: 'pods/log', namespace: request.namespace, name: request.pod };
  const options: https.RequestOptions = { method: 'GET', headers: {} };
  try {
    await kube.config.applyToHTTPSOptions(options);
  } catch (error) {
    throw kube.describe(error, op);
  }
  const send = url.protocol === 'http:' ? http.request : https.request;
  return new Promise<PodLogStream>((resolve, reject) => {
    let answered = false;
    const req = send(url, options);
    signal?.addEventListener('abort', () => req.destroy(new K8sError('the log request was dropped', 'other')), { once: true });
    // A follow of a quiet log may answer only with its first line (the headers wait for it): no deadline there.
    const deadline = request.follow
      ? undefined
      : setTimeout(() => {
          req.destroy(new K8sError(`the Kubernetes API server at ${kube.server} did not answer within ${timeoutMs / 1000} s (get pods/log)`, 'unreachable'));
        }, timeoutMs);
    req.on('error', (error) => {
      clearTimeout(deadline);
      if (!answered) reject(kube.describe(error, op));
    });
    req.on('response', (res) => {
      clearTimeout(deadline);
      answered = true;
      const status = res.statusCode ?? 0;
      if (status !== 200) {
        const body: Buffer[] = [];
        res.on('data', (c: Buffer) => body.push(c));
        res.on('end', () => {
          req.destroy();
          reject(httpError(status, Buffer.concat(body).toString('utf8'), op, kube.context));
        });
        res.on('error', (error) => reject(kube.describe(error, op)));
        return;
      }
      let closed = false;
      const ended = new Promise<void>((done, broke) => {
        res.on('data', (chunk: Buffer) => data(chunk));
        // Not kept for another request (client-node's agent may keep sockets alive): an idle socket would keep pgtop from exiting.
        res.on('end', () => {
          req.destroy();
          done();
        });
        res.on('close', () => (res.complete || closed ? done() : broke(new K8sError('the log stream broke off', 'other'))));
        res.on('error', () => undefined);
      });
      // Nobody may be waiting when a stream breaks: its end is looked at on the next refresh.
      ended.catch(() => undefined);
      resolve({
        ended,
        close() {
          closed = true;
          req.destroy();
        },
      });
    });
    req.end();
  });
}

/** The previous container's log does not exist (the container never restarted): the API server's 400. */
export function isNoPreviousContainer(error: unknown): boolean {
  return error instanceof K8sError && error.status === 400 && /previous terminated container .* not found/.test(error.message);
}
