// A fake Kubernetes API server for tests, speaking the real protocol over
// TLS (a CA, a server certificate, client certificates or bearer tokens, as a
// K3s kubeconfig has): discovery, GET/LIST of pods, deployments, replicasets,
// statefulsets, services, endpoints, secrets and namespaces, and the
// portforward and exec subresources over WebSocket (and SPDY for kubectl
// port-forward, spdy.ts). Pods forward to real local servers (the throwaway
// PostgreSQL) and run exec'd commands locally with the pod's environment.
// Around the pods: PersistentVolumeClaims, events (core and events.k8s.io),
// pods/log with follow and previous (logs.ts), metrics.k8s.io PodMetrics and
// self access/rules reviews (pod-world.ts, authz.ts); watching pods with
// resourceVersions and 410 Gone (watch.ts).
// Tests steer it: kill a pod (its streams die, a replacement comes up under a
// new name after a delay), keep pods un-Ready, move the primary label, black-
// hole streams, OOM-kill a container (it restarts), append log lines, set
// CPU/memory usage, add Warning events, and answer 403 for chosen verbs or 401
// for expired credentials.
// Real clients (kubectl, client-node) are tested against it, so it is trusted.
import https from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { STATUS_CODES } from 'node:http';
import type net from 'node:net';
import type { TLSSocket } from 'node:tls';
import { writeFileSync } from 'node:fs';
import { WebSocketServer } from 'ws';
import { makeCerts, type FakeKubeCerts, type KeyPair } from './certs.js';
import { accessReview, reviewSpec, ruleResource, rulesReview } from './authz.js';
import { requestedContainer } from './containers.js';
import { appendLog, logContainer, restartContainer, serveLog } from './logs.js';
import {
  endpointsJson, matchesSelector, newContainer, newUid, podJson, podSuffix, podTable, replicaSetJson, secretJson, serviceJson, workloadJson,
  type FakeContainer, type FakeEvent, type FakePod, type PodTemplate, type Pvc, type Secret, type Service, type Workload,
} from './model.js';
import { coreEventJson, eventTable, eventsV1Json, podMetricsJson, pvcJson, pvcTable, selectEvents } from './pod-world.js';
import { serveExec, servePortForward, type ExecRequest } from './streams.js';
import { PodWatchHub } from './watch.js';

export interface FakeKubeOptions {
  /** What GET /version says: the gcloud kubectl dispatcher runs kubectl.<minor> of it. */
  gitVersion?: string;
}

export interface RequestRecord {
  method: string;
  path: string;
  user: string | null;
  verb?: string;
  resource?: string;
  protocol?: string;
  status: number;
}

export interface KubeconfigOptions {
  namespace?: string;
  /** Default: a client certificate for "admin" in system:masters. */
  credentials?: { token: string } | { exec: { command: string; args: string[] } } | KeyPair;
  contextName?: string;
  /** Another server address (an unreachable one, for tests). */
  server?: string;
}

/** The handler kubectl's SPDY port-forward needs; installed by spdy.ts. */
export type SpdyUpgrade = (
  req: IncomingMessage, socket: net.Socket, head: Buffer, pod: FakePod, tunnelled: boolean, exec: ExecRequest | null,
) => void;

interface Route {
  /** The API version of the group (v1, v1beta1). */
  version: string;
  namespace?: string;
  resource?: string;
  name?: string;
  sub?: string;
  group: string;
  discovery?: unknown;
}

