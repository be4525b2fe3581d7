// From what -k names to one Running and Ready pod, as kubectl resolves it:
// a workload's or Service's selector lists the pods; the Ready ones are
// candidates. With several (a StatefulSet with replicas, a Service over an
// HA cluster) pgtop wants the primary: CloudNativePG labels it; otherwise the
// pod whose server says pg_is_in_recovery() = false (asked by the caller's
// probe); otherwise the newest, and the note says it could not tell.
import type { V1LabelSelector, V1Pod } from '@kubernetes/client-node';
import { K8sError, type ApiOperation } from './errors.js';
import type { ResolvedPod } from './forward.js';
import type { KubeClient } from './kube.js';
import { chooseServerContainer } from './server-container.js';
import type { TargetRef } from './target-ref.js';

export interface ResolveOptions {
  kube: KubeClient;
  namespace: string;
  target: TargetRef;
  /** The port in the pod; for a Service, a service port that maps to a targetPort. */
  remotePort: number;
  /** True when the server in this pod is a primary; undefined when it cannot tell. */
  isPrimary?: (pod: ResolvedPod) => Promise<boolean | undefined>;
}

/** The label CloudNativePG puts on every instance's pod: the Cluster's name. */
export const CNPG_CLUSTER_LABEL = 'cnpg.io/cluster';

/** Labels that mark the primary: CloudNativePG's, and its older one. */
const PRIMARY_LABELS: [string, string][] = [
  ['cnpg.io/instanceRole', 'primary'],
  ['role', 'primary'],
];

export async function resolveTarget(options: ResolveOptions): Promise<ResolvedPod> {
  const { kube, namespace, target } = options;
  const op = (verb: ApiOperation['verb'], resource: string, name?: string): ApiOperation => ({ verb, resource, namespace, name });
  let pods: V1Pod[];
  let selectorText = '';
  let portFor: (pod: V1Pod) => number = () => options.remotePort;

  if (target.kind === 'pod') {
    const pod = await get(options, () => kube.core.readNamespacedPod({ name: target.name, namespace }), op('get', 'pods', target.name));
    pods = [pod];
  } else {
    let selector: V1LabelSelector | undefined;
    if (target.kind === 'cluster') {
      // CloudNativePG makes an instance's pod itself (no Deployment or StatefulSet) and labels it with its Cluster.
      selector = { matchLabels: { [CNPG_CLUSTER_LABEL]: target.name } };
    } else if (target.kind === 'deployment') {
      const deployment = await get(options, () => kube.apps.readNamespacedDeployment({ name: target.name, namespace }), op('get', 'deployments', target.name));
      selector = deployment.spec?.selector;
    } else if (target.kind === 'statefulset') {
      const statefulSet = await get(options, () => kube.apps.readNamespacedStatefulSet({ name: target.name, namespace }), op('get', 'statefulsets', target.name));
      selector = statefulSet.spec?.selector;
    } else {
      const service = await get(options, () => kube.core.readNamespacedService({ name: target.name, namespace }), op('get', 'services', target.name));
      if (service.spec?.selector && Object.keys(service.spec.selector).length > 0) selector = { matchLabels: service.spec.selector };
      const servicePort = service.spec?.ports?.find((p) => p.port === options.remotePort) ?? (service.spec?.ports?.length === 1 ? service.spec.ports[0] : undefined);
      const targetPort = servicePort?.targetPort;
      if (servicePort) {
        portFor = (pod) => {
          if (targetPort === undefined) return servicePort.port;
          if (typeof targetPort === 'number' || /^\d+$/.test(targetPort)) return Number(targetPort);
          const named = pod.spec?.containers.flatMap((c) => c.ports ?? []).find((p) => p.name === targetPort);
          return named?.containerPort ?? options.remotePort;
        };
      }
    }
    selectorText = selectorString(selector);
    if (!selectorText) {
      throw new K8sError(
        `${target.kind}/${target.name} in namespace "${namespace}" has no pod selector, so pgtop cannot find its pods: use -k pod/NAME`,
        'not-found',
      );
    }
    const list = await kube.call(op('list', 'pods'), () => kube.core.listNamespacedPod({ namespace, labelSelector: selectorText }));
    pods = list.items;
  }

  const ready = pods.filter(isReady);
  if (ready.length === 0) throw noReadyPod(target, namespace, pods, selectorText);
  const candidates = ready
    .map((pod) => {
      const port = portFor(pod);
      return { pod, resolved: { namespace, name: pod.metadata!.name!, port, container: chooseServerContainer(pod, port) } };
    })
    .sort((a, b) => created(b.pod) - created(a.pod) || a.resolved.name.localeCompare(b.resolved.name));
  if (candidates.length === 1) return candidates[0]!.resolved;

  for (const [label, value] of PRIMARY_LABELS) {
    const labelled = candidates.find((c) => c.pod.metadata?.labels?.[label] === value);
    if (labelled) return { ...labelled.resolved, note: `primary (${label}) of ${candidates.length} Ready` };
  }
  if (options.isPrimary) {
    const answers = await Promise.all(candidates.map((c) => options.isPrimary!(c.resolved).catch(() => undefined)));
    const index = answers.findIndex((answer) => answer === true);
    if (index >= 0) return { ...candidates[index]!.resolved, note: `primary of ${candidates.length} Ready` };
  }
  return { ...candidates[0]!.resolved, note: `newest of ${candidates.length} Ready; primary unknown` };
}

