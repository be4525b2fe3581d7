// Which container an exec runs in, as the fake API server decides it and the
// real kubectl shows it: in a pod of several containers the API server
// refuses an exec that names none (400 "a container name must be specified
// for pod P, choose one of: [...]", the spec's order) and one naming a
// container the pod does not have; kubectl never sends the first: it reads
// the pod and names the default-container annotation's container, else the
// first one, and says so. The exec then runs in that container (the fake gives
// a sidecar none of the server container's environment).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execInPod } from '../../src/k8s/exec.js';
import { KubeClient } from '../../src/k8s/kube.js';
import { kubectl, startFakeCluster, type FakeCluster } from '../support/fake-kube/index.js';

const NS = 'sidecars';
let cluster: FakeCluster;
let cache: string;

const run = (...args: string[]) => kubectl(cluster.kubeconfig, cache, args);
const ECHO_USER = ['--', 'sh', '-c', 'echo "user=$POSTGRES_USER"'];

/** The `container` parameter of the last exec request to the pod. */
function lastExecContainer(pod: string): string | null {
  const request = cluster.kube.requests.filter((r) => r.resource === 'pods/exec' && r.path.includes(`/pods/${pod}/`)).at(-1);
  return request ? new URL(request.path, 'https://api').searchParams.get('container') : null;
}

beforeAll(async () => {
  cluster = await startFakeCluster({ namespace: NS });
  cache = `${cluster.dir}/kubectl-cache`;
  const env = { POSTGRES_USER: 'alice' };
  // An exporter listed before the server's container, no annotation: what kubectl and the API server choose differs.
  cluster.kube.addPod(NS, 'pg-plain', { labels: { app: 'pg' }, ports: {}, env, sidecars: ['exporter'], sidecarsFirst: true, defaultContainer: null });
  cluster.kube.addPod(NS, 'pg-annotated', { labels: { app: 'pg' }, ports: {}, env, sidecars: ['exporter'], sidecarsFirst: true });
  cluster.kube.addPod(NS, 'pg-alone', { labels: { app: 'pg' }, ports: {}, env });
});
afterAll(async () => {
  await cluster?.stop();
});

describe('kubectl exec in a pod of several containers', () => {
  it('without -c and without the annotation: kubectl names the first container, says so, and the command runs there', async () => {
    const out = await run('exec', '-n', NS, 'pg-plain', ...ECHO_USER);
    expect(out.code).toBe(0);
    expect(out.stderr).toContain('Defaulted container "exporter" out of: exporter, postgres');
    // The sidecar has none of the server container's environment.
    expect(out.stdout).toBe('user=\n');
    expect(lastExecContainer('pg-plain')).toBe('exporter');
  });

  it('without -c, the default-container annotation names the server container: kubectl uses it, with no notice', async () => {
    const out = await run('exec', '-n', NS, 'pg-annotated', ...ECHO_USER);
    expect(out).toMatchObject({ code: 0, stderr: '', stdout: 'user=alice\n' });
    expect(lastExecContainer('pg-annotated')).toBe('postgres');
  });

  it('with -c postgres: runs in the server container; -c with a name the pod lacks is the API server\'s 400', async () => {
    const out = await run('exec', '-n', NS, 'pg-plain', '-c', 'postgres', ...ECHO_USER);
    expect(out).toMatchObject({ code: 0, stderr: '', stdout: 'user=alice\n' });
    expect(lastExecContainer('pg-plain')).toBe('postgres');
    const wrong = await run('exec', '-n', NS, 'pg-plain', '-c', 'nope', '--', 'true');
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toBe('Error from server (BadRequest): container nope is not valid for pod pg-plain\n');
  });

  it('a pod of one container: kubectl names it, with no notice', async () => {
    const out = await run('exec', '-n', NS, 'pg-alone', ...ECHO_USER);
    expect(out).toMatchObject({ code: 0, stderr: '', stdout: 'user=alice\n' });
    expect(lastExecContainer('pg-alone')).toBe('postgres');
  });
});

describe('an exec that names no container (what kubectl never sends)', () => {
  it('is refused in a pod of several containers, with the API server\'s 400 and words; accepted in a pod of one', async () => {
    const kube = KubeClient.load({ kubeconfig: cluster.kubeconfig });
    const refused = await execInPod(kube, { namespace: NS, pod: 'pg-plain', command: ['true'] }).then(
      () => null,
      (error: unknown) => error as Error & { status?: number },
    );
    expect(refused?.message).toContain('a container name must be specified for pod pg-plain, choose one of: [exporter postgres]');
    expect(refused?.status).toBe(400);
    await expect(execInPod(kube, { namespace: NS, pod: 'pg-alone', command: ['true'] })).resolves.toMatchObject({ stderr: '' });
  });
});