const CORE_RESOURCES = [
  { name: 'namespaces', singularName: 'namespace', namespaced: false, kind: 'Namespace', verbs: ['get', 'list'], shortNames: ['ns'] },
  { name: 'pods', singularName: 'pod', namespaced: true, kind: 'Pod', verbs: ['delete', 'get', 'list', 'watch'], shortNames: ['po'], categories: ['all'] },
  { name: 'pods/exec', singularName: '', namespaced: true, kind: 'PodExecOptions', verbs: ['create', 'get'] },
  { name: 'pods/portforward', singularName: '', namespaced: true, kind: 'PodPortForwardOptions', verbs: ['create', 'get'] },
  { name: 'pods/log', singularName: '', namespaced: true, kind: 'Pod', verbs: ['get'] },
  { name: 'services', singularName: 'service', namespaced: true, kind: 'Service', verbs: ['get', 'list'], shortNames: ['svc'], categories: ['all'] },
  { name: 'endpoints', singularName: 'endpoints', namespaced: true, kind: 'Endpoints', verbs: ['get', 'list'], shortNames: ['ep'] },
  { name: 'secrets', singularName: 'secret', namespaced: true, kind: 'Secret', verbs: ['get', 'list'] },
  { name: 'persistentvolumeclaims', singularName: 'persistentvolumeclaim', namespaced: true, kind: 'PersistentVolumeClaim', verbs: ['get', 'list'], shortNames: ['pvc'] },
  { name: 'events', singularName: 'event', namespaced: true, kind: 'Event', verbs: ['get', 'list'], shortNames: ['ev'] },
];
const APPS_RESOURCES = [
  { name: 'deployments', singularName: 'deployment', namespaced: true, kind: 'Deployment', verbs: ['get', 'list'], shortNames: ['deploy'], categories: ['all'] },
  { name: 'replicasets', singularName: 'replicaset', namespaced: true, kind: 'ReplicaSet', verbs: ['get', 'list'], shortNames: ['rs'], categories: ['all'] },
  { name: 'statefulsets', singularName: 'statefulset', namespaced: true, kind: 'StatefulSet', verbs: ['get', 'list'], shortNames: ['sts'], categories: ['all'] },
];
/** The groups under /apis, each at one version (what kubectl's legacy discovery walks). */
const GROUPS: Record<string, { version: string; resources: typeof CORE_RESOURCES }> = {
  apps: { version: 'v1', resources: APPS_RESOURCES },
  'events.k8s.io': {
    version: 'v1',
    resources: [{ name: 'events', singularName: 'event', namespaced: true, kind: 'Event', verbs: ['get', 'list'], shortNames: ['ev'] }],
  },
  'metrics.k8s.io': {
    version: 'v1beta1',
    resources: [
      { name: 'pods', singularName: '', namespaced: true, kind: 'PodMetrics', verbs: ['get', 'list'] },
      { name: 'nodes', singularName: '', namespaced: false, kind: 'NodeMetrics', verbs: ['get', 'list'] },
    ],
  },
  'authorization.k8s.io': {
    version: 'v1',
    resources: [
      { name: 'selfsubjectaccessreviews', singularName: 'selfsubjectaccessreview', namespaced: false, kind: 'SelfSubjectAccessReview', verbs: ['create'] },
      { name: 'selfsubjectrulesreviews', singularName: 'selfsubjectrulesreview', namespaced: false, kind: 'SelfSubjectRulesReview', verbs: ['create'] },
    ],
  },
};

