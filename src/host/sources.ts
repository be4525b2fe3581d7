// The machine's figures as sources: processUsage (the activity screen's
// CPU%, MEM, READ/s, WRITE/s), containerUsage and dataDirectory (the header
// and the pod screen). All three come from one reader — the pod's exec
// session, or this host's /proc — through one HostFigures, which takes one
// sample per refresh however many of them ask (they ask together, so the
// second joins the first's sample) and keeps what rates and the projection
// need: the previous sample, and the data volume's last hour. A sample
// holds the processes only while processUsage is needed (the activity
// screen): on every other screen the header's container figures cost the
// pod a few reads by the shell's builtins, and no process is read. The data
// volume is a sample of its own, every 10 s at most.
//
// With -k, containerUsage needs nothing of the scheduler (it runs beside the
// queries, so a slow exec never holds up the SQL), and processUsage lands
// with the refresh's queries the processes of the latest sample, without
// waiting for one (a refresh is then one frame, not a second one when the
// sample comes back: the activity table was laid out twice a refresh);
// dataDirectory runs on the monitor connection, at most every 10 s, because
// pg_wal's size is read there: pg_ls_waldir() lists the directory in the
// server (one stat per segment, no process started), where a `du` of pg_wal
// in the pod would walk it with a new process on the container's CPU quota
// at every refresh. A role without pg_monitor cannot call it: the WAL size
// is then unknown, the rest is shown. In direct mode there is no container:
// processUsage and dataDirectory run on the monitor connection, which the
// reader asks once which server it is.
import { oneLine } from '../errors.js';
import type { PgConnection } from '../db/connection.js';
import { sqlState } from '../errors.js';
import type { ContainerUsage, DataDirectoryUsage, ProcessUsage } from '../model/host.js';
import { KUBE_NEEDS } from '../model/kube-access.js';
import {
  addUsedPoint,
  containerUsageBetween,
  dataDirectoryUsage,
  processUsageBetween,
  type HostSample,
  type UsedPoint,
} from '../model/host-sample.js';
import type { Failure } from '../scheduler/failures.js';
import { landFailedRows, landRows, type LocalSource, type PgSource, type Source } from '../scheduler/source.js';
import { SamplerError, SamplerUnavailableError, type HostReader } from './exec-sampler.js';
import type { SampleRequest } from './sampler-script.js';

export const PROCESS_USAGE = 'processUsage';
export const CONTAINER_USAGE = 'containerUsage';
export const DATA_DIRECTORY = 'dataDirectory';

/** The data directory (and its WAL size query) at most this often. */
export const DATA_DIRECTORY_INTERVAL_MS = 10_000;
/** A sample this young is the same refresh's: it is shared, not taken again. */
const SHARED_WITHIN_MS = 250;

export const WAL_SIZE_SQL = 'SELECT coalesce(sum(size), 0)::int8 AS bytes FROM pg_ls_waldir()';

interface Figures {
  sample: HostSample;
  at: number;
  processes: ProcessUsage[];
  container: ContainerUsage | null;
}

/** One sample per refresh, shared by the three sources, with the previous one for rates and the data volume's history. */
export class HostFigures {
  private previous: HostSample | null = null;
  private latest: Figures | null = null;
  private inFlight: Promise<Figures> | null = null;
  private history: UsedPoint[] = [];
  /** False once pg_ls_waldir() was refused: not asked again. */
  private walReadable = true;
  /** Why the last sample failed; null once one came back. */
  private lastFailure: Error | null = null;

  /**
   * @param mode 'pod': the container's cgroup is read too.
   * @param wantsProcesses whether processUsage is needed now (the scheduler's needed set): the processes are read only then.
   */
  constructor(
    readonly reader: HostReader,
    readonly mode: 'pod' | 'local',
    private readonly wantsProcesses: () => boolean,
  ) {}

  take(session: PgConnection | null): Promise<Figures> {
    if (this.latest && Date.now() - this.latest.at < SHARED_WITHIN_MS) return Promise.resolve(this.latest);
    const request: SampleRequest = { processes: this.wantsProcesses(), container: this.mode === 'pod' };
    this.inFlight ??= this.reader
      .read(session, request)
      .then(
        (sample) => {
          this.lastFailure = null;
          return this.compute(sample);
        },
        (error: unknown) => {
          this.lastFailure = error instanceof Error ? error : new SamplerError(String(error));
          throw error;
        },
      )
      .finally(() => (this.inFlight = null));
    return this.inFlight;
  }

  /**
   * The processes of the latest sample, at once (one sample behind the
   * refresh, as the rates are anyway); a sample is asked for when none is
   * recent or on its way. The last sample's failure is this one's.
   */
  latestProcesses(): ProcessUsage[] {
    if (!this.inFlight && !(this.latest && Date.now() - this.latest.at < SHARED_WITHIN_MS)) this.take(null).catch(() => undefined);
    if (this.lastFailure) throw this.lastFailure;
    return this.latest?.processes ?? [];
  }

