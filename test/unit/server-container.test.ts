// Which container of the pod pgtop execs in and reads the log of
// (src/k8s/server-container.ts): the only one; else the one declaring the
// database's port; else one named postgres, postgresql or database; else
// kubectl's default-container annotation; else a one-line error naming the
// containers. The pod screen marks the same container as the main one.
import type { V1Container, V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { podStateOf } from '../../src/k8s/pod-map.js';
import { chooseServerContainer, serverContainerName, ServerContainerUnknownError } from '../../src/k8s/server-container.js';
import { unavailableReason } from '../../src/host/exec-sampler.js';

const container = (name: string, ...ports: number[]): V1Container => ({ name, ...(ports.length ? { ports: ports.map((containerPort) => ({ containerPort })) } : {}) });
const pod = (containers: V1Container[], annotation?: string): V1Pod => ({
  metadata: { name: 'pg-0', ...(annotation ? { annotations: { 'kubectl.kubernetes.io/default-container': annotation } } : {}) },
  spec: { containers },
});

describe('chooseServerContainer', () => {
  it('a pod of one container: that one, whatever its name and ports', () => {
    expect(chooseServerContainer(pod([container('app', 8080)]), 5432)).toEqual({ name: 'app', by: 'only' });
  });

  it('several: the one whose ports include the database port, before any name or annotation', () => {
    const containers = [container('istio-proxy', 15090), container('postgres'), container('db', 5432)];
    expect(chooseServerContainer(pod(containers, 'istio-proxy'), 5432)).toEqual({ name: 'db', by: 'port' });
  });

  it('no port says: the one named postgres (CloudNativePG, Zalando), postgresql (Bitnami) or database, before the annotation', () => {
    expect(chooseServerContainer(pod([container('bootstrap-controller'), container('postgres')], 'bootstrap-controller'), 5432)).toEqual({ name: 'postgres', by: 'name' });
    expect(chooseServerContainer(pod([container('metrics', 9187), container('postgresql')]), 5432)).toEqual({ name: 'postgresql', by: 'name' });
    expect(chooseServerContainer(pod([container('exporter'), container('database')]), undefined)).toEqual({ name: 'database', by: 'name' });
  });

  it('then the default-container annotation, when it names a container the pod has', () => {
    expect(chooseServerContainer(pod([container('sidecar'), container('pg')], 'pg'), 5432)).toEqual({ name: 'pg', by: 'annotation' });
    expect(chooseServerContainer(pod([container('sidecar'), container('pg')], 'gone'), 5432)).toEqual({ name: null, containers: ['sidecar', 'pg'] });
  });

  it('else none: the containers, to say (never the first by default)', () => {
    expect(chooseServerContainer(pod([container('sidecar', 9000), container('pg')]), 5432)).toEqual({ name: null, containers: ['sidecar', 'pg'] });
  });
});

describe('serverContainerName', () => {
  it('the choice made at resolution; undefined when none was made (the API server chooses)', () => {
    expect(serverContainerName({ name: 'pg-0', port: 5432, container: { name: 'postgres', by: 'port' } })).toBe('postgres');
    expect(serverContainerName({ name: 'pg-0', port: 5432 })).toBeUndefined();
  });

  it('when the rules could not tell: one line naming the containers and what would tell, which the sampler says as its reason', () => {
    let error: unknown;
    try {
      serverContainerName({ name: 'pg-0', port: 5432, container: { name: null, containers: ['sidecar', 'pg'] } });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ServerContainerUnknownError);
    const message = (error as Error).message;
    expect(message).toBe(
      'pgtop cannot tell which container of pod pg-0 runs PostgreSQL (containers: sidecar, pg): none declares port 5432, ' +
        'none is named postgres or postgresql or database, and no kubectl.kubernetes.io/default-container annotation names one',
    );
    expect(message).not.toContain('\n');
    expect(unavailableReason(error)).toBe(message);
  });
});

describe('the pod screen marks the same container main', () => {
  it('a sidecar listed first: postgres is the main one, listed first', () => {
    const state = podStateOf({ ...pod([container('istio-proxy'), container('postgres', 5432)]), status: {} });
    expect(state.containers.map((c) => [c.name, c.main])).toEqual([['postgres', true], ['istio-proxy', false]]);
  });
});
