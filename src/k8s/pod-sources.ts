// What the Kubernetes API says about the pod the port-forward goes to, as
// sources (-k only): the pod itself by a watch (pod-watch.ts; the source
// only lands what the watch last saw, and the watch asks for a landing when
// it changes), the PersistentVolumeClaims of its volumes (read when the pod
// or its claims change, and every few minutes), the events of the pod and
// its claims (listed every 10 s at most, while the pod screen shows them),
// and metrics.k8s.io (every 5 s at most; switched off, once, when the cluster
// has no metrics API: the usage then comes from the container's cgroup,
// which the exec sampler lands). Registered by src/cli/dashboard-scheduler.ts
// when the target is a pod; closed with the target.
import type { CoreV1Event, V1PersistentVolumeClaim } from '@kubernetes/client-node';
import { KUBE_NEEDS } from '../model/kube-access.js';
import { podRestarts, sortEvents, type PodEvent, type PodMetrics, type PodState, type PodVolume } from '../model/pod.js';
import type { Failure } from '../scheduler/failures.js';
import { landFailedRows, landRows, type LocalSource } from '../scheduler/source.js';
import { K8sError, kubeSourceFailure } from './errors.js';
import type { KubeClient } from './kube.js';
import { dataClaim, eventOf, metricsOf, volumeOf } from './pod-map.js';
import { PodWatch, type PodWatchOptions } from './pod-watch.js';

export const POD = 'pod';
export const POD_VOLUMES = 'podVolumes';
export const POD_EVENTS = 'podEvents';
export const POD_METRICS = 'podMetrics';

/** metrics-server measures every 15 s or so: asking more often than this gains nothing. */
export const METRICS_INTERVAL_MS = 5_000;
export const EVENTS_INTERVAL_MS = 10_000;
/** A claim's capacity changes only when it is expanded: read again this often, besides on every pod change. */
export const VOLUMES_INTERVAL_MS = 300_000;
/** The events shown: the most recent of them, Warnings first. */
const EVENTS_KEPT = 50;

/**
 * What each source asks the API server (the review says up front what is
 * denied; the scheduler then lands "needs VERB RESOURCE in NAMESPACE"
 * without a request). The claims and the events are read for the pod the
 * watch sees: without the watch they cannot run either, and say so after
 * their own need.
 */
const WATCH_NEEDS = [KUBE_NEEDS.listPods, KUBE_NEEDS.watchPods];
const VOLUMES_NEEDS = [KUBE_NEEDS.getClaims, ...WATCH_NEEDS];
const EVENTS_NEEDS = [KUBE_NEEDS.listEvents, ...WATCH_NEEDS];
const METRICS_NEEDS = [KUBE_NEEDS.podMetrics];

/** What the tracker needs of the target: its client, and the pod the forward goes to now. */
export interface PodTarget {
  kube: KubeClient;
  namespace: string;
  /** The pod's name, resolved if need be. */
  currentPod(): Promise<string>;
  /** Called with the new pod's name when the forward moves to another pod; returns what unsubscribes. */
  onPodChange(listener: (pod: string) => void): () => void;
}

export class PodTracker {
  readonly watch: PodWatch;
  private readonly listeners = new Set<(source: string) => void>();
  private readonly unsubscribe: () => void;
  private volumes: { key: string; at: number; rows: PodVolume[] } | null = null;
  /** What of the pod, when it changes, comes with events. */
  private signature = '';

  constructor(
    private readonly target: PodTarget,
    options: PodWatchOptions = {},
  ) {
    this.watch = new PodWatch(target.kube, target.namespace, () => this.watchChanged(), options);
    this.unsubscribe = target.onPodChange((pod) => {
      void this.watch.follow(pod);
      this.notify(POD_EVENTS);
    });
  }

