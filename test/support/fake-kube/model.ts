// The objects the fake API server holds, and their JSON as the real server
// writes it (single objects carry kind/apiVersion, list items do not). Pods
// are "run" by the fake: each forwards its ports to a real local address
// (the throwaway PostgreSQL) and runs exec'd commands locally with its env.
import { randomBytes, randomUUID } from 'node:crypto';

export interface Backend {
  host: string;
  port: number;
}

export interface PodTemplate {
  labels: Record<string, string>;
  /** Container port → where the fake forwards it. */
  ports: Record<number, Backend>;
  /** The container's environment, also given to exec'd commands. */
  env?: Record<string, string>;
  containerName?: string;
  /** The node it runs on (spec.nodeName); default fake-node. */
  node?: string;
  /** More containers beside the main one (a metrics exporter, say): they log and use CPU, nothing else. */
  sidecars?: string[];
  /** The spec lists the sidecars before the server's container (an injected proxy, an exporter written first). */
  sidecarsFirst?: boolean;
  /** The kubectl.kubernetes.io/default-container annotation: the server's container by default; null, none. */
  defaultContainer?: string | null;
  /** The pod's volumes that are PersistentVolumeClaims: volume name → claim name (mounted at /var/lib/postgresql/data). */
  claims?: Record<string, string>;
  /** The main container's requests and limits, as quantities ({ limits: { memory: '1Gi', cpu: '2' } }); the pod's QoS class follows from them. */
  resources?: ContainerResources;
}

export interface ContainerResources {
  requests?: { cpu?: string; memory?: string };
  limits?: { cpu?: string; memory?: string };
}

export interface LogLine {
  at: Date;
  text: string;
}

/** Why a container last ended (its lastState.terminated), e.g. OOMKilled with exit code 137. */
export interface Termination {
  reason: string;
  exitCode: number;
  startedAt: Date;
  finishedAt: Date;
}

export interface FakeContainer {
  name: string;
  startedAt: Date;
  restarts: number;
  /** What this container instance wrote; `kubectl logs` reads it, followers get what is appended. */
  log: LogLine[];
  /** The log of the container before the last restart (`previous=true`); null when it never restarted. */
  previousLog: LogLine[] | null;
  lastTerminated: Termination | null;
  /** What metrics.k8s.io says it uses, as quantities ("250m", "300Mi"). */
  usage: { cpu: string; memory: string };
  /** Open `follow=true` log requests: each is sent appended lines, and ended when the container dies. */
  followers: Set<LogFollower>;
}

export interface LogFollower {
  line(line: LogLine): void;
  end(): void;
}

export interface FakePod {
  namespace: string;
  name: string;
  uid: string;
  createdAt: Date;
  labels: Record<string, string>;
  ports: Record<number, Backend>;
  env: Record<string, string>;
  containerName: string;
  phase: 'Pending' | 'Running' | 'Succeeded' | 'Failed';
  ready: boolean;
  deleting: boolean;
  owner?: { kind: 'ReplicaSet' | 'StatefulSet'; name: string };
  /** Ends this pod's open streams (port-forwards, execs); set by the server. */
  streams: Set<{ kill(): void; freeze(): void; kind?: 'portforward' | 'exec' }>;
  /** Named container ports (name → port) for Services with a named targetPort. */
  portNames: Record<string, number>;
  node: string;
  /** Its containers, the main one (containerName) first; specContainers() gives the spec's order. */
  containers: FakeContainer[];
  sidecarsFirst?: boolean;
  /** The kubectl.kubernetes.io/default-container annotation: the server's container when undefined; null, none. */
  defaultContainer?: string | null;
  /** Volume name → PersistentVolumeClaim name. */
  claims: Record<string, string>;
  /** The main container's requests and limits. */
  resources: ContainerResources;
}

export interface Pvc {
  namespace: string;
  name: string;
  uid: string;
  createdAt: Date;
  /** "10Gi" */
  capacity: string;
  storageClassName: string;
  phase: 'Pending' | 'Bound' | 'Lost';
  volumeName: string;
}

/** An event about a pod or a PVC (core/v1 Event and events.k8s.io/v1 Event are two views of it). */
export interface FakeEvent {
  namespace: string;
  name: string;
  uid: string;
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
  object: { kind: 'Pod' | 'PersistentVolumeClaim'; name: string; uid: string };
  source: { component: string; host?: string };
  firstAt: Date;
  lastAt: Date;
  count: number;
}

