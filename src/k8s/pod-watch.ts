// The current pod, by a watch rather than by polling: one list (fieldSelector
// metadata.name=POD) for the object and its resourceVersion, then one watch
// from that version that the API server holds open and feeds with every
// change (a container OOM-killed and restarted, readiness, deletion). When the
// server ends the stream (its timeout) the watch resumes from the last
// version seen; when that version is too old (410 Gone: etcd compacted) it
// lists again. When the port-forward moves to another pod, the watch follows
// it (follow()). Failures are kept and said; the watch retries with backoff.
// One request per list or watch started, whatever the refresh interval.
import type { V1Pod } from '@kubernetes/client-node';
import type { PodState } from '../model/pod.js';
import { K8sError } from './errors.js';
import type { KubeClient } from './kube.js';
import { podStateOf } from './pod-map.js';

export interface PodWatchOptions {
  /** How long the server may hold one watch (it ends it then; the watch resumes). */
  timeoutSeconds?: number;
  /** Pause before trying again after a failure: first, then doubled up to max. */
  retryMs?: { first: number; max: number };
}

export class PodWatch {
  private podName: string | null = null;
  private latest: PodState | null = null;
  private failure: K8sError | null = null;
  private resourceVersion: string | null = null;
  private controller: AbortController | null = null;
  /** Bumped whenever the watch starts over: callbacks of an older one are ignored. */
  private generation = 0;
  private retryTimer: NodeJS.Timeout | null = null;
  private retryDelay: number;
  private firstList: Promise<void> = Promise.resolve();
  private closed = false;
  private readonly timeoutSeconds: number;
  private readonly retryMs: { first: number; max: number };

  constructor(
    private readonly kube: KubeClient,
    private readonly namespace: string,
    /** Called whenever what the watch knows changed (a new pod state, a failure). */
    private readonly changed: () => void,
    options: PodWatchOptions = {},
  ) {
    this.timeoutSeconds = options.timeoutSeconds ?? 300;
    this.retryMs = options.retryMs ?? { first: 1_000, max: 30_000 };
    this.retryDelay = this.retryMs.first;
  }

  /** The pod as last seen (null before the first list, or when there is none), and the failure that stops the watch now, if any. */
  get current(): { pod: PodState | null; error: K8sError | null } {
    return { pod: this.latest, error: this.failure };
  }

  /** Watches this pod from now on (nothing changes when it is the one watched); resolves once it was listed (or failed to be). */
  follow(podName: string): Promise<void> {
    if (podName === this.podName && !this.closed) return this.firstList;
    this.podName = podName;
    this.latest = null;
    this.failure = null;
    this.retryDelay = this.retryMs.first;
    this.firstList = this.restart();
    return this.firstList;
  }

  close(): void {
    this.closed = true;
    this.generation += 1;
    this.stopStream();
  }

  private stopStream(): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.controller?.abort();
    this.controller = null;
  }

  /** Lists the pod again and watches from there. */
  private async restart(): Promise<void> {
    this.stopStream();
    const generation = ++this.generation;
    const name = this.podName;
    if (!name || this.closed) return;
    try {
      const list = await this.kube.call({ verb: 'list', resource: 'pods', namespace: this.namespace, name }, () =>
        this.kube.core.listNamespacedPod({ namespace: this.namespace, fieldSelector: `metadata.name=${name}` }),
      );
      if (generation !== this.generation) return;
      const pod = list.items[0];
      this.latest = pod ? podStateOf(pod) : null;
      this.failure = null;
      this.resourceVersion = list.metadata?.resourceVersion ?? null;
      this.changed();
    } catch (error) {
      if (generation !== this.generation) return;
      this.fail(error instanceof K8sError ? error : this.kube.describe(error, { verb: 'list', resource: 'pods', namespace: this.namespace }));
      return;
    }
    // Not awaited: the first list is what follow() waits for; the watch holds its stream open from here.
    this.watch(generation).catch((error: unknown) => {
      if (generation !== this.generation) return;
      this.fail(error instanceof K8sError ? error : this.kube.describe(error, { verb: 'watch', resource: 'pods', namespace: this.namespace }));
    });
  }

  private async watch(generation: number): Promise<void> {
    const name = this.podName!;
    const op = { verb: 'watch', resource: 'pods', namespace: this.namespace, name } as const;
    let gone = false;
    const controller = await this.kube.watch(
      op,
      `/api/v1/namespaces/${encodeURIComponent(this.namespace)}/pods`,
      {
        fieldSelector: `metadata.name=${name}`,
        resourceVersion: this.resourceVersion ?? undefined,
        allowWatchBookmarks: true,
        timeoutSeconds: this.timeoutSeconds,
      },
      (type, object) => {
        if (generation !== this.generation) return;
        if (type === 'ERROR') {
          // 410 Gone: the version is too old to resume from; anything else is said and retried.
          const status = object as { code?: number; message?: string };
          if (status.code === 410) gone = true;
          else this.failure = new K8sError(`the watch of pod ${name} failed: ${status.message ?? `HTTP ${status.code}`}`, 'other', status.code);
          return;
        }
        const pod = object as V1Pod;
        this.resourceVersion = pod.metadata?.resourceVersion ?? this.resourceVersion;
        if (type === 'BOOKMARK') return;
        this.latest = podStateOf(pod, type === 'DELETED');
        this.failure = null;
        this.retryDelay = this.retryMs.first;
        this.changed();
      },
      (error) => {
        if (generation !== this.generation || this.closed) return;
        this.controller = null;
        if (gone || error?.status === 410) return void this.restart();
        if (error || this.failure) return this.fail(error ?? this.failure!);
        // The server's timeout: resume from the last version seen.
        void this.watch(generation).catch((e: unknown) => this.fail(this.kube.describe(e, op)));
      },
    );
    if (generation !== this.generation) controller.abort();
    else this.controller = controller;
  }

  private fail(error: K8sError): void {
    this.failure = error;
    this.changed();
    if (this.closed) return;
    const delay = this.retryDelay;
    this.retryDelay = Math.min(this.retryMs.max, this.retryDelay * 2);
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      void this.restart();
    }, delay);
    this.retryTimer.unref();
  }
}
