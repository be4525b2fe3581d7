// `pgtop -k TYPE/NAME`: the connection goes to 127.0.0.1 and pgtop's own
// port-forward carries it to the target's Ready pod (the primary when there
// are several). Loaded by open.ts only with -k, so the direct path
// never loads client-node. Everything that can fail before the dashboard —
// kubeconfig, context, API server, RBAC, the target, a Ready pod, the
// database port in the pod — fails here, as one line.
import { type ConnectionFlags, resolveConnection, type ResolvedConnection } from '../db/connection-options.js';
import { setConnection, type PgtopStore } from '../store/store.js';
import type { K8sOptions } from './target.js';
import { K8sError } from '../k8s/errors.js';
import { execInPod, type ExecOptions, type ExecResult } from '../k8s/exec.js';
import { PodForwarder, type ForwarderOptions, type ResolvedPod } from '../k8s/forward.js';
import { KubeClient } from '../k8s/kube.js';
import { isPrimaryAt, sslRequestProbe } from '../k8s/probe.js';
import type { CnpgCluster } from '../k8s/instances-source.js';
import type { PodLogTarget } from '../k8s/log-source.js';
import { PodTracker } from '../k8s/pod-sources.js';
import { resolvePinnedPod, resolveTarget } from '../k8s/resolve.js';
import { serverContainerName } from '../k8s/server-container.js';
import type { CurrentInstance } from '../model/instances.js';
import { readSecretKey } from '../k8s/secret.js';
import { reviewAccess } from '../k8s/access.js';
import { KUBE_NEEDS, type KubeAccess } from '../model/kube-access.js';

export interface K8sTarget {
  connection: ResolvedConnection;
  label: string;
  forwarder: PodForwarder;
  kube: KubeClient;
  namespace: string;
  /** With -k cluster/NAME: the cluster, for its instances' source. */
  cnpgCluster?: CnpgCluster;
  /** The server container's log, for the logs screen. */
  podLog: PodLogTarget;
  /** What RBAC lets pgtop do in the namespace, reviewed once the target resolved (null: the review could not be had). */
  access: KubeAccess | null;
  /** The pod the forward goes to, watched: its state, volumes, events and metrics as sources. */
  pod: PodTracker;
  attach(store: PgtopStore): void;
  /** Runs a command in the server's container of the current pod (resolved again if it moved): what backups run pg_dump with. */
  exec(options: Omit<ExecOptions, 'namespace' | 'pod'>): Promise<ExecResult>;
  close(): Promise<void>;
}

/** Knobs for tests; the defaults are what users get. */
export type K8sTuning = Pick<ForwarderOptions, 'holdMs' | 'retryMs' | 'pingIntervalMs'> & { requestTimeoutMs?: number };

