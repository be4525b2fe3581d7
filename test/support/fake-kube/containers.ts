// Which container an exec or a log request means, as the API server decides
// it (pkg/registry/core/pod/strategy.go, LogLocation and streamLocation):
// none named in a pod of one container is that one; none named in a pod of
// several is a 400 BadRequest "a container name must be specified for pod P,
// choose one of: [a b]" (the spec's order; the API server does not read
// kubectl's default-container annotation, kubectl does); a name the pod does
// not have is a 400 "container X is not valid for pod P".
import { specContainers, type FakeContainer, type FakePod } from './model.js';

export type ContainerRefusal = { status: 400; message: string };

/** The container `wanted` (the request's `container` parameter) names in `pod`, or the API server's 400. */
export function requestedContainer(pod: FakePod, wanted: string | null): FakeContainer | ContainerRefusal {
  if (!wanted) {
    if (pod.containers.length === 1) return pod.containers[0]!;
    return { status: 400, message: `a container name must be specified for pod ${pod.name}, choose one of: [${specContainers(pod).map((c) => c.name).join(' ')}]` };
  }
  return pod.containers.find((c) => c.name === wanted) ?? { status: 400, message: `container ${wanted} is not valid for pod ${pod.name}` };
}
