// The server container's log as two sources for the logs screen:
// - serverLog follows it: one pods/log request with follow=true, opened when
//   the screen shows and held while it does (the scheduler's release()
//   closes it when the user leaves); each refresh lands what arrived, from
//   a bounded ring (src/model/server-log.ts). It opens again when the stream
//   ends (the container died and kubelet restarted it) or the port-forward
//   moved to another pod. First the last LOG_TAIL_LINES lines; when it opens
//   again (back on the screen, after a restart) it resumes after the last
//   line it kept: sinceSeconds covering it, the overlap dropped by timestamp.
// - previousServerLog reads the previous container's log (previous=true),
//   the one that died: the first thing to read after an OOM kill. The API
//   server's 400 when there is none is said, not failed.
import { KUBE_NEEDS } from '../model/kube-access.js';
import { LineSplitter, LOG_TAIL_LINES, LogRing, ResumeFilter, splitTimestamp, type ServerLog } from '../model/server-log.js';
import { landFailedRows, landRows, type LocalSource } from '../scheduler/source.js';
import { kubeSourceFailure } from './errors.js';
import type { ResolvedPod } from './forward.js';
import type { KubeClient } from './kube.js';
import { isNoPreviousContainer, openPodLog, type PodLogStream } from './pod-log.js';
import { serverContainerName } from './server-container.js';

export const SERVER_LOG = 'serverLog';
export const PREVIOUS_SERVER_LOG = 'previousServerLog';

/** How often the previous container's log is read again at most: it changes only when the container restarts. */
export const PREVIOUS_LOG_INTERVAL_MS = 30_000;

/** What the sources need of a -k target. */
export interface PodLogTarget {
  kube: KubeClient;
  namespace: string;
  /** The pod the port-forward goes to now. */
  currentPod(): Promise<ResolvedPod>;
}

const TITLE = 'server log';
const PREVIOUS_TITLE = 'previous container log';

interface Follow {
  pod: string;
  container: string | undefined;
  /** Drops the request while the API server has not answered yet (a quiet log answers with its first line). */
  abort: AbortController;
  stream: PodLogStream | null;
  /** The stream ended (or broke, or was refused): the next run opens it again, or says why. */
  ended: boolean;
  error: Error | null;
  /** Settles with the first bytes, the end, or a refusal: the first run waits for it a moment (FIRST_LINES_WAIT_MS). */
  started: Promise<void>;
}

/** How long the run that opened the follow waits for its first lines, so the first frame (and --once) has the tail. */
const FIRST_LINES_WAIT_MS = 1_000;