export class FakeKube {
  readonly namespaces = new Set<string>(['default', 'kube-system']);
  readonly pods: FakePod[] = [];
  /** Pod changes as resourceVersions, and the open watches (watch.ts). */
  readonly podWatch = new PodWatchHub(() => this.pods);
  /** False: the cluster has no metrics-server (metrics.k8s.io is not served: discovery leaves it out, its paths are 404). */
  metricsApi = true;
  readonly workloads: Workload[] = [];
  readonly services: Service[] = [];
  readonly secrets: Secret[] = [];
  readonly pvcs: Pvc[] = [];
  readonly events: FakeEvent[] = [];
  /**
   * "verb resource" pairs answered with 403, e.g. "create pods/portforward";
   * resources outside the core and apps groups are qualified: "list pods.metrics.k8s.io".
   */
  readonly forbidden = new Set<string>();
  /** Bearer tokens: user name, or null for an expired token (401). */
  readonly tokens = new Map<string, string | null>();
  readonly requests: RequestRecord[] = [];
  spdyUpgrade: SpdyUpgrade | null = null;
  readonly admin: KeyPair;
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly sockets = new Set<net.Socket>();
  private readonly wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, handleProtocols: (offered, req) => chooseProtocol(offered, req, this.withoutV5) });
  /** Answer SelfSubjectRulesReview as a server with a webhook authorizer does: incomplete (authz.ts). */
  rulesIncomplete = false;
  /** Answer exec as a server before Kubernetes 1.30 does: v4 at most. */
  withoutV5 = false;

  private constructor(
    /** The HTTPS server (traffic.ts counts what it sends). */
    readonly server: https.Server,
    readonly certs: FakeKubeCerts,
    readonly url: string,
    readonly gitVersion: string,
  ) {
    this.admin = certs.client('admin', 'system:masters');
  }

  static async start(options: FakeKubeOptions = {}): Promise<FakeKube> {
    const certs = makeCerts();
    // The API server asks for a client certificate but checks it itself (401, not a TLS failure), as kube-apiserver does.
    const server = https.createServer({ key: certs.server.key, cert: certs.server.cert, ca: certs.ca.cert, requestCert: true, rejectUnauthorized: false });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as net.AddressInfo;
    const fake = new FakeKube(server, certs, `https://127.0.0.1:${port}`, options.gitVersion ?? 'v1.32.5');
    server.on('connection', (socket: net.Socket) => {
      fake.sockets.add(socket);
      socket.on('close', () => fake.sockets.delete(socket));
    });
    server.on('secureConnection', (socket: TLSSocket) => {
      fake.sockets.add(socket);
      socket.on('close', () => fake.sockets.delete(socket));
    });
    server.on('request', (req, res) => fake.handle(req, res));
    server.on('upgrade', (req: IncomingMessage, socket: net.Socket, head: Buffer) => fake.upgrade(req, socket, head));
    return fake;
  }

  // ---- objects -------------------------------------------------------------

  addNamespace(name: string): void {
    this.namespaces.add(name);
  }

  addDeployment(namespace: string, name: string, template: PodTemplate, replicas = 1): Workload {
    this.addNamespace(namespace);
    const workload: Workload = {
      kind: 'Deployment', namespace, name, uid: newUid(), createdAt: new Date(), replicas, template,
      replicaSet: `${name}-${Math.floor(Math.random() * 0xffffffff).toString(16).slice(0, 9).padStart(9, '5')}`,
    };
    this.workloads.push(workload);
    for (let i = 0; i < replicas; i++) this.createPod(workload, i, true);
    return workload;
  }

  addStatefulSet(namespace: string, name: string, template: PodTemplate, replicas = 1, perPod: Partial<PodTemplate>[] = []): Workload {
    this.addNamespace(namespace);
    const workload: Workload = { kind: 'StatefulSet', namespace, name, uid: newUid(), createdAt: new Date(), replicas, template, perPod };
    this.workloads.push(workload);
    for (let i = 0; i < replicas; i++) this.createPod(workload, i, true);
    return workload;
  }

  /** A bare pod (no controller: once killed, it stays gone). */
  addPod(namespace: string, name: string, template: PodTemplate, ready = true): FakePod {
    this.addNamespace(namespace);
    const pod = this.newPod(namespace, name, template);
    pod.phase = 'Running';
    pod.ready = ready;
    this.pods.push(pod);
    return pod;
  }

  addService(namespace: string, name: string, selector: Record<string, string> | undefined, ports: Service['ports']): void {
    this.addNamespace(namespace);
    this.services.push({ namespace, name, uid: newUid(), createdAt: new Date(), selector, ports });
  }

  addSecret(namespace: string, name: string, data: Record<string, string>): void {
    this.addNamespace(namespace);
    this.secrets.push({ namespace, name, uid: newUid(), createdAt: new Date(), data });
  }

  pod(namespace: string, name: string): FakePod | undefined {
    return this.pods.find((p) => p.namespace === namespace && p.name === name);
  }

  podsOf(namespace: string, workload: string): FakePod[] {
    const w = this.workloads.find((x) => x.namespace === namespace && x.name === workload);
    if (!w) return [];
    const owner = w.kind === 'Deployment' ? w.replicaSet : w.name;
    return this.pods.filter((p) => p.namespace === namespace && p.owner?.name === owner);
  }

  /** The one live (not terminating) pod of a workload. */
  livePod(namespace: string, workload: string): FakePod | undefined {
    return this.podsOf(namespace, workload).find((p) => !p.deleting);
  }

  /**
   * Kills a pod: its streams die at once (clients see the WebSocket drop), it
   * shows as terminating, then disappears; its controller brings a replacement
   * up after `replaceAfterMs` (a new name for a Deployment, the same for a
   * StatefulSet), Ready `readyAfterMs` later.
   */
  killPod(namespace: string, name: string, options: { replaceAfterMs?: number; readyAfterMs?: number } = {}): void {
    const pod = this.pod(namespace, name);
    if (!pod) throw new Error(`fake-kube: no pod ${namespace}/${name}`);
    pod.deleting = true;
    pod.ready = false;
    for (const stream of [...pod.streams]) stream.kill();
    for (const container of pod.containers) for (const follower of [...container.followers]) follower.end();
    this.later(100, () => {
      const index = this.pods.indexOf(pod);
      if (index >= 0) this.pods.splice(index, 1);
    });
    const workload = this.workloads.find((w) => pod.owner && (w.replicaSet ?? w.name) === pod.owner.name && w.namespace === namespace);
    if (!workload) return;
    const ordinal = workload.kind === 'StatefulSet' ? Number(name.slice(workload.name.length + 1)) : 0;
    this.later(options.replaceAfterMs ?? 1_000, () => {
      const replacement = this.createPod(workload, ordinal, false);
      replacement.phase = 'Pending';
      this.later((options.readyAfterMs ?? 300) / 2, () => {
        replacement.phase = 'Running';
        this.later((options.readyAfterMs ?? 300) / 2, () => {
          if (!replacement.deleting) replacement.ready = true;
        });
      });
    });
  }

  setReady(namespace: string, name: string, ready: boolean): void {
    const pod = this.pod(namespace, name);
    if (!pod) throw new Error(`fake-kube: no pod ${namespace}/${name}`);
    pod.ready = ready;
  }

  setPhase(namespace: string, name: string, phase: FakePod['phase']): void {
    const pod = this.pod(namespace, name);
    if (!pod) throw new Error(`fake-kube: no pod ${namespace}/${name}`);
    pod.phase = phase;
  }

  /** Sets (or with null, removes) labels of a pod. */
  setLabels(namespace: string, name: string, labels: Record<string, string | null>): void {
    const pod = this.pod(namespace, name);
    if (!pod) throw new Error(`fake-kube: no pod ${namespace}/${name}`);
    for (const [k, v] of Object.entries(labels)) {
      if (v === null) delete pod.labels[k];
      else pod.labels[k] = v;
    }
  }

  /** Ends a pod's open streams abruptly, as a dropped API server connection does. */
  dropStreams(namespace: string, name: string): void {
    for (const stream of [...(this.pod(namespace, name)?.streams ?? [])]) stream.kill();
  }

  /** Stops reading a pod's open streams: a black hole (no data, no pongs). */
  freezeStreams(namespace: string, name: string): void {
    for (const stream of this.pod(namespace, name)?.streams ?? []) stream.freeze();
  }

  /** A pod's open streams; of one kind (WebSocket port-forwards or execs) when asked. */
  openStreams(namespace: string, name: string, kind?: 'portforward' | 'exec'): number {
    return [...(this.pod(namespace, name)?.streams ?? [])].filter((s) => kind === undefined || s.kind === kind).length;
  }

  /** The container of a pod (the main one by default). */
  container(namespace: string, pod: string, container?: string): FakeContainer {
    const found = this.pod(namespace, pod);
    if (!found) throw new Error(`fake-kube: no pod ${namespace}/${pod}`);
    const c = container ? found.containers.find((x) => x.name === container) : found.containers[0];
    if (!c) throw new Error(`fake-kube: no container ${container} in pod ${namespace}/${pod}`);
    return c;
  }

  /** The container writes these lines (to stdout, as kubectl logs reads them); open follows get them at once. */
  appendLog(namespace: string, pod: string, lines: string[], options: { container?: string; at?: Date } = {}): void {
    appendLog(this.container(namespace, pod, options.container), lines, options.at);
  }

  /**
   * The container is OOM-killed (or ends with another reason and exit code)
   * and restarted at once: restartCount + 1, lastState.terminated, its log so
   * far kept as the previous one. Killing the main container ends the pod's
   * port-forwards and execs, as the server process dies with it.
   */
  restartContainer(namespace: string, pod: string, options: { container?: string; reason?: string; exitCode?: number } = {}): void {
    const container = this.container(namespace, pod, options.container);
    restartContainer(container, options.reason ?? 'OOMKilled', options.exitCode ?? 137);
    if (container === this.pod(namespace, pod)!.containers[0]) this.dropStreams(namespace, pod);
  }

  /** What metrics.k8s.io says a container uses: quantities such as "250m" CPU, "300Mi" memory. */
  setUsage(namespace: string, pod: string, usage: { cpu: string; memory: string }, container?: string): void {
    this.container(namespace, pod, container).usage = { ...usage };
  }

  addPvc(namespace: string, name: string, options: Partial<Pick<Pvc, 'capacity' | 'storageClassName' | 'phase'>> = {}): Pvc {
    this.addNamespace(namespace);
    const uid = newUid();
    const pvc: Pvc = {
      namespace, name, uid, createdAt: new Date(), capacity: options.capacity ?? '10Gi', storageClassName: options.storageClassName ?? 'local-path',
      phase: options.phase ?? 'Bound', volumeName: `pvc-${uid}`,
    };
    this.pvcs.push(pvc);
    return pvc;
  }

  /**
   * An event about a pod or a PVC, as kubelet (or another component) reports
   * it: Warning OOMKilling, Evicted, FailedMount, Unhealthy, BackOff…
   */
  addEvent(
    namespace: string,
    object: { kind: 'Pod' | 'PersistentVolumeClaim'; name: string },
    event: { type?: FakeEvent['type']; reason: string; message: string; count?: number; component?: string; at?: Date },
  ): FakeEvent {
    const target = object.kind === 'Pod' ? this.pod(namespace, object.name) : this.pvcs.find((p) => p.namespace === namespace && p.name === object.name);
    if (!target) throw new Error(`fake-kube: no ${object.kind} ${namespace}/${object.name}`);
    const at = event.at ?? new Date();
    const created: FakeEvent = {
      namespace, name: `${object.name}.${(at.getTime() * 1000 + this.events.length).toString(16)}`, uid: newUid(),
      type: event.type ?? 'Warning', reason: event.reason, message: event.message,
      object: { kind: object.kind, name: object.name, uid: target.uid },
      source: { component: event.component ?? (object.kind === 'Pod' ? 'kubelet' : 'persistentvolume-controller'), ...('node' in target ? { host: target.node } : {}) },
      firstAt: at, lastAt: at, count: event.count ?? 1,
    };
    this.events.push(created);
    return created;
  }

  forbid(verb: string, resource: string): void {
    this.forbidden.add(`${verb} ${resource}`);
  }

  allow(verb: string, resource: string): void {
    this.forbidden.delete(`${verb} ${resource}`);
  }

  /** Writes a kubeconfig for this server; returns its path. */
  writeKubeconfig(path: string, options: KubeconfigOptions = {}): string {
    const context = options.contextName ?? 'fake';
    const credentials = options.credentials ?? this.admin;
    const user =
      'token' in credentials
        ? `    token: ${credentials.token}`
        : 'exec' in credentials
          ? [
              '    exec:',
              '      apiVersion: client.authentication.k8s.io/v1beta1',
              `      command: ${credentials.exec.command}`,
              '      args:',
              ...credentials.exec.args.map((a) => `      - ${JSON.stringify(a)}`),
            ].join('\n')
          : `    client-certificate-data: ${b64(credentials.cert)}\n    client-key-data: ${b64(credentials.key)}`;
    writeFileSync(
      path,
      [
        'apiVersion: v1',
        'kind: Config',
        'clusters:',
        '- name: fake',
        '  cluster:',
        `    server: ${options.server ?? this.url}`,
        `    certificate-authority-data: ${b64(this.certs.ca.cert)}`,
        'users:',
        '- name: fake-user',
        '  user:',
        user,
        'contexts:',
        `- name: ${context}`,
        '  context:',
        '    cluster: fake',
        '    user: fake-user',
        ...(options.namespace ? [`    namespace: ${options.namespace}`] : []),
        `current-context: ${context}`,
        '',
      ].join('\n'),
      { mode: 0o600 },
    );
    return path;
  }

  async stop(): Promise<void> {
    this.podWatch.stop();
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    for (const pod of this.pods) for (const stream of [...pod.streams]) stream.kill();
    for (const pod of this.pods) for (const container of pod.containers) for (const follower of [...container.followers]) follower.end();
    for (const client of this.wss.clients) client.terminate();
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.certs.dispose();
  }

  // ---- internals -----------------------------------------------------------

  private later(ms: number, fn: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      fn();
    }, ms);
    this.timers.add(timer);
  }

  private newPod(namespace: string, name: string, template: PodTemplate): FakePod {
    const portNames: Record<string, number> = {};
    if (template.ports[5432]) portNames.postgres = 5432;
    const containerName = template.containerName ?? 'postgres';
    return {
      namespace, name, uid: newUid(), createdAt: new Date(), labels: { ...template.labels }, ports: { ...template.ports },
      env: { ...(template.env ?? {}) }, containerName, phase: 'Pending', ready: false,
      deleting: false, streams: new Set(), portNames, node: template.node ?? 'fake-node',
      containers: [containerName, ...(template.sidecars ?? [])].map(newContainer), claims: { ...(template.claims ?? {}) },
      resources: template.resources ?? {},
      sidecarsFirst: template.sidecarsFirst ?? false,
      defaultContainer: template.defaultContainer,
    };
  }

  private createPod(workload: Workload, ordinal: number, ready: boolean): FakePod {
    const override = workload.perPod?.[ordinal] ?? {};
    const template: PodTemplate = {
      ...workload.template,
      ...override,
      labels: { ...workload.template.labels, ...(override.labels ?? {}) },
    };
    const name = workload.kind === 'StatefulSet' ? `${workload.name}-${ordinal}` : `${workload.replicaSet}-${podSuffix()}`;
    const pod = this.newPod(workload.namespace, name, template);
    pod.owner = workload.kind === 'StatefulSet' ? { kind: 'StatefulSet', name: workload.name } : { kind: 'ReplicaSet', name: workload.replicaSet! };
    if (workload.kind === 'StatefulSet') pod.labels['statefulset.kubernetes.io/pod-name'] = name;
    if (ready) {
      pod.phase = 'Running';
      pod.ready = true;
    }
    this.pods.push(pod);
    return pod;
  }

  private authenticate(req: IncomingMessage): string | null {
    const auth = req.headers.authorization;
    if (auth?.startsWith('Bearer ')) return this.tokens.get(auth.slice(7)) ?? null;
    const socket = req.socket as TLSSocket;
    const cert = socket.getPeerCertificate?.();
    if (cert && cert.subject && socket.authorized) return String(cert.subject.CN);
    return null;
  }

  private route(path: string): Route | null {
    const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
    let rest: string[];
    let group: string;
    let version = 'v1';
    if (parts[0] === 'api' && parts[1] === 'v1') {
      group = '';
      rest = parts.slice(2);
      if (rest.length === 0) return { group, version, discovery: { kind: 'APIResourceList', groupVersion: 'v1', resources: CORE_RESOURCES } };
    } else if (parts[0] === 'apis' && parts[1] && GROUPS[parts[1]] && (this.metricsApi || parts[1] !== 'metrics.k8s.io')) {
      group = parts[1];
      version = GROUPS[group]!.version;
      const groupVersion = { groupVersion: `${group}/${version}`, version };
      if (parts.length === 2) return { group, version, discovery: { kind: 'APIGroup', apiVersion: 'v1', name: group, versions: [groupVersion], preferredVersion: groupVersion } };
      if (parts[2] !== version) return null;
      rest = parts.slice(3);
      if (rest.length === 0) return { group, version, discovery: { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: `${group}/${version}`, resources: GROUPS[group]!.resources } };
    } else return null;
    if (rest[0] === 'namespaces' && rest.length >= 3) {
      return { group, version, namespace: rest[1], resource: rest[2], name: rest[3], sub: rest[4] };
    }
    if (rest[0] === 'namespaces') return { group, version, resource: 'namespaces', name: rest[1] };
    return { group, version, resource: rest[0], name: rest[1] };
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'https://fake');
    const record: RequestRecord = { method: req.method ?? 'GET', path: url.pathname + url.search, user: null, status: 200 };
    this.requests.push(record);
    const send = (status: number, body: unknown, type = 'application/json') => {
      record.status = status;
      const text = typeof body === 'string' ? body : JSON.stringify(body);
      res.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(text) });
      res.end(text);
    };
    const path = url.pathname.replace(/\/$/, '') || '/';
    if (path === '/version') {
      const [major, minor] = this.gitVersion.replace(/^v/, '').split('.');
      return send(200, { major, minor, gitVersion: this.gitVersion, gitCommit: 'fake', gitTreeState: 'clean', buildDate: '2025-01-01T00:00:00Z', goVersion: 'go1.23', compiler: 'gc', platform: 'linux/amd64' });
    }
    if (['/healthz', '/livez', '/readyz'].includes(path)) return send(200, 'ok', 'text/plain');
    const user = this.authenticate(req);
    record.user = user;
    if (!user) return send(401, status(401, 'Unauthorized', 'Unauthorized'));
    if (path === '/api') return send(200, { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: this.url.replace('https://', '') }] });
    if (path === '/apis') {
      return send(200, {
        kind: 'APIGroupList', apiVersion: 'v1',
        groups: Object.entries(GROUPS).filter(([name]) => this.metricsApi || name !== 'metrics.k8s.io').map(([name, { version }]) => {
          const groupVersion = { groupVersion: `${name}/${version}`, version };
          return { name, versions: [groupVersion], preferredVersion: groupVersion };
        }),
      });
    }
    const route = this.route(path);
    if (!route) return send(404, status(404, 'NotFound', 'the server could not find the requested resource'));
    if (route.discovery) return send(200, route.discovery);
    const method = req.method ?? 'GET';
    const verb = method === 'DELETE' ? 'delete' : method !== 'GET' ? 'create' : route.name ? 'get' : url.searchParams.get('watch') ? 'watch' : 'list';
    const resource = route.sub ? `${route.resource}/${route.sub}` : route.resource!;
    record.verb = verb;
    record.resource = resource;
    const forbidden = this.forbiddenStatus(user, verb, resource, route);
    if (forbidden) return send(403, forbidden);
    if (route.sub === 'exec' || route.sub === 'portforward') return send(400, status(400, 'BadRequest', 'Upgrade request required'));
    if (route.group === 'authorization.k8s.io') return this.review(req, route, send);
    if (verb === 'watch' && route.group === '' && resource === 'pods') return this.podWatch.serve(req, res, url, route.namespace);
    if (route.group === '' && route.resource === 'pods' && route.sub === 'log') {
      const pod = this.pods.find((p) => p.namespace === route.namespace && p.name === route.name);
      if (!pod) return send(404, { ...status(404, 'NotFound', `pods "${route.name}" not found`), details: { name: route.name, kind: 'pods' } });
      const container = logContainer(pod, url);
      const failed = 'status' in container ? container : serveLog(req, res, pod, container, url);
      if (failed) send(400, status(400, 'BadRequest', failed.message));
      return;
    }
    const result = this.read(route, url, method, String(req.headers.accept ?? ''));
    send(result.status, result.body, result.type);
  }

  private forbiddenStatus(user: string, verb: string, resource: string, route: Route): object | null {
    if (!this.forbidden.has(`${verb} ${ruleResource(route.group, resource)}`)) return null;
    const [base, sub] = resource.split('/');
    const qualified = route.group ? `${base}.${route.group}` : base;
    const subject = route.name ? `${qualified} "${route.name}"` : qualified;
    const message = `${subject} is forbidden: User "${user}" cannot ${verb} resource "${resource}" in API group "${route.group}"${route.namespace ? ` in the namespace "${route.namespace}"` : ''}`;
    return { ...status(403, 'Forbidden', message), details: { name: route.name, group: route.group, kind: sub ? resource : base } };
  }

  private read(route: Route, url: URL, method: string, accept = ''): { status: number; body: unknown; type?: string } {
    const { namespace, resource, name } = route;
    const inNs = <T extends { namespace: string }>(items: T[]) => (namespace ? items.filter((i) => i.namespace === namespace) : items);
    const notFound = () => {
      const qualified = route.group ? `${resource}.${route.group}` : resource;
      return { status: 404, body: { ...status(404, 'NotFound', `${qualified} "${name}" not found`), details: { name, group: route.group, kind: resource } } };
    };
    const selector = url.searchParams.get('labelSelector');
    const apiVersion = route.group ? `${route.group}/${route.version}` : 'v1';
    const list = (kind: string, items: unknown[]) => ({ status: 200, body: { kind: `${kind}List`, apiVersion, metadata: { resourceVersion: '1' }, items } });
    const one = (kind: string, body: object) => ({ status: 200, body: { kind, apiVersion, ...body } });
    const asTable = accept.includes('as=Table');

    if (route.group === 'metrics.k8s.io') {
      // metrics-server has usage only for running pods.
      const running = inNs(this.pods).filter((p) => p.phase === 'Running' && !p.deleting);
      if (resource !== 'pods') return { status: 404, body: status(404, 'NotFound', 'the server could not find the requested resource') };
      if (!name) return list('PodMetrics', running.filter((p) => !selector || matchesSelector(p.labels, selector)).map(podMetricsJson));
      const pod = running.find((p) => p.name === name);
      return pod ? one('PodMetrics', podMetricsJson(pod)) : { status: 404, body: { ...status(404, 'NotFound', `podmetrics.metrics.k8s.io "${name}" not found`), details: { name, group: 'metrics.k8s.io', kind: 'pods' } } };
    }

    switch (resource) {
      case 'namespaces': {
        if (!name) return list('Namespace', [...this.namespaces].map((n) => ({ metadata: { name: n, uid: n }, status: { phase: 'Active' } })));
        if (!this.namespaces.has(name)) return notFound();
        return one('Namespace', { metadata: { name, uid: name }, status: { phase: 'Active' } });
      }
      case 'pods': {
        const pods = inNs(this.pods);
        // fieldSelector metadata.name=NAME: what a client lists before it watches one pod.
        const byName = /^metadata\.name=(.+)$/.exec(url.searchParams.get('fieldSelector') ?? '')?.[1];
        const selected = () => pods.filter((p) => (!selector || matchesSelector(p.labels, selector)) && (!byName || p.name === byName));
        // kubectl get pods asks for the server's table (READY, STATUS, RESTARTS… and -o wide's NODE).
        if (!name && asTable) return { status: 200, body: podTable(selected()) };
        if (!name) {
          const resourceVersion = this.podWatch.resourceVersion;
          return { status: 200, body: { kind: 'PodList', apiVersion, metadata: { resourceVersion }, items: selected().map((p) => this.podWatch.stamped(p)) } };
        }
        const pod = pods.find((p) => p.name === name);
        if (!pod) return notFound();
        if (method === 'DELETE') {
          this.killPod(pod.namespace, pod.name);
          return one('Pod', podJson(pod));
        }
        return asTable ? { status: 200, body: podTable([pod]) } : one('Pod', this.podWatch.stamped(pod));
      }
      case 'deployments':
      case 'statefulsets': {
        const kind = resource === 'deployments' ? 'Deployment' : 'StatefulSet';
        const items = inNs(this.workloads).filter((w) => w.kind === kind);
        if (!name) return list(kind, items.filter((w) => !selector || matchesSelector(w.template.labels, selector)).map((w) => workloadJson(w, this.podsOf(w.namespace, w.name))));
        const w = items.find((x) => x.name === name);
        return w ? one(kind, workloadJson(w, this.podsOf(w.namespace, w.name))) : notFound();
      }
      case 'replicasets': {
        const items = inNs(this.workloads).filter((w) => w.kind === 'Deployment');
        if (!name) return list('ReplicaSet', items.map((w) => replicaSetJson(w, this.podsOf(w.namespace, w.name))));
        const w = items.find((x) => x.replicaSet === name);
        return w ? one('ReplicaSet', replicaSetJson(w, this.podsOf(w.namespace, w.name))) : notFound();
      }
      case 'services': {
        const items = inNs(this.services);
        if (!name) return list('Service', items.map(serviceJson));
        const s = items.find((x) => x.name === name);
        return s ? one('Service', serviceJson(s)) : notFound();
      }
      case 'endpoints': {
        const podsFor = (s: Service) => (s.selector ? this.pods.filter((p) => p.namespace === s.namespace && matchesSelector(p.labels, Object.entries(s.selector!).map(([k, v]) => `${k}=${v}`).join(','))) : []);
        const items = inNs(this.services);
        if (!name) return list('Endpoints', items.map((s) => endpointsJson(s, podsFor(s))));
        const s = items.find((x) => x.name === name);
        return s ? one('Endpoints', endpointsJson(s, podsFor(s))) : notFound();
      }
      case 'secrets': {
        const items = inNs(this.secrets);
        if (!name) return list('Secret', items.map(secretJson));
        const s = items.find((x) => x.name === name);
        return s ? one('Secret', secretJson(s)) : notFound();
      }
      case 'persistentvolumeclaims': {
        const items = inNs(this.pvcs);
        if (!name) return asTable ? { status: 200, body: pvcTable(items) } : list('PersistentVolumeClaim', items.map(pvcJson));
        const pvc = items.find((x) => x.name === name);
        if (!pvc) return notFound();
        return asTable ? { status: 200, body: pvcTable([pvc]) } : one('PersistentVolumeClaim', pvcJson(pvc));
      }
      case 'events': {
        const view: (e: FakeEvent) => object = route.group === 'events.k8s.io' ? eventsV1Json : coreEventJson;
        const selected = selectEvents(inNs(this.events), url.searchParams.get('fieldSelector'), route.group === 'events.k8s.io' ? 'events.k8s.io' : 'core');
        if ('error' in selected) return { status: 400, body: status(400, 'BadRequest', selected.error) };
        if (!name) return asTable ? { status: 200, body: eventTable(selected) } : list('Event', selected.map(view));
        const event = selected.find((e) => e.name === name);
        if (!event) return notFound();
        return asTable ? { status: 200, body: eventTable([event]) } : one('Event', view(event));
      }
      default:
        return { status: 404, body: status(404, 'NotFound', 'the server could not find the requested resource') };
    }
  }

  /** SelfSubjectAccessReview and SelfSubjectRulesReview (create): the spec comes back with a status. */
  private review(req: IncomingMessage, route: Route, send: (status: number, body: unknown) => void): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const kind = route.resource === 'selfsubjectaccessreviews' ? 'SelfSubjectAccessReview' : route.resource === 'selfsubjectrulesreviews' ? 'SelfSubjectRulesReview' : null;
      if (!kind || route.name || req.method !== 'POST') return send(405, status(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource'));
      let spec: Record<string, unknown>;
      try {
        spec = reviewSpec(Buffer.concat(chunks), String(req.headers['content-type'] ?? ''), kind);
      } catch {
        return send(400, status(400, 'BadRequest', 'the body of the request was in an unknown format - accepted media types include: application/json, application/vnd.kubernetes.protobuf'));
      }
      const groups = { '': CORE_RESOURCES, ...Object.fromEntries(Object.entries(GROUPS).map(([g, { resources }]) => [g, resources])) };
      const result = kind === 'SelfSubjectAccessReview' ? accessReview(spec, this.forbidden) : rulesReview(groups, this.forbidden, this.rulesIncomplete);
      send(201, { kind, apiVersion: 'authorization.k8s.io/v1', metadata: { creationTimestamp: null }, spec, status: result });
    });
  }

  private upgrade(req: IncomingMessage, socket: net.Socket, head: Buffer): void {
    socket.on('error', () => undefined);
    const url = new URL(req.url ?? '/', 'https://fake');
    const record: RequestRecord = { method: req.method ?? 'GET', path: url.pathname + url.search, user: null, status: 101 };
    this.requests.push(record);
    const refuse = (code: number, body: object) => {
      record.status = code;
      const text = JSON.stringify(body);
      socket.end(`HTTP/1.1 ${code} ${STATUS_CODES[code]}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`);
    };
    const user = this.authenticate(req);
    record.user = user;
    if (!user) return refuse(401, status(401, 'Unauthorized', 'Unauthorized'));
    const route = this.route(url.pathname);
    if (!route || route.resource !== 'pods' || !route.name || (route.sub !== 'exec' && route.sub !== 'portforward')) {
      return refuse(404, status(404, 'NotFound', 'the server could not find the requested resource'));
    }
    const resource = `pods/${route.sub}`;
    record.verb = 'create';
    record.resource = resource;
    // Since 1.30 the API server wants "create" on pods/exec and pods/portforward, also for a WebSocket GET.
    const forbidden = this.forbiddenStatus(user, 'create', resource, route);
    if (forbidden) return refuse(403, forbidden);
    const pod = this.pods.find((p) => p.namespace === route.namespace && p.name === route.name);
    if (!pod) return refuse(404, { ...status(404, 'NotFound', `pods "${route.name}" not found`), details: { name: route.name, kind: 'pods' } });
    if (pod.phase !== 'Running') return refuse(400, status(400, 'BadRequest', `pod ${pod.name} is not running (phase ${pod.phase})`));

    const offered = String(req.headers['sec-websocket-protocol'] ?? '');
    const isSpdy = /^SPDY\/3\.1$/i.test(String(req.headers.upgrade ?? '')) || offered.includes('SPDY/3.1+portforward.k8s.io');
    const flag = (name: string) => ['true', '1'].includes(url.searchParams.get(name) ?? '');
    const execRequest: ExecRequest = { command: url.searchParams.getAll('command'), stdin: flag('stdin'), stdout: flag('stdout'), stderr: flag('stderr'), container: pod.containerName };
    if (route.sub === 'exec') {
      // The container first, as the API server resolves it before it looks at the command.
      const container = requestedContainer(pod, url.searchParams.get('container'));
      if ('status' in container) return refuse(400, status(400, 'BadRequest', container.message));
      execRequest.container = container.name;
      if (execRequest.command.length === 0) return refuse(400, status(400, 'BadRequest', 'you must specify at least 1 command'));
    }
    if (isSpdy) {
      record.protocol = 'SPDY/3.1';
      if (!this.spdyUpgrade) return refuse(400, status(400, 'BadRequest', 'SPDY is not enabled on this fake'));
      return this.spdyUpgrade(req, socket, head, pod, offered.includes('SPDY/3.1+portforward.k8s.io'), route.sub === 'exec' ? execRequest : null);
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      record.protocol = ws.protocol;
      if (route.sub === 'portforward') {
        const ports = url.searchParams.getAll('ports').flatMap((p) => p.split(',')).map(Number).filter((p) => p > 0);
        servePortForward(ws, pod, ports.length ? ports : [5432]);
      } else {
        serveExec(ws, pod, execRequest);
      }
    });
  }
}

function chooseProtocol(offered: Set<string>, req: IncomingMessage, withoutV5: boolean): string | false {
  const supported = (req.url ?? '').includes('/portforward')
    ? ['v4.channel.k8s.io', 'v4.base64.channel.k8s.io']
    : ['v5.channel.k8s.io', 'v4.channel.k8s.io', 'v4.base64.channel.k8s.io', 'v3.channel.k8s.io', 'v2.channel.k8s.io', 'channel.k8s.io'].slice(withoutV5 ? 1 : 0);
  for (const protocol of offered) if (supported.includes(protocol)) return protocol;
  return false;
}

function status(code: number, reason: string, message: string) {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code };
}

function b64(text: string): string {
  return Buffer.from(text).toString('base64');
}
