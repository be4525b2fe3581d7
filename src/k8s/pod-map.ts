// The Kubernetes API's objects as the pod model (src/model/pod.ts): a Pod
// (from a list, whose timestamps client-node made Dates, or from a watch
// event, where they are still strings), a PersistentVolumeClaim, an Event,
// a PodMetrics. Only what pgtop shows is taken; every string stays as the
// server wrote it (the screen makes it terminal text).
import type { CoreV1Event, V1Container, V1ContainerStatus, V1PersistentVolumeClaim, V1Pod } from '@kubernetes/client-node';
import { chooseServerContainer } from './server-container.js';
import { parseQuantity, type PodClaim, type PodContainer, type PodEvent, type PodMetrics, type PodState, type PodVolume, type Resources } from '../model/pod.js';

/** Where the postgres image keeps the data directory when PGDATA does not say. */
const DEFAULT_PGDATA = '/var/lib/postgresql/data';

/** Epoch ms of an API time: a Date (client-node's models) or an RFC 3339 string (raw JSON). */
export function timeOf(value: Date | string | null | undefined): number | null {
  if (value === null || value === undefined) return null;
  const ms = value instanceof Date ? value.getTime() : Date.parse(value);
  return Number.isFinite(ms) ? ms : null;
}

function resources(values: Record<string, string> | undefined): Resources {
  return { cpuCores: parseQuantity(values?.cpu), memoryBytes: parseQuantity(values?.memory) };
}

/** The container the server runs in, by the exec's rules (server-container.ts) short of the port, which the watch does not know; else the first. */
function mainName(pod: V1Pod): string | undefined {
  return chooseServerContainer(pod, undefined).name ?? pod.spec?.containers[0]?.name;
}

function containerOf(spec: V1Container, status: V1ContainerStatus | undefined, main: boolean): PodContainer {
  const state = status?.state;
  const last = status?.lastState?.terminated;
  return {
    name: spec.name,
    image: spec.image ?? status?.image ?? '',
    main,
    state: state?.running ? 'running' : state?.waiting ? 'waiting' : state?.terminated ? 'terminated' : 'unknown',
    stateReason: state?.waiting?.reason ?? state?.terminated?.reason ?? null,
    startedAt: timeOf(state?.running?.startedAt),
    ready: status?.ready ?? false,
    restarts: status?.restartCount ?? 0,
    lastTermination: last ? { reason: last.reason ?? `exit code ${last.exitCode}`, exitCode: last.exitCode ?? null, finishedAt: timeOf(last.finishedAt) } : null,
    requests: resources(spec.resources?.requests),
    limits: resources(spec.resources?.limits),
  };
}

export function podStateOf(pod: V1Pod, deleted = false): PodState {
  const main = mainName(pod);
  const statuses = pod.status?.containerStatuses ?? [];
  const containers = (pod.spec?.containers ?? [])
    .map((spec) => containerOf(spec, statuses.find((s) => s.name === spec.name), spec.name === main))
    .sort((a, b) => Number(b.main) - Number(a.main));
  const mounts = pod.spec?.containers.find((c) => c.name === main)?.volumeMounts ?? [];
  const claims: PodClaim[] = (pod.spec?.volumes ?? []).flatMap((v) =>
    v.persistentVolumeClaim ? [{ volume: v.name, claim: v.persistentVolumeClaim.claimName, mountPath: mounts.find((m) => m.name === v.name)?.mountPath ?? null }] : [],
  );
  const ready = pod.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
  return {
    namespace: pod.metadata?.namespace ?? '',
    name: pod.metadata?.name ?? '?',
    node: pod.spec?.nodeName ?? null,
    phase: pod.metadata?.deletionTimestamp ? 'Terminating' : (pod.status?.phase ?? 'Unknown'),
    ready,
    createdAt: timeOf(pod.metadata?.creationTimestamp),
    qosClass: pod.status?.qosClass ?? null,
    deleted,
    containers,
    claims,
    dataDirectory: dataDirectoryOf(pod),
  };
}

/** The main container's PGDATA (its env), else the postgres image's default. */
export function dataDirectoryOf(pod: V1Pod): string {
  const main = mainName(pod);
  const env = pod.spec?.containers.find((c) => c.name === main)?.env ?? [];
  return env.find((e) => e.name === 'PGDATA')?.value || DEFAULT_PGDATA;
}

/** The claim that holds the data directory: mounted at it or above it; else the only one; else none is. */
export function dataClaim(claims: readonly PodClaim[], pgdata: string): string | null {
  const holding = claims
    .filter((c) => c.mountPath && (pgdata === c.mountPath || pgdata.startsWith(`${c.mountPath.replace(/\/$/, '')}/`)))
    .sort((a, b) => (b.mountPath?.length ?? 0) - (a.mountPath?.length ?? 0))[0];
  return holding?.claim ?? (claims.length === 1 ? claims[0]!.claim : null);
}

export function volumeOf(claim: PodClaim, pvc: V1PersistentVolumeClaim | null, dataVolume: boolean): PodVolume {
  const capacity = pvc?.status?.capacity?.storage ?? pvc?.spec?.resources?.requests?.storage ?? null;
  return {
    claim: claim.claim,
    volume: claim.volume,
    dataVolume,
    mountPath: claim.mountPath,
    storageClass: pvc?.spec?.storageClassName ?? null,
    capacity,
    capacityBytes: parseQuantity(capacity),
    phase: pvc ? (pvc.status?.phase ?? 'Unknown') : 'not found',
  };
}

export function eventOf(event: CoreV1Event): PodEvent {
  return {
    type: event.type ?? 'Normal',
    reason: event.reason ?? '',
    message: event.message ?? '',
    objectKind: event.involvedObject.kind ?? '',
    objectName: event.involvedObject.name ?? '',
    count: event.count ?? 1,
    lastAt: timeOf(event.lastTimestamp) ?? timeOf(event.eventTime) ?? timeOf(event.firstTimestamp) ?? timeOf(event.metadata.creationTimestamp),
    source: [event.source?.component ?? event.reportingComponent, event.source?.host].filter(Boolean).join(', '),
  };
}

/** A PodMetrics object as metrics-server serves it (raw JSON: the custom objects API does not type it). */
export function metricsOf(body: unknown, now: number): PodMetrics {
  const object = (body ?? {}) as { timestamp?: string; containers?: { name?: string; usage?: { cpu?: string; memory?: string } }[] };
  return {
    containers: (object.containers ?? []).map((c) => ({ name: c.name ?? '', cpuCores: parseQuantity(c.usage?.cpu), memoryBytes: parseQuantity(c.usage?.memory) })),
    at: timeOf(object.timestamp) ?? now,
  };
}
