// What surrounds a pod in the fake API server, as the real server writes it:
// PersistentVolumeClaims (JSON and kubectl get's Table), events in both
// their views (core/v1 Event with involvedObject, events.k8s.io/v1 Event with
// regarding; fieldSelector on either), and metrics.k8s.io/v1beta1 PodMetrics
// as metrics-server serves them.
import { age, meta, table, time, type FakeEvent, type FakePod, type Pvc } from './model.js';

export function pvcJson(pvc: Pvc) {
  const bound = pvc.phase === 'Bound';
  return {
    metadata: meta(pvc.namespace, pvc.name, pvc.uid, pvc.createdAt, {
      annotations: bound ? { 'pv.kubernetes.io/bind-completed': 'yes', 'volume.kubernetes.io/storage-provisioner': 'rancher.io/local-path' } : {},
      finalizers: ['kubernetes.io/pvc-protection'],
    }),
    spec: {
      accessModes: ['ReadWriteOnce'],
      resources: { requests: { storage: pvc.capacity } },
      storageClassName: pvc.storageClassName,
      volumeMode: 'Filesystem',
      ...(bound ? { volumeName: pvc.volumeName } : {}),
    },
    status: { phase: pvc.phase, ...(bound ? { accessModes: ['ReadWriteOnce'], capacity: { storage: pvc.capacity } } : {}) },
  };
}

export function pvcTable(pvcs: Pvc[]) {
  const bound = (p: Pvc) => p.phase === 'Bound';
  return table(
    [['Name'], ['Status'], ['Volume'], ['Capacity'], ['Access Modes'], ['StorageClass'], ['VolumeAttributesClass'], ['Age'], ['VolumeMode', 1]],
    pvcs,
    (p) => [p.name, p.phase, bound(p) ? p.volumeName : '', bound(p) ? p.capacity : '', bound(p) ? 'RWO' : '', p.storageClassName, '<unset>', age(p.createdAt), 'Filesystem'],
    (p) => pvcJson(p).metadata,
  );
}

function involved(e: FakeEvent) {
  return { kind: e.object.kind, namespace: e.namespace, name: e.object.name, uid: e.object.uid, apiVersion: 'v1' };
}

/** MicroTime, as eventTime is written. */
function microTime(at: Date): string {
  return at.toISOString().replace(/Z$/, '000Z');
}

export function coreEventJson(e: FakeEvent) {
  return {
    metadata: meta(e.namespace, e.name, e.uid, e.firstAt),
    involvedObject: involved(e),
    reason: e.reason,
    message: e.message,
    source: e.source,
    firstTimestamp: time(e.firstAt),
    lastTimestamp: time(e.lastAt),
    count: e.count,
    type: e.type,
    eventTime: null,
    reportingComponent: e.source.component,
    reportingInstance: e.source.host ?? '',
  };
}

export function eventsV1Json(e: FakeEvent) {
  return {
    metadata: meta(e.namespace, e.name, e.uid, e.firstAt),
    eventTime: microTime(e.firstAt),
    reportingController: e.source.component,
    reportingInstance: e.source.host ?? '',
    action: e.reason,
    reason: e.reason,
    regarding: involved(e),
    note: e.message,
    type: e.type,
    deprecatedSource: e.source,
    deprecatedFirstTimestamp: time(e.firstAt),
    deprecatedLastTimestamp: time(e.lastAt),
    deprecatedCount: e.count,
  };
}

/** The server prints both views of an event with the same columns. */
export function eventTable(events: FakeEvent[]) {
  return table(
    [['Last Seen'], ['Type'], ['Reason'], ['Object'], ['Subobject', 1], ['Source', 1], ['Message'], ['First Seen', 1], ['Count', 1], ['Name', 1]],
    events,
    (e) => [
      age(e.lastAt), e.type, e.reason, `${e.object.kind.toLowerCase()}/${e.object.name}`, '',
      [e.source.component, e.source.host].filter(Boolean).join(', '), e.message, age(e.firstAt), e.count, e.name,
    ],
    (e) => meta(e.namespace, e.name, e.uid, e.firstAt),
  );
}

/**
 * Events matching a fieldSelector (`a=b,c!=d`), over the fields the server
 * knows for the version asked; an unknown field is the server's 400.
 */
export function selectEvents(events: FakeEvent[], selector: string | null, version: 'core' | 'events.k8s.io'): FakeEvent[] | { error: string } {
  if (!selector) return events;
  const object = version === 'core' ? 'involvedObject' : 'regarding';
  const fields: Record<string, (e: FakeEvent) => string> = {
    'metadata.name': (e) => e.name,
    'metadata.namespace': (e) => e.namespace,
    [`${object}.kind`]: (e) => e.object.kind,
    [`${object}.name`]: (e) => e.object.name,
    [`${object}.namespace`]: (e) => e.namespace,
    [`${object}.uid`]: (e) => e.object.uid,
    [`${object}.apiVersion`]: () => 'v1',
    reason: (e) => e.reason,
    type: (e) => e.type,
    ...(version === 'core' ? { 'source': (e: FakeEvent) => e.source.component } : { reportingController: (e: FakeEvent) => e.source.component }),
  };
  const terms: { field: string; value: string; equal: boolean }[] = [];
  for (const term of selector.split(',').filter(Boolean)) {
    const m = /^([^!=]+)(!=|==|=)(.*)$/.exec(term);
    if (!m || !fields[m[1]!]) return { error: `field label not supported: ${m ? m[1] : term}` };
    terms.push({ field: m[1]!, value: m[3]!, equal: m[2] !== '!=' });
  }
  return events.filter((e) => terms.every((t) => (fields[t.field]!(e) === t.value) === t.equal));
}

/** PodMetrics as metrics-server writes it: each container's usage over a window ending now. */
export function podMetricsJson(pod: FakePod) {
  const now = new Date();
  return {
    metadata: { name: pod.name, namespace: pod.namespace, creationTimestamp: time(now), labels: pod.labels },
    timestamp: time(now),
    window: '15.039s',
    containers: pod.containers.map((c) => ({ name: c.name, usage: { cpu: c.usage.cpu, memory: c.usage.memory } })),
  };
}
