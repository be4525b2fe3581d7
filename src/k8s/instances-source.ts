// The instances of a CloudNativePG cluster as a source: its pods, listed by
// the cnpg.io/cluster label through the target's own KubeClient, land in the
// store (store.data.results.clusterInstances) like a query's rows. One list
// call every INSTANCES_INTERVAL_MS at most, not every refresh: a pod's role,
// readiness and restarts change on the scale of a failover, and the API
// server is shared. Registered only when the target is a CNPG cluster
// (src/cli/dashboard-scheduler.ts); loads no client-node of its own.
import type { V1Pod } from '@kubernetes/client-node';
import type { ClusterInstance, InstanceRole } from '../model/instances.js';
import { KUBE_NEEDS } from '../model/kube-access.js';
import { landFailedRows, landRows, type LocalSource } from '../scheduler/source.js';
import { kubeSourceFailure } from './errors.js';
import type { KubeClient } from './kube.js';
import { CNPG_CLUSTER_LABEL, isReady } from './resolve.js';

export const CLUSTER_INSTANCES = 'clusterInstances';

/** How often the pods are listed at most (the refresh interval when that is longer). */
export const INSTANCES_INTERVAL_MS = 5_000;

/** What the source needs of a `-k cluster/NAME` target. */
export interface CnpgCluster {
  kube: KubeClient;
  namespace: string;
  /** The Cluster's name: its pods carry cnpg.io/cluster=NAME. */
  name: string;
}

const TITLE = 'CloudNativePG instances';

export function clusterInstancesSource(cluster: CnpgCluster): LocalSource<ClusterInstance[]> {
  return {
    id: CLUSTER_INSTANCES,
    title: TITLE,
    needs: 'nothing',
    minIntervalMs: INSTANCES_INTERVAL_MS,
    run: () => listInstances(cluster),
    kubeNeeds: [KUBE_NEEDS.listPods],
    failure: (error) => kubeSourceFailure(TITLE, error, cluster.namespace),
    land: (data, instances, { at }) => landRows(data, CLUSTER_INSTANCES, instances, at),
    landFailure: (data, failure) => landFailedRows(data, CLUSTER_INSTANCES, failure),
  };
}

export async function listInstances({ kube, namespace, name }: CnpgCluster): Promise<ClusterInstance[]> {
  const list = await kube.call({ verb: 'list', resource: 'pods', namespace }, () =>
    kube.core.listNamespacedPod({ namespace, labelSelector: `${CNPG_CLUSTER_LABEL}=${name}` }),
  );
  return list.items.map(instanceOf);
}

/** The role CloudNativePG gives an instance: cnpg.io/instanceRole, or `role` on older releases. */
export function instanceRole(pod: V1Pod): InstanceRole | null {
  const labels = pod.metadata?.labels ?? {};
  const role = labels['cnpg.io/instanceRole'] ?? labels.role;
  return role === 'primary' ? 'primary' : role === 'replica' ? 'replica' : null;
}

function instanceOf(pod: V1Pod): ClusterInstance {
  const statuses = pod.status?.containerStatuses ?? [];
  return {
    pod: pod.metadata?.name ?? '?',
    role: instanceRole(pod),
    ready: isReady(pod),
    phase: pod.metadata?.deletionTimestamp ? 'Terminating' : (pod.status?.phase ?? 'Unknown'),
    restarts: statuses.reduce((n, s) => n + (s.restartCount ?? 0), 0),
    node: pod.spec?.nodeName ?? null,
    waiting: statuses.find((s) => s.state?.waiting?.reason)?.state?.waiting?.reason ?? null,
  };
}
