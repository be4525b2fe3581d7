// The pod model (src/model/pod.ts) and the mapping of the API's objects to it
// (src/k8s/pod-map.ts): quantities as Kubernetes writes them, the last
// termination and the restart line of the header, which usage is shown and
// where the limits come from, the warning thresholds, the events' order, and
// du's output.
import type { V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { dataClaim, podStateOf } from '../../src/k8s/pod-map.js';
import type { ContainerUsage, DataDirectoryUsage } from '../../src/model/host.js';
import {
  duSize, lastTermination, memoryWarn, parseDu, parseQuantity, podRestarts, restartSummary, shortAge, shownUsage, sortEvents, throttled, volumeUse,
  type PodEvent, type PodMetrics,
} from '../../src/model/pod.js';
import { newContainer, podJson, type FakePod } from '../support/fake-kube/model.js';

const NOW = Date.parse('2026-01-01T12:00:00Z');

/** A pod as the fake API server writes it (the same JSON kubectl reads from it). */
function fakePod(patch: Partial<FakePod> = {}): V1Pod {
  const pod: FakePod = {
    namespace: 'db', name: 'pg-0', uid: 'u1', createdAt: new Date(NOW - 3 * 3600_000), labels: {}, ports: {}, env: {}, containerName: 'postgres',
    phase: 'Running', ready: true, deleting: false, streams: new Set(), portNames: {}, node: 'node-a',
    containers: [newContainer('postgres'), newContainer('exporter')], claims: { pgdata: 'pgdata-pg-0' },
    resources: { requests: { cpu: '500m', memory: '512Mi' }, limits: { cpu: '2', memory: '1Gi' } },
    ...patch,
  };
  return JSON.parse(JSON.stringify(podJson(pod))) as V1Pod;
}

describe('parseQuantity', () => {
  it('reads CPU in cores and memory in bytes, binary and decimal suffixes, exponents', () => {
    expect(parseQuantity('500m')).toBe(0.5);
    expect(parseQuantity('2')).toBe(2);
    expect(parseQuantity('0.25')).toBe(0.25);
    expect(parseQuantity('250000000n')).toBeCloseTo(0.25);
    expect(parseQuantity('1Gi')).toBe(1024 ** 3);
    expect(parseQuantity('300Mi')).toBe(300 * 1024 ** 2);
    expect(parseQuantity('128974848')).toBe(128974848);
    expect(parseQuantity('129M')).toBe(129e6);
    expect(parseQuantity('1e3')).toBe(1000);
    expect(parseQuantity('1.5Gi')).toBe(1.5 * 1024 ** 3);
    expect(parseQuantity('100Ki')).toBe(102400);
  });

  it('is null for what is not a quantity', () => {
    for (const text of ['', 'lots', '1GB', '5 Mi', undefined, null]) expect(parseQuantity(text)).toBeNull();
  });
});

describe('the pod from the API (podStateOf)', () => {
  it('takes node, phase, Ready, age, QoS class, the main container first, requests and limits, the claim', () => {
    const pod = podStateOf(fakePod());
    expect(pod).toMatchObject({ name: 'pg-0', node: 'node-a', phase: 'Running', ready: true, qosClass: 'Burstable', createdAt: NOW - 3 * 3600_000, deleted: false });
    expect(pod.containers.map((c) => [c.name, c.main, c.image])).toEqual([['postgres', true, 'postgres:15'], ['exporter', false, 'exporter:latest']]);
    expect(pod.containers[0]!.requests).toEqual({ cpuCores: 0.5, memoryBytes: 512 * 1024 ** 2 });
    expect(pod.containers[0]!.limits).toEqual({ cpuCores: 2, memoryBytes: 1024 ** 3 });
    expect(pod.containers[1]!.limits).toEqual({ cpuCores: null, memoryBytes: null });
    expect(pod.claims).toEqual([{ volume: 'pgdata', claim: 'pgdata-pg-0', mountPath: '/var/lib/postgresql/data' }]);
    expect(dataClaim(pod.claims, pod.dataDirectory)).toBe('pgdata-pg-0');
  });

  it('reads the last termination: OOMKilled, exit code 137, when it finished', () => {
    const postgres = newContainer('postgres');
    const finishedAt = new Date(NOW - 12 * 60_000);
    Object.assign(postgres, { restarts: 3, lastTerminated: { reason: 'OOMKilled', exitCode: 137, startedAt: new Date(NOW - 3600_000), finishedAt } });
    const exporter = Object.assign(newContainer('exporter'), { restarts: 1, lastTerminated: { reason: 'Error', exitCode: 1, startedAt: new Date(NOW - 7200_000), finishedAt: new Date(NOW - 5400_000) } });
    const pod = podStateOf(fakePod({ containers: [postgres, exporter] }));
    expect(podRestarts(pod)).toBe(4);
    expect(lastTermination(pod)).toEqual({ container: 'postgres', reason: 'OOMKilled', exitCode: 137, finishedAt: finishedAt.getTime() });
    expect(restartSummary(pod, NOW)).toEqual({ text: 'restarts 4, last OOMKilled 12m ago', warn: true });
    // An hour later the restart is no warning any more.
    expect(restartSummary(pod, NOW + 3600_000)).toEqual({ text: 'restarts 4, last OOMKilled 72m ago', warn: false });
  });

  it('says a pod that never restarted, a Terminating one, and a claim mounted above PGDATA', () => {
    expect(restartSummary(podStateOf(fakePod()), NOW)).toEqual({ text: 'restarts 0', warn: false });
    expect(podStateOf(fakePod({ deleting: true })).phase).toBe('Terminating');
    expect(dataClaim([{ volume: 'a', claim: 'logs', mountPath: '/logs' }, { volume: 'b', claim: 'data', mountPath: '/var/lib/postgresql' }], '/var/lib/postgresql/data/pgdata')).toBe('data');
    expect(dataClaim([{ volume: 'a', claim: 'x', mountPath: '/x' }, { volume: 'b', claim: 'y', mountPath: '/y' }], '/var/lib/postgresql/data')).toBeNull();
  });

  it('ages as kubectl prints them', () => {
    expect([shortAge(40), shortAge(12 * 60 + 5), shortAge(3 * 3600), shortAge(3 * 86400)]).toEqual(['40s', '12m', '3h', '3d']);
  });
});

const cgroup: ContainerUsage = { source: 'cgroup v2', memoryBytes: 950 * 1024 ** 2, memoryLimitBytes: 2 * 1024 ** 3, cpuCores: 1.9, cpuLimitCores: 4, throttledRatio: 0.3, at: NOW };
const metrics: PodMetrics = { containers: [{ name: 'exporter', cpuCores: 0.01, memoryBytes: 20e6 }, { name: 'postgres', cpuCores: 0.25, memoryBytes: 300 * 1024 ** 2 }], at: NOW - 10_000 };

describe('the usage shown (shownUsage)', () => {
  it("takes the metrics API's figure for the main container while fresh, the limits from the pod spec, throttling from the cgroup", () => {
    const pod = podStateOf(fakePod());
    expect(shownUsage({ pod, metrics, cgroup }, NOW)).toEqual({
      source: 'metrics API', memoryBytes: 300 * 1024 ** 2, cpuCores: 0.25, memoryLimitBytes: 1024 ** 3, cpuLimitCores: 2, limitsFrom: 'pod spec', throttledRatio: 0.3,
    });
  });

  it("falls back to the cgroup when the metrics API is absent or stale, and to the cgroup's limits when the spec has none", () => {
    const pod = podStateOf(fakePod({ resources: {} }));
    const stale = { ...metrics, at: NOW - 10 * 60_000 };
    for (const m of [null, stale]) {
      expect(shownUsage({ pod, metrics: m, cgroup }, NOW)).toEqual({
        source: 'cgroup v2', memoryBytes: 950 * 1024 ** 2, cpuCores: 1.9, memoryLimitBytes: 2 * 1024 ** 3, cpuLimitCores: 4, limitsFrom: 'cgroup v2', throttledRatio: 0.3,
      });
    }
    expect(shownUsage({ pod, metrics: null, cgroup: null }, NOW)).toMatchObject({ source: null, memoryBytes: null, memoryLimitBytes: null, limitsFrom: null });
  });

  it('warns past 90 % of the memory limit and when throttled', () => {
    const pod = podStateOf(fakePod());
    const at = (mib: number) => shownUsage({ pod, metrics: { containers: [{ name: 'postgres', cpuCores: 0.1, memoryBytes: mib * 1024 ** 2 }], at: NOW }, cgroup: null }, NOW);
    expect(memoryWarn(at(921))).toBe(false);
    expect(memoryWarn(at(922))).toBe(true);
    expect(throttled(shownUsage({ pod, cgroup }, NOW))).toBe(true);
    expect(throttled(shownUsage({ pod, cgroup: { ...cgroup, throttledRatio: 0 } }, NOW))).toBe(false);
  });
});

describe('the data volume', () => {
  const dir = (used: number): DataDirectoryUsage => ({ path: '/pgdata', sizeBytes: 100, usedBytes: used, availableBytes: 100 - used, walBytes: null, fullInSeconds: null, at: NOW });
  it('warns past 85 % used', () => {
    expect(volumeUse(dir(85))).toEqual({ ratio: 0.85, warn: false });
    expect(volumeUse(dir(86))).toEqual({ ratio: 0.86, warn: true });
    expect(volumeUse(null)).toBeNull();
  });

  it("reads du -sh's lines, the largest first", () => {
    expect(duSize('4.0K')).toBe(4096);
    expect(duSize('1.5G')).toBe(1.5 * 1024 ** 3);
    expect(duSize('0')).toBe(0);
    const out = '41M\t/pgdata/base\n4.0K\t/pgdata/PG_VERSION\n1.1G\t/pgdata/pg_wal\ngarbage line\n';
    expect(parseDu(out, NOW).map((e) => [e.path, e.size])).toEqual([['/pgdata/pg_wal', '1.1G'], ['/pgdata/base', '41M'], ['/pgdata/PG_VERSION', '4.0K']]);
  });
});

describe('events', () => {
  it('puts Warnings first, then the most recent first', () => {
    const e = (type: string, reason: string, lastAt: number): PodEvent => ({ type, reason, message: '', objectKind: 'Pod', objectName: 'pg-0', count: 1, lastAt, source: 'kubelet' });
    const sorted = sortEvents([e('Normal', 'Pulled', NOW), e('Warning', 'BackOff', NOW - 5000), e('Warning', 'OOMKilling', NOW - 1000), e('Normal', 'Started', NOW - 500)]);
    expect(sorted.map((x) => x.reason)).toEqual(['OOMKilling', 'BackOff', 'Pulled', 'Started']);
  });
});