  /** Calls the listener with a source's id when it has something new to land (the scheduler runs it then). */
  onChange(listener: (source: string) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  close(): void {
    this.unsubscribe();
    this.listeners.clear();
    this.watch.close();
  }

  sources(): LocalSource[] {
    return [this.podSource(), this.volumesSource(), this.eventsSource(), this.metricsSource()] as LocalSource[];
  }

  private notify(source: string): void {
    for (const listener of this.listeners) listener(source);
  }

  private watchChanged(): void {
    this.notify(POD);
    // A restart, a readiness or phase change, a deletion comes with events: listed at once (while the
    // pod screen shows them), not at the next 10 s; any other change of the pod lists nothing.
    const pod = this.watch.current.pod;
    const signature = pod ? `${pod.name} ${pod.phase} ${pod.ready} ${pod.deleted} ${podRestarts(pod)}` : '';
    if (signature !== this.signature) {
      this.signature = signature;
      this.notify(POD_EVENTS);
    }
    // The claims of a new pod (or a pod whose volumes changed) are read at once.
    if (pod && this.volumes && this.volumes.key !== volumesKey(pod)) this.notify(POD_VOLUMES);
  }

  /** The pod as the watch last saw it; the first run waits for the first list. */
  private async pod(): Promise<PodState | null> {
    await this.watch.follow(await this.target.currentPod());
    const { pod, error } = this.watch.current;
    if (error) throw error;
    return pod;
  }

  private podSource(): LocalSource<PodState[]> {
    const title = 'the pod (Kubernetes watch)';
    return {
      id: POD,
      title,
      needs: 'nothing',
      kubeNeeds: WATCH_NEEDS,
      run: async () => {
        const pod = await this.pod();
        return pod ? [pod] : [];
      },
      failure: (error) => kubeSourceFailure(title, error, this.target.namespace),
      land: (data, rows, { at }) => landRows(data, POD, rows, at),
      landFailure: (data, failure) => landFailedRows(data, POD, failure),
    };
  }

  private volumesSource(): LocalSource<PodVolume[]> {
    const title = 'the data volume (PersistentVolumeClaims)';
    return {
      id: POD_VOLUMES,
      title,
      needs: 'nothing',
      kubeNeeds: VOLUMES_NEEDS,
      run: async () => {
        const pod = await this.pod();
        if (!pod) return [];
        const key = volumesKey(pod);
        if (this.volumes?.key === key && Date.now() - this.volumes.at < VOLUMES_INTERVAL_MS) return this.volumes.rows;
        const data = dataClaim(pod.claims, pod.dataDirectory);
        const rows = await Promise.all(
          pod.claims.map(async (claim) => volumeOf(claim, await this.readClaim(claim.claim), claim.claim === data)),
        );
        rows.sort((a, b) => Number(b.dataVolume) - Number(a.dataVolume));
        this.volumes = { key, at: Date.now(), rows };
        return rows;
      },
      failure: (error) => kubeSourceFailure(title, error, this.target.namespace),
      land: (data, rows, { at }) => landRows(data, POD_VOLUMES, rows, at),
      landFailure: (data, failure) => landFailedRows(data, POD_VOLUMES, failure),
    };
  }

  private async readClaim(name: string): Promise<V1PersistentVolumeClaim | null> {
    const { kube, namespace } = this.target;
    try {
      return await kube.call({ verb: 'get', resource: 'persistentvolumeclaims', namespace, name }, () =>
        kube.core.readNamespacedPersistentVolumeClaim({ namespace, name }),
      );
    } catch (error) {
      // A claim the pod names but that is gone is said as its phase, not as a failure of the rest.
      if (error instanceof K8sError && error.kind === 'not-found') return null;
      throw error;
    }
  }

  private eventsSource(): LocalSource<PodEvent[]> {
    const title = 'the events of the pod and its volume';
    return {
      id: POD_EVENTS,
      title,
      needs: 'nothing',
      kubeNeeds: EVENTS_NEEDS,
      minIntervalMs: EVENTS_INTERVAL_MS,
      run: async () => {
        const pod = await this.pod();
        if (!pod) return [];
        // One list per object: a fieldSelector has no "or".
        const objects = [{ kind: 'Pod', name: pod.name }, ...pod.claims.map((c) => ({ kind: 'PersistentVolumeClaim', name: c.claim }))];
        const lists = await Promise.all(objects.map((o) => this.listEvents(o.kind, o.name)));
        return sortEvents(lists.flat().map(eventOf)).slice(0, EVENTS_KEPT);
      },
      failure: (error) => kubeSourceFailure(title, error, this.target.namespace),
      land: (data, rows, { at }) => landRows(data, POD_EVENTS, rows, at),
      landFailure: (data, failure) => landFailedRows(data, POD_EVENTS, failure),
    };
  }

  private async listEvents(kind: string, name: string): Promise<CoreV1Event[]> {
    const { kube, namespace } = this.target;
    const list = await kube.call({ verb: 'list', resource: 'events', namespace }, () =>
      kube.core.listNamespacedEvent({ namespace, fieldSelector: `involvedObject.kind=${kind},involvedObject.name=${name}` }),
    );
    return list.items;
  }

  private metricsSource(): LocalSource<PodMetrics[]> {
    const title = 'the metrics API (metrics.k8s.io)';
    return {
      id: POD_METRICS,
      title,
      needs: 'nothing',
      kubeNeeds: METRICS_NEEDS,
      minIntervalMs: METRICS_INTERVAL_MS,
      run: async () => {
        const { kube, namespace } = this.target;
        const name = await this.target.currentPod();
        const op = { verb: 'get', resource: 'pods.metrics.k8s.io', namespace, name } as const;
        try {
          const body: unknown = await kube.call(op, () => kube.custom.getNamespacedCustomObject({ group: 'metrics.k8s.io', version: 'v1beta1', namespace, plural: 'pods', name }));
          return [metricsOf(body, Date.now())];
        } catch (error) {
          // metrics-server has no sample yet for a pod that just started: nothing to show, no failure.
          if (error instanceof K8sError && error.kind === 'not-found' && /podmetrics/i.test(error.message)) return [];
          throw error;
        }
      },
      failure: (error) => metricsFailure(title, error, this.target.namespace),
      land: (data, rows, { at }) => landRows(data, POD_METRICS, rows, at),
      landFailure: (data, failure) => landFailedRows(data, POD_METRICS, failure),
    };
  }
}

function volumesKey(pod: PodState): string {
  return `${pod.name}\n${pod.claims.map((c) => `${c.volume}=${c.claim}@${c.mountPath ?? ''}`).join('\n')}`;
}

/** The words the pod screen and the header use when the cluster serves no metrics API. */
export const NO_METRICS_API = 'no metrics API in this cluster (metrics.k8s.io is not served: no metrics-server)';

/** No metrics API (404 on the group) switches it off for good, said once; the usage comes from the cgroup then. */
function metricsFailure(title: string, error: unknown, namespace: string): Failure {
  if (error instanceof K8sError && error.kind === 'not-found') {
    return { kind: 'degraded', message: `${title}: ${NO_METRICS_API}`, disabled: NO_METRICS_API };
  }
  return kubeSourceFailure(title, error, namespace);
}