export function podLogSource(target: PodLogTarget): LocalSource<ServerLog> {
  const ring = new LogRing();
  let follow: Follow | null = null;
  /** The pod whose log the ring holds last: when the forward moves, a marker says so. */
  let lastPod: string | null = null;
  /** Counts releases: a run that was awaiting when the user left starts nothing. */
  let generation = 0;
  const close = () => {
    generation += 1;
    follow?.abort.abort();
    follow?.stream?.close();
    follow = null;
  };

  /** Opens the follow without waiting for it: lines land as they come, a refusal is said by the next run. */
  const start = (pod: ResolvedPod, container: string | undefined): Follow => {
    const last = ring.lastStamped();
    const filter = new ResumeFilter(last, last?.at ? ring.textsAt(last.at) : []);
    const splitter = new LineSplitter();
    let settle: () => void = () => undefined;
    const started = new Promise<void>((resolve) => (settle = resolve));
    const current: Follow = { pod: pod.name, container, abort: new AbortController(), stream: null, ended: false, error: null, started };
    const request = {
      namespace: target.namespace,
      pod: pod.name,
      container,
      follow: true,
      previous: false,
      tailLines: LOG_TAIL_LINES,
      // Resumed: from the last line kept (a second more: whole seconds), the overlap dropped by the filter.
      sinceSeconds: last?.at ? (Date.now() - Date.parse(last.at)) / 1000 + 1 : undefined,
    };
    const lines = (chunk: Buffer) => {
      settle();
      for (const raw of splitter.push(chunk)) {
        const { at, text } = splitTimestamp(raw);
        if (filter.keep(at, text)) ring.push(text, at);
      }
    };
    void openPodLog(target.kube, request, lines, current.abort.signal).then(
      (stream) => {
        if (current.abort.signal.aborted) return stream.close();
        current.stream = stream;
        const ended = () => {
          current.ended = true;
          settle();
        };
        stream.ended.then(ended, ended);
      },
      (error: unknown) => {
        current.error = current.abort.signal.aborted ? null : error instanceof Error ? error : new Error(String(error));
        current.ended = true;
        settle();
      },
    );
    return current;
  };

  return {
    id: SERVER_LOG,
    title: TITLE,
    needs: 'nothing',
    kubeNeeds: [KUBE_NEEDS.podLog],
    async run() {
      const began = generation;
      const pod = await target.currentPod();
      if (lastPod !== null && lastPod !== pod.name) {
        if (follow) close();
        ring.mark(`— the dashboard moved to pod/${pod.name}: its log follows —`);
      }
      lastPod = pod.name;
      if (follow?.error) {
        const { error } = follow;
        follow = null;
        throw error;
      }
      if (follow?.ended) {
        // The container died (kubelet restarts it) or the API server closed the follow: open it again, after the last line kept.
        ring.mark(`— the log stream of pod/${follow.pod} ended (the container restarted?): reading it again; P shows the previous container's log —`);
        follow = start(pod, follow.container);
      }
      if (!follow) {
        const container = serverContainerName(pod);
        // Left meanwhile (released): nothing is opened for a screen no longer shown.
        if (generation === began) {
          follow = start(pod, container);
          await firstLines(follow);
          if (follow?.error) {
            const { error } = follow;
            follow = null;
            throw error;
          }
        }
      }
      const container = follow?.container ? ` container ${follow.container}` : '';
      return { origin: `pod/${pod.name}${container}`, previous: false, lines: ring.snapshot(), note: null };
    },
    release: close,
    failure: (error) => kubeSourceFailure(TITLE, error, target.namespace),
    land: (data, log, { at }) => landRows(data, SERVER_LOG, [log], at),
    landFailure: (data, failure) => landFailedRows(data, SERVER_LOG, failure),
  };
}

/** The first lines of a follow just opened, or the end of a moment's wait (a quiet log sends none). */
async function firstLines(follow: Follow): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const waited = new Promise<void>((resolve) => (timer = setTimeout(resolve, FIRST_LINES_WAIT_MS)));
  await Promise.race([follow.started, waited]);
  clearTimeout(timer);
}

export function previousPodLogSource(target: PodLogTarget): LocalSource<ServerLog> {
  return {
    id: PREVIOUS_SERVER_LOG,
    title: PREVIOUS_TITLE,
    needs: 'nothing',
    minIntervalMs: PREVIOUS_LOG_INTERVAL_MS,
    kubeNeeds: [KUBE_NEEDS.podLog],
    async run() {
      const pod = await target.currentPod();
      const container = serverContainerName(pod);
      const origin = `pod/${pod.name}${container ? ` container ${container}` : ''}`;
      const ring = new LogRing();
      const splitter = new LineSplitter();
      try {
        const stream = await openPodLog(target.kube, { namespace: target.namespace, pod: pod.name, container, follow: false, previous: true, tailLines: LOG_TAIL_LINES }, (chunk) => {
          for (const raw of splitter.push(chunk)) {
            const { at, text } = splitTimestamp(raw);
            ring.push(text, at);
          }
        });
        await stream.ended;
      } catch (error) {
        if (!isNoPreviousContainer(error)) throw error;
        return { origin, previous: true, lines: [], note: `no previous container: ${container ?? 'the container'} in pod/${pod.name} has not restarted (the API server: previous terminated container not found)` };
      }
      return { origin, previous: true, lines: ring.snapshot(), note: null };
    },
    failure: (error) => kubeSourceFailure(PREVIOUS_TITLE, error, target.namespace),
    land: (data, log, { at }) => landRows(data, PREVIOUS_SERVER_LOG, [log], at),
    landFailure: (data, failure) => landFailedRows(data, PREVIOUS_SERVER_LOG, failure),
  };
}