export interface Workload {
  kind: 'Deployment' | 'StatefulSet';
  namespace: string;
  name: string;
  uid: string;
  createdAt: Date;
  replicas: number;
  template: PodTemplate;
  /** Per-ordinal template overrides (a StatefulSet whose pods reach different servers). */
  perPod?: Partial<PodTemplate>[];
  /** ReplicaSet name of a Deployment: NAME-<hash>. */
  replicaSet?: string;
}

export interface Service {
  namespace: string;
  name: string;
  uid: string;
  createdAt: Date;
  selector?: Record<string, string>;
  ports: { name?: string; port: number; targetPort: number | string }[];
}

export interface Secret {
  namespace: string;
  name: string;
  uid: string;
  createdAt: Date;
  data: Record<string, string>;
}

export function newUid(): string {
  return randomUUID();
}

export function podSuffix(): string {
  // Kubernetes' random suffixes avoid vowels and look like "x7k2q".
  const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
  return Array.from(randomBytes(5), (b) => alphabet[b % alphabet.length]).join('');
}

export function newContainer(name: string): FakeContainer {
  return { name, startedAt: new Date(), restarts: 0, log: [], previousLog: null, lastTerminated: null, usage: { cpu: '0', memory: '0' }, followers: new Set() };
}

/** Seconds since, as the API server's tables print an age ("42s", "5m", "3h"). */
export function age(since: Date): string {
  const s = Math.max(0, Math.round((Date.now() - since.getTime()) / 1000));
  if (s < 120) return `${s}s`;
  if (s < 7200) return `${Math.floor(s / 60)}m`;
  if (s < 172800) return `${Math.floor(s / 3600)}h`;
  return `${Math.floor(s / 86400)}d`;
}

export function time(at: Date): string {
  return at.toISOString().replace(/\.\d+Z$/, 'Z');
}

/** A meta.k8s.io Table as kubectl get asks for it (`as=Table`): priority 1 columns are -o wide's. */
export function table<T>(columns: [name: string, priority?: number][], items: T[], cells: (item: T) => unknown[], metadata: (item: T) => object) {
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: { resourceVersion: '1' },
    columnDefinitions: columns.map(([name, priority = 0], i) => ({ name, type: 'string', format: i === 0 && name === 'Name' ? 'name' : '', description: '', priority })),
    rows: items.map((item) => ({ cells: cells(item), object: { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: metadata(item) } })),
  };
}

export function meta(namespace: string | undefined, name: string, uid: string, createdAt: Date, extra: Record<string, unknown> = {}) {
  return {
    name,
    ...(namespace ? { namespace } : {}),
    uid,
    resourceVersion: String(Math.floor(createdAt.getTime() / 10) % 1_000_000_000),
    creationTimestamp: createdAt.toISOString().replace(/\.\d+Z$/, 'Z'),
    ...extra,
  };
}

/** The containers in the order the pod's spec lists them (the API server's "choose one of" list, kubectl's first). */
export function specContainers(pod: FakePod): FakeContainer[] {
  return pod.sidecarsFirst ? [...pod.containers.slice(1), pod.containers[0]!] : pod.containers;
}