  private compute(sample: HostSample): Figures {
    const at = Date.now();
    const container = containerUsageBetween(this.previous, sample, at);
    const processes = processUsageBetween(this.previous, sample, container?.memoryLimitBytes ?? null);
    this.previous = sample;
    this.latest = { sample, at, processes, container };
    return this.latest;
  }

  async dataDirectory(session: PgConnection): Promise<DataDirectoryUsage[]> {
    // A sample of its own: the rates' samples stay one a refresh.
    const sample = await this.reader.read(session, { filesystem: true });
    const at = Date.now();
    if (!sample.filesystem) return [];
    this.history = addUsedPoint(this.history, { at, usedBytes: sample.filesystem.usedBytes });
    return [dataDirectoryUsage(sample.path ?? '?', sample.filesystem, this.history, await this.walBytes(session), at)];
  }

  private async walBytes(session: PgConnection): Promise<number | null> {
    if (!this.walReadable) return null;
    try {
      const { rows } = await session.client.query<{ bytes: string }>(WAL_SIZE_SQL);
      return rows[0] ? Number(rows[0].bytes) : null;
    } catch (error) {
      // No pg_monitor: the WAL size stays unknown. Anything else fails this run (a lost connection reconnects).
      if (sqlState(error) !== '42501') throw error;
      this.walReadable = false;
      return null;
    }
  }
}

/** What each source says when the figures cannot be had: for good (no sh, no exec, not this host), or this time. */
function hostFailure(title: string, error: unknown): Failure {
  const message = `${title} failed: ${oneLine(error)}`;
  if (error instanceof SamplerUnavailableError) return { kind: 'degraded', message, disabled: `${title} unavailable: ${oneLine(error)}` };
  return { kind: 'failed', message };
}

const TITLES = {
  processUsage: 'per-backend CPU, memory and I/O',
  containerUsage: 'container memory and CPU',
  dataDirectory: 'data directory usage',
} as const;

/**
 * The three sources over one reader. With -k (`exec`), the container's
 * figures run beside the queries and the per-process ones land with them,
 * from the latest sample; in direct mode on the monitor connection, which
 * says which server it is. Direct mode has no container: only processUsage
 * and dataDirectory.
 */
export function hostSources(figures: HostFigures): Source[] {
  const failureOf = (id: keyof typeof TITLES) => (error: unknown) => hostFailure(TITLES[id], error);
  const processes = {
    id: PROCESS_USAGE,
    title: TITLES.processUsage,
    failure: failureOf(PROCESS_USAGE),
    land: (data, rows: ProcessUsage[], { at }) => landRows(data, PROCESS_USAGE, rows, at),
    landFailure: (data, failure) => landFailedRows(data, PROCESS_USAGE, failure),
  } satisfies Partial<Source<ProcessUsage[]>>;
  const directory: PgSource<DataDirectoryUsage[]> = {
    id: DATA_DIRECTORY,
    title: TITLES.dataDirectory,
    needs: 'pg',
    minIntervalMs: DATA_DIRECTORY_INTERVAL_MS,
    run: ({ session }) => figures.dataDirectory(session),
    failure: failureOf(DATA_DIRECTORY),
    land: (data, rows, { at }) => landRows(data, DATA_DIRECTORY, rows, at),
    landFailure: (data, failure) => landFailedRows(data, DATA_DIRECTORY, failure),
  };
  if (figures.mode === 'local') {
    const local: PgSource<ProcessUsage[]> = { ...processes, needs: 'pg', run: async ({ session }) => (await figures.take(session)).processes };
    return [local, directory] as Source[];
  }
  // With -k every figure comes through the exec session: a role that may not create pods/exec is told so before anything fails.
  const kubeNeeds = [KUBE_NEEDS.podExec];
  const pod: PgSource<ProcessUsage[]> = { ...processes, needs: 'pg', kubeNeeds, run: () => Promise.resolve().then(() => figures.latestProcesses()) };
  const container: LocalSource<ContainerUsage[]> = {
    id: CONTAINER_USAGE,
    title: TITLES.containerUsage,
    needs: 'nothing',
    kubeNeeds,
    run: async () => {
      const { container: usage } = await figures.take(null);
      return usage ? [usage] : [];
    },
    failure: failureOf(CONTAINER_USAGE),
    land: (data, rows, { at }) => landRows(data, CONTAINER_USAGE, rows, at),
    landFailure: (data, failure) => landFailedRows(data, CONTAINER_USAGE, failure),
  };
  return [pod, container, { ...directory, kubeNeeds }] as Source[];
}