/**
 * The one pod the forward is pinned to (the dashboard was moved to it): that
 * pod, Running and Ready, and of the target's cluster — or an error that says
 * so. Never another pod: a pinned replica that dies is not silently replaced
 * by the primary.
 */
export async function resolvePinnedPod(options: ResolveOptions & { pod: string }): Promise<ResolvedPod> {
  const { kube, namespace, target, pod: name } = options;
  const back = 'pgtop stays on it: move back to the primary to go on';
  let pod: V1Pod;
  try {
    pod = await kube.call({ verb: 'get', resource: 'pods', namespace, name }, () => kube.core.readNamespacedPod({ name, namespace }));
  } catch (error) {
    if (error instanceof K8sError && error.kind === 'not-found') {
      throw new K8sError(`pod ${name}, where the dashboard was moved, is gone from namespace "${namespace}"; ${back}`, 'not-found', 404);
    }
    throw error;
  }
  if (target.kind === 'cluster' && pod.metadata?.labels?.[CNPG_CLUSTER_LABEL] !== target.name) {
    throw new K8sError(`pod ${name} is no longer an instance of CloudNativePG cluster "${target.name}" (label ${CNPG_CLUSTER_LABEL}); ${back}`, 'not-found');
  }
  if (!isReady(pod)) {
    const phase = pod.status?.phase ?? 'Unknown';
    const detail = pod.metadata?.deletionTimestamp ? 'terminating' : phase === 'Running' ? 'not Ready' : waitingReason(pod);
    throw new K8sError(`pod ${name}, where the dashboard was moved, is ${phase}${detail ? ` (${detail})` : ''}; ${back}`, 'no-ready-pod');
  }
  const role = PRIMARY_LABELS.some(([label, value]) => pod.metadata?.labels?.[label] === value) ? 'primary' : 'replica';
  return { namespace, name, port: options.remotePort, note: `pinned ${role}`, container: chooseServerContainer(pod, options.remotePort) };
}

/** A GET of the named object; a 404 says whether the namespace or the object is missing. */
async function get<T>(options: ResolveOptions, request: () => Promise<T>, op: ApiOperation): Promise<T> {
  const { kube, namespace, target } = options;
  try {
    return await kube.call(op, request);
  } catch (error) {
    if (!(error instanceof K8sError) || error.kind !== 'not-found') throw error;
    const namespaceExists = await kube
      .call({ verb: 'get', resource: 'namespaces', name: namespace }, () => kube.core.readNamespace({ name: namespace }))
      .then(() => true)
      .catch((nsError: unknown) => !(nsError instanceof K8sError && nsError.kind === 'not-found'));
    if (!namespaceExists) {
      throw new K8sError(`namespace "${namespace}" not found: check -n/--namespace (kubectl get namespaces)`, 'not-found', 404);
    }
    throw new K8sError(
      `${target.kind} "${target.name}" not found in namespace "${namespace}": check -k and -n (kubectl get ${target.kind}s -n ${namespace})`,
      'not-found',
      404,
    );
  }
}

export function isReady(pod: V1Pod): boolean {
  return (
    pod.status?.phase === 'Running' &&
    !pod.metadata?.deletionTimestamp &&
    !!pod.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')
  );
}

function created(pod: V1Pod): number {
  const at = pod.metadata?.creationTimestamp;
  return at ? new Date(at).getTime() : 0;
}

/** The pods that exist and why none is usable: "postgres-0 Pending, postgres-1 Running (not Ready)". */
function noReadyPod(target: TargetRef, namespace: string, pods: V1Pod[], selector: string): K8sError {
  const what = `${target.kind}/${target.name} in namespace "${namespace}"`;
  if (pods.length === 0 && target.kind === 'cluster') {
    return new K8sError(
      `no pod of CloudNativePG cluster "${target.name}" in namespace "${namespace}" (label ${selector}): check the name and -n (kubectl get clusters.postgresql.cnpg.io -n ${namespace})`,
      'no-ready-pod',
    );
  }
  if (pods.length === 0) {
    return new K8sError(
      `no pod runs for ${what} (selector ${selector}): is it scaled to 0 or still starting? (kubectl get pods -n ${namespace} -l ${selector})`,
      'no-ready-pod',
    );
  }
  const states = pods.map((pod) => {
    const phase = pod.status?.phase ?? 'Unknown';
    const detail = pod.metadata?.deletionTimestamp ? 'terminating' : phase === 'Running' ? 'not Ready' : waitingReason(pod);
    return `${pod.metadata?.name} ${phase}${detail ? ` (${detail})` : ''}`;
  });
  return new K8sError(
    `no Ready pod for ${what}: ${states.join(', ')}; wait for it or check kubectl describe pod -n ${namespace}`,
    'no-ready-pod',
  );
}

function waitingReason(pod: V1Pod): string | undefined {
  return pod.status?.containerStatuses?.find((s) => s.state?.waiting?.reason)?.state?.waiting?.reason;
}

export function selectorString(selector: V1LabelSelector | undefined): string {
  if (!selector) return '';
  const parts = Object.entries(selector.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`);
  for (const e of selector.matchExpressions ?? []) {
    const values = (e.values ?? []).join(',');
    if (e.operator === 'In') parts.push(`${e.key} in (${values})`);
    else if (e.operator === 'NotIn') parts.push(`${e.key} notin (${values})`);
    else if (e.operator === 'Exists') parts.push(e.key);
    else if (e.operator === 'DoesNotExist') parts.push(`!${e.key}`);
  }
  return parts.join(',');
}