export function podJson(pod: FakePod) {
  const status = pod.ready ? 'True' : 'False';
  return {
    metadata: meta(pod.namespace, pod.name, pod.uid, pod.createdAt, {
      labels: pod.labels,
      ...(pod.deleting ? { deletionTimestamp: new Date().toISOString().replace(/\.\d+Z$/, 'Z'), deletionGracePeriodSeconds: 30 } : {}),
      ...(pod.owner
        ? { ownerReferences: [{ apiVersion: 'apps/v1', kind: pod.owner.kind, name: pod.owner.name, uid: newUid(), controller: true, blockOwnerDeletion: true }] }
        : {}),
      ...(pod.defaultContainer !== null ? { annotations: { 'kubectl.kubernetes.io/default-container': pod.defaultContainer ?? pod.containerName } } : {}),
    }),
    spec: {
      containers: specContainers(pod).map((c) =>
        c.name === pod.containerName
          ? {
              name: c.name,
              image: 'postgres:15',
              ports: Object.keys(pod.ports).map((port) => ({
                containerPort: Number(port),
                protocol: 'TCP',
                ...(Object.entries(pod.portNames).find(([, p]) => p === Number(port)) ? { name: Object.entries(pod.portNames).find(([, p]) => p === Number(port))![0] } : {}),
              })),
              env: Object.entries(pod.env).map(([name, value]) => ({ name, value })),
              resources: pod.resources,
              ...(Object.keys(pod.claims).length ? { volumeMounts: Object.keys(pod.claims).map((name) => ({ name, mountPath: '/var/lib/postgresql/data' })) } : {}),
            }
          : { name: c.name, image: `${c.name}:latest` },
      ),
      ...(Object.keys(pod.claims).length
        ? { volumes: Object.entries(pod.claims).map(([name, claimName]) => ({ name, persistentVolumeClaim: { claimName } })) }
        : {}),
      restartPolicy: 'Always',
      nodeName: pod.node,
    },
    status: {
      phase: pod.phase,
      conditions: [
        { type: 'Initialized', status: 'True' },
        { type: 'Ready', status: pod.phase === 'Running' ? status : 'False' },
        { type: 'ContainersReady', status: pod.phase === 'Running' ? status : 'False' },
        { type: 'PodScheduled', status: 'True' },
      ],
      podIP: '10.42.0.10',
      hostIP: '10.0.0.1',
      startTime: time(pod.createdAt),
      qosClass: qosClass(pod.resources, pod.containers.length),
      containerStatuses: specContainers(pod).map((c) => ({
        name: c.name,
        ready: pod.ready && pod.phase === 'Running',
        restartCount: c.restarts,
        image: c.name === pod.containerName ? 'postgres:15' : `${c.name}:latest`,
        imageID: 'docker.io/library/postgres@sha256:0',
        state: pod.phase === 'Running' ? { running: { startedAt: time(c.startedAt) } } : { waiting: { reason: 'ContainerCreating' } },
        lastState: c.lastTerminated
          ? {
              terminated: {
                exitCode: c.lastTerminated.exitCode,
                reason: c.lastTerminated.reason,
                startedAt: time(c.lastTerminated.startedAt),
                finishedAt: time(c.lastTerminated.finishedAt),
                containerID: `containerd://${c.name}-${c.restarts - 1}`,
              },
            }
          : {},
      })),
    },
  };
}

/** Pods as the API server prints them for kubectl get (a meta.k8s.io Table): priority 1 is -o wide's. */
export function podTable(pods: FakePod[]) {
  const column = (name: string, priority = 0, format = '') => ({ name, type: 'string', format, description: '', priority });
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: { resourceVersion: '1' },
    columnDefinitions: [
      column('Name', 0, 'name'), column('Ready'), column('Status'), column('Restarts'), column('Age'),
      column('IP', 1), column('Node', 1), column('Nominated Node', 1), column('Readiness Gates', 1),
    ],
    rows: pods.map((pod) => {
      const running = pod.phase === 'Running';
      const ageSeconds = Math.max(0, Math.round((Date.now() - pod.createdAt.getTime()) / 1000));
      const total = pod.containers.length;
      const restarts = pod.containers.reduce((n, c) => n + c.restarts, 0);
      // The server prints "2 (5m ago)" once a container has a last termination.
      const lastEnd = pod.containers.map((c) => c.lastTerminated?.finishedAt).filter((d) => d !== undefined).sort((a, b) => b.getTime() - a.getTime())[0];
      const status = pod.deleting ? 'Terminating' : running ? 'Running' : pod.phase === 'Pending' ? 'ContainerCreating' : pod.phase;
      return {
        cells: [pod.name, `${pod.ready && running ? total : 0}/${total}`, status, lastEnd ? `${restarts} (${age(lastEnd)} ago)` : restarts, `${ageSeconds}s`, '10.42.0.10', pod.node, '<none>', '<none>'],
        object: { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: podJson(pod).metadata },
      };
    }),
  };
}

