// Which container of the pod runs PostgreSQL: every exec pgtop makes (the
// sampler, backups, du) and the logs screen name it, because the API server
// refuses an exec or a log without one in a pod of several containers ("a
// container name must be specified for pod X, choose one of: [...]") and
// sidecars are common (CloudNativePG's, Patroni's, istio-proxy, an exporter).
// Chosen once, when the pod is resolved (a pod's containers never change),
// by the rules kubectl and k9s users expect: the only container; else the one
// that declares the database's port; else the one named as the images name
// it; else the kubectl.kubernetes.io/default-container annotation's; else
// pgtop says it cannot tell, and which containers there are.
import type { V1Pod } from '@kubernetes/client-node';
import { K8sError } from './errors.js';

/** kubectl's annotation for the container `kubectl exec` and `kubectl logs` use when none is given. */
export const DEFAULT_CONTAINER_ANNOTATION = 'kubectl.kubernetes.io/default-container';

/** The names the server's container goes by (CloudNativePG's and Zalando's: postgres; Bitnami's: postgresql). */
const SERVER_NAMES = ['postgres', 'postgresql', 'database'];

export type ContainerChoice =
  /** How it was chosen, for the reader of a test or a bug report: 'only', 'port', 'name', 'annotation'. */
  | { name: string; by: 'only' | 'port' | 'name' | 'annotation' }
  /** No rule picked one: the pod's containers, to say. */
  | { name: null; containers: string[] };

/** The container of `pod` that runs the server listening on `port` (the port inside the pod). */
export function chooseServerContainer(pod: V1Pod, port: number | undefined): ContainerChoice {
  const containers = pod.spec?.containers ?? [];
  if (containers.length === 1) return { name: containers[0]!.name, by: 'only' };
  const serving = port === undefined ? undefined : containers.find((c) => (c.ports ?? []).some((p) => p.containerPort === port));
  if (serving) return { name: serving.name, by: 'port' };
  for (const name of SERVER_NAMES) if (containers.some((c) => c.name === name)) return { name, by: 'name' };
  const annotated = pod.metadata?.annotations?.[DEFAULT_CONTAINER_ANNOTATION];
  if (annotated && containers.some((c) => c.name === annotated)) return { name: annotated, by: 'annotation' };
  return { name: null, containers: containers.map((c) => c.name) };
}

/** No rule told which container runs the server: nothing can be exec'd there, and the user is told what to fix. */
export class ServerContainerUnknownError extends K8sError {
  constructor(pod: string, port: number | undefined, containers: string[]) {
    super(
      `pgtop cannot tell which container of pod ${pod} runs PostgreSQL (containers: ${containers.join(', ') || 'none'}): ` +
        `none declares port ${port ?? '?'}, none is named ${SERVER_NAMES.join(' or ')}, and no ${DEFAULT_CONTAINER_ANNOTATION} annotation names one`,
      'other',
    );
  }
}

/**
 * The name to send as `container=`: the choice made when the pod was
 * resolved; undefined when none was made (the API server's own choice, as
 * before), and ServerContainerUnknownError when the rules could not tell.
 */
export function serverContainerName(pod: { name: string; port?: number; container?: ContainerChoice }): string | undefined {
  const choice = pod.container;
  if (!choice) return undefined;
  if (choice.name === null) throw new ServerContainerUnknownError(pod.name, pod.port, choice.containers);
  return choice.name;
}
