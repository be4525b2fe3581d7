// The instances of a CloudNativePG cluster (-k cluster/NAME): one pod each,
// labelled with the Cluster (cnpg.io/cluster) and its role
// (cnpg.io/instanceRole), listed from the Kubernetes API by
// src/k8s/instances-source.ts. The replication screen pairs each with the
// standby pg_stat_replication lists under its name (CloudNativePG sets a
// standby's application_name to its pod's name). Pure: no I/O.
import type { Standby } from './replication.js';

export type InstanceRole = 'primary' | 'replica';

export interface ClusterInstance {
  /** The pod's name, which is also the instance's name and its standby's application_name. */
  pod: string;
  /** From the cnpg.io/instanceRole label (or CloudNativePG's older `role`); null when unlabelled. */
  role: InstanceRole | null;
  /** Running, not terminating, and its Ready condition true. */
  ready: boolean;
  /** Pending, Running, Succeeded, Failed, Unknown; "Terminating" when it is being deleted. */
  phase: string;
  /** Container restarts, summed over its containers. */
  restarts: number;
  node: string | null;
  /** Why its container waits (CrashLoopBackOff, ImagePullBackOff…), if it does. */
  waiting: string | null;
}

/** Which instance the dashboard is connected to, as the Kubernetes target says. */
export interface CurrentInstance {
  pod: string;
  /** Moved there by the user (the replication screen's key), rather than following the primary. */
  pinned: boolean;
}

/** Primary first, then the replicas by name: the order a DBA reads a cluster in. */
export function sortInstances(instances: readonly ClusterInstance[]): ClusterInstance[] {
  const rank = (i: ClusterInstance) => (i.role === 'primary' ? 0 : i.role === 'replica' ? 1 : 2);
  return [...instances].sort((a, b) => rank(a) - rank(b) || a.pod.localeCompare(b.pod, 'en', { numeric: true }));
}

/** The standby this server streams to under the instance's name (CloudNativePG: application_name = pod name). */
export function standbyOf(instance: ClusterInstance, standbys: readonly Standby[]): Standby | undefined {
  return standbys.find((s) => s.application === instance.pod);
}