export function workloadJson(w: Workload, pods: FakePod[]) {
  const selector = { matchLabels: w.template.labels };
  const ready = pods.filter((p) => p.ready && p.phase === 'Running').length;
  return {
    metadata: meta(w.namespace, w.name, w.uid, w.createdAt, { labels: w.template.labels, generation: 1 }),
    spec: {
      replicas: w.replicas,
      selector,
      ...(w.kind === 'StatefulSet' ? { serviceName: w.name } : {}),
      template: { metadata: { labels: w.template.labels }, spec: { containers: [{ name: w.template.containerName ?? 'postgres', image: 'postgres:15' }] } },
    },
    status: { replicas: pods.length, readyReplicas: ready, availableReplicas: ready, observedGeneration: 1 },
  };
}

export function replicaSetJson(w: Workload, pods: FakePod[]) {
  const base = workloadJson(w, pods);
  return {
    ...base,
    metadata: {
      ...meta(w.namespace, w.replicaSet!, newUid(), w.createdAt, { labels: w.template.labels }),
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: w.name, uid: w.uid, controller: true }],
    },
  };
}

export function serviceJson(s: Service) {
  return {
    metadata: meta(s.namespace, s.name, s.uid, s.createdAt),
    spec: {
      ...(s.selector ? { selector: s.selector } : {}),
      ports: s.ports.map((p) => ({ ...(p.name ? { name: p.name } : {}), port: p.port, targetPort: p.targetPort, protocol: 'TCP' })),
      type: 'ClusterIP',
      clusterIP: '10.43.0.10',
    },
    status: { loadBalancer: {} },
  };
}

export function endpointsJson(s: Service, pods: FakePod[]) {
  const ready = pods.filter((p) => p.ready && p.phase === 'Running');
  return {
    metadata: meta(s.namespace, s.name, s.uid, s.createdAt),
    subsets: ready.length
      ? [{ addresses: ready.map((p) => ({ ip: '10.42.0.10', targetRef: { kind: 'Pod', namespace: p.namespace, name: p.name, uid: p.uid } })), ports: s.ports.map((p) => ({ port: typeof p.targetPort === 'number' ? p.targetPort : p.port, protocol: 'TCP' })) }]
      : [],
  };
}

export function secretJson(s: Secret) {
  return {
    metadata: meta(s.namespace, s.name, s.uid, s.createdAt),
    type: 'Opaque',
    data: Object.fromEntries(Object.entries(s.data).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
  };
}

/** Label selector matching (=, ==, !=, in, notin, exists, !exists), as the API server parses `labelSelector`. */
export function matchesSelector(labels: Record<string, string>, selector: string): boolean {
  const terms: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of selector) {
    if (ch === '(') depth += 1;
    if (ch === ')') depth -= 1;
    if (ch === ',' && depth === 0) {
      terms.push(current);
      current = '';
    } else current += ch;
  }
  if (current.trim()) terms.push(current);
  return terms.every((raw) => {
    const term = raw.trim();
    let m: RegExpExecArray | null;
    if ((m = /^([^!=\s]+)\s*!=\s*(.*)$/.exec(term))) return labels[m[1]!] !== m[2]!.trim();
    if ((m = /^([^!=\s]+)\s*==?\s*(.*)$/.exec(term))) return labels[m[1]!] === m[2]!.trim();
    if ((m = /^(\S+)\s+(in|notin)\s*\((.*)\)$/.exec(term))) {
      const values = m[3]!.split(',').map((v) => v.trim());
      const has = labels[m[1]!] !== undefined && values.includes(labels[m[1]!]!);
      return m[2] === 'in' ? has : !has;
    }
    if (term.startsWith('!')) return labels[term.slice(1)] === undefined;
    return labels[term] !== undefined;
  });
}

/** The QoS class kubelet gives a pod whose only resourced container has these (the sidecars have none). */
function qosClass(r: ContainerResources, containers: number): 'Guaranteed' | 'Burstable' | 'BestEffort' {
  const req = r.requests ?? {};
  const lim = r.limits ?? {};
  if (!req.cpu && !req.memory && !lim.cpu && !lim.memory) return 'BestEffort';
  // Guaranteed: every container has CPU and memory limits, and requests equal to them (unset requests default to the limits).
  const equal = (k: 'cpu' | 'memory') => lim[k] !== undefined && (req[k] ?? lim[k]) === lim[k];
  return containers === 1 && equal('cpu') && equal('memory') ? 'Guaranteed' : 'Burstable';
}
