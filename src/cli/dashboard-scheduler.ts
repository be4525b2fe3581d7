// The dashboard's scheduler, wired: every source pgtop has, and the header's
// and the visible screen's as the ones needed (screens/index.ts). The
// dashboard, --once, the benchmark and the tests all build it here, so they
// run what pgtop runs.
import { neededSources } from '../../screens/index.js';
import { backupFilesSource } from '../backup/files-source.js';
import type { PgConnection } from '../db/connection.js';
import { clusterInstancesSource, type CnpgCluster } from '../k8s/instances-source.js';
import { podLogSource, previousPodLogSource, type PodLogTarget } from '../k8s/log-source.js';
import { logFilesSource } from '../db/log-files-source.js';
import type { PodTracker } from '../k8s/pod-sources.js';
import { RegistrySources } from '../db/sources.js';
import type { LearnController } from '../learn/controller.js';
import { HostFigures, hostSources, PROCESS_USAGE } from '../host/sources.js';
import { hostReadingFor, type HostReading } from '../host/reading.js';
import type { QueryId, RowOf } from '../db/registry.js';
import { Scheduler, type SchedulerOptions } from '../scheduler/scheduler.js';
import type { Source } from '../scheduler/source.js';
import type { ConnectionTarget } from '../target/target.js';

export interface DashboardSchedulerOptions extends Omit<SchedulerOptions, 'sources' | 'needed'> {
  /** What runs; by default the header's sources and the visible screen's (--once names its own). */
  needed?: SchedulerOptions['needed'];
  /** The backup directory, listed while a screen needs it; without it, nothing lists it. */
  backupDir?: string;
  /** The guided session, whose checks run while a screen needs them. */
  learn?: Pick<LearnController, 'checksSource'>;
  /** With -k cluster/NAME: the CloudNativePG cluster whose instance pods are listed while a screen needs them. */
  cluster?: CnpgCluster;
  /** With -k: the pod whose server container's log the logs screen follows; without it, the server's log files over SQL. */
  podLog?: PodLogTarget;
  /** With -k: the pod's sources (its watch, volumes, events, metrics); each runs at once when it has something new. */
  pod?: PodTracker;
  /** The machine's figures (per-backend CPU, the container, the data directory): the pod's sampler with -k, this host's /proc for a local server. */
  host?: HostReading;
}

/**
 * The sources a target brings, as the dashboard and --once both register them:
 * a CloudNativePG cluster's instances, the pod's log, watch and sampler with
 * -k, this host's /proc for a local server. A new one is added here once.
 */
export function targetSources(target: ConnectionTarget): Pick<DashboardSchedulerOptions, 'cluster' | 'podLog' | 'pod' | 'host'> {
  return { cluster: target.cnpgCluster, podLog: target.podLog, pod: target.pod, host: hostReadingFor(target) };
}

export class DashboardScheduler extends Scheduler {
  private readonly registry: RegistrySources;
  private readonly unsubscribePod: (() => void) | undefined;
  private readonly host: HostReading | undefined;

  constructor({ needed = (state) => neededSources(state), backupDir, learn, cluster, podLog, pod, host, ...options }: DashboardSchedulerOptions) {
    const registry = new RegistrySources();
    const sources: Source[] = [...registry.sources];
    if (backupDir !== undefined) sources.push(backupFilesSource(backupDir));
    if (learn) sources.push(learn.checksSource);
    if (cluster) sources.push(clusterInstancesSource(cluster));
    if (podLog) sources.push(podLogSource(podLog), previousPodLogSource(podLog));
    else {
      sources.push(
        logFilesSource({
          files: (session) => registry.read(session, 'logFiles', []),
          read: (session, file, offset, length) => registry.read(session, 'logRead', [file, offset, length]),
        }),
      );
    }
    if (pod) sources.push(...pod.sources());
    if (host) {
      // The processes are read only while a screen shows their figures.
      const figures = new HostFigures(host.reader, host.mode, () => needed(options.store.getState()).includes(PROCESS_USAGE));
      sources.push(...hostSources(figures));
    }
    super({ ...options, needed, sources });
    this.registry = registry;
    this.host = host;
    // The watch saw a change: land it now, not at the next refresh.
    this.unsubscribePod = pod?.onChange((id) => this.refreshNow(id));
  }

  /** Stops the refresh and the pod's watch, and the pod's sampler with them (EOF on its stdin ends it). */
  override async stop(): Promise<void> {
    this.unsubscribePod?.();
    await super.stop();
    await this.host?.reader.close();
  }

  /** Runs one registry query now on the monitor connection, for a read the user asked for (a statement's whole text, on Enter). */
  read<Q extends QueryId>(id: Q, params: readonly unknown[]): Promise<RowOf<Q>[]> {
    return this.onMonitor((session: PgConnection) => this.registry.read(session, id, params));
  }
}