export async function openK8sTarget(
  k8s: K8sOptions,
  flags: ConnectionFlags,
  env: NodeJS.ProcessEnv = process.env,
  tuning: K8sTuning = {},
): Promise<K8sTarget> {
  const kube = KubeClient.load({ kubeconfig: k8s.kubeconfig, context: k8s.context, namespace: k8s.namespace, requestTimeoutMs: tuning.requestTimeoutMs }, env);
  const namespace = kube.namespace;
  const secretPassword = k8s.passwordSecret ? await readSecretKey(kube, namespace, k8s.passwordSecret) : undefined;

  // psql's rules for user, database and password; host and port are the forward's.
  // In a pod the superuser is "postgres", not the OS user running pgtop.
  const pgEnv: NodeJS.ProcessEnv = { ...env, PGHOST: undefined, PGPORT: undefined, PGUSER: env.PGUSER || 'postgres' };
  const base = resolveConnection({ ...flags, host: '127.0.0.1', port: undefined }, pgEnv);
  let resolved: ResolvedConnection = { ...base, password: secretPassword ?? base.password };

  const forwarder: PodForwarder = new PodForwarder({
    kube,
    localPort: k8s.localPort,
    ...tuning,
    resolve: (pinned) =>
      pinned
        ? resolvePinnedPod({ kube, namespace, target: k8s.target, remotePort: k8s.remotePort, pod: pinned })
        : resolveTarget({
            kube,
            namespace,
            target: k8s.target,
            remotePort: k8s.remotePort,
            isPrimary: (pod) => probePrimary(forwarder, pod, resolved),
          }),
  });
  const cnpgCluster: CnpgCluster | undefined = k8s.target.kind === 'cluster' ? { kube, namespace, name: k8s.target.name } : undefined;
  // Which instance the dashboard is on, for the replication screen (a CloudNativePG cluster only).
  const instanceOf = (pod: ResolvedPod | null): CurrentInstance | null => (cnpgCluster && pod ? { pod: pod.name, pinned: forwarder.pinned !== null } : null);
  const targetName = `${namespace}/${k8s.target.kind}/${k8s.target.name}`;
  const labelFor = (pod: ResolvedPod | null) =>
    `k8s ${targetName} → pod/${pod?.name ?? '?'} :${pod?.port ?? k8s.remotePort}${pod?.note ? ` (${pod.note})` : ''}`;

  try {
    const port = await forwarder.listen();
    resolved = { ...resolved, host: '127.0.0.1', port, describe: `127.0.0.1:${port}` };
    const pod = await forwarder.currentPod();
    try {
      await sslRequestProbe(port, forwarder.holdMs + 2_000);
    } catch (error) {
      const failure = forwarder.lastFailure?.error;
      if (failure && failure.kind !== 'refused') throw failure;
      throw new K8sError(
        `PostgreSQL does not answer on port ${pod.port} in pod ${pod.name} (${failure?.detail ?? failure?.message ?? (error as Error).message}): check --remote-port and that the server in the pod is up`,
        'refused',
      );
    }
  } catch (error) {
    await forwarder.close();
    throw error;
  }
  // Permissions up front: panels and keys say what is missing before anything fails.
  const access = await reviewAccess(kube, namespace, Object.values(KUBE_NEEDS)).catch(() => null);

  const pod = new PodTracker({
    kube,
    namespace,
    // The pod the forward knows; resolved only before it knows one (a resolution costs API calls).
    currentPod: async () => forwarder.pod?.name ?? (await forwarder.currentPod()).name,
    onPodChange: (listener) => {
      const onPod = (p: ResolvedPod) => listener(p.name);
      forwarder.on('pod', onPod);
      return () => forwarder.off('pod', onPod);
    },
  });
  let detach: (() => void) | null = null;
  return {
    connection: resolved,
    get label() {
      return labelFor(forwarder.pod);
    },
    forwarder,
    kube,
    namespace,
    cnpgCluster,
    access,
    podLog: { kube, namespace, currentPod: () => forwarder.currentPod() },
    pod,
    attach(store: PgtopStore) {
      const onPod = (pod: ResolvedPod) => setConnection(store, { target: labelFor(pod), instance: instanceOf(pod) });
      forwarder.on('pod', onPod);
      setConnection(store, { target: labelFor(forwarder.pod), instance: instanceOf(forwarder.pod), kubeAccess: access });
      // While the scheduler reconnects, say the Kubernetes reason ("no Ready pod…")
      // rather than only pg's "Connection terminated unexpectedly".
      const unsubscribe = store.subscribe((state) => {
        // The replication screen's key moved the dashboard (a view command: only the store changed): the forward follows.
        if (cnpgCluster && state.ui.instancePin !== forwarder.pinned) forwarder.pin(state.ui.instancePin);
        const failure = forwarder.lastFailure;
        const { connection } = state;
        if (connection.state !== 'reconnecting' || !failure || Date.now() - failure.at > 10_000) return;
        if (connection.lastError !== failure.error.message) setConnection(store, { lastError: failure.error.message });
      });
      detach = () => {
        forwarder.off('pod', onPod);
        unsubscribe();
      };
    },
    async exec(options) {
      const pod = await forwarder.currentPod();
      // The server's container, always named: in a pod with a sidecar the API server refuses an exec without one.
      return execInPod(kube, { ...options, namespace, pod: pod.name, container: serverContainerName(pod) });
    },
    async close() {
      detach?.();
      detach = null;
      pod.close();
      await forwarder.close();
    },
  };
}

/** Asks the server in one pod whether it is a primary, through a forward pinned to that pod. */
async function probePrimary(main: PodForwarder, pod: ResolvedPod, connection: ResolvedConnection): Promise<boolean | undefined> {
  const pinned = new PodForwarder({ ...main.options, localPort: 0, holdMs: 2_000, resolve: () => Promise.resolve(pod) });
  try {
    const port = await pinned.listen();
    return await isPrimaryAt(port, connection);
  } finally {
    await pinned.close();
  }
}
