// The sampler in the pod: ONE long-lived exec session (never one exec per
// refresh) running sampler-script.ts in the server's container. Each read()
// writes one request line to its stdin and takes the next record from its
// stdout (the script answers in order, so waiters are a queue).
// When the stream drops (the pod restarted, the API server went away), the
// next read opens it again after a backoff (the scheduler's, backoff.ts);
// until then reads fail and say so. A container without `sh`, or a role
// without `create pods/exec`, makes it unavailable for good: it says why
// once, and the rest of the dashboard goes on.
import { Writable, PassThrough } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import type { PgConnection } from '../db/connection.js';
import { oneLine, PgtopError } from '../errors.js';
import { K8sError } from '../k8s/errors.js';
import { ExecError, type ExecOptions, type ExecResult } from '../k8s/exec.js';
import { ServerContainerUnknownError } from '../k8s/server-container.js';
import type { HostSample } from '../model/host-sample.js';
import { backoffDelay, DEFAULT_BACKOFF, type BackoffOptions } from '../scheduler/backoff.js';
import { MAX_RECORD_BYTES, parseRecord, RecordFramer } from './parse.js';
import { requestLine, SAMPLER_COMMAND, type SampleRequest } from './sampler-script.js';

/** Runs a command in the server's current pod (the target's exec: resolved again when the pod moved). */
export type PodExec = (options: Omit<ExecOptions, 'namespace' | 'pod'>) => Promise<ExecResult>;

/** Something that hands out one sample of the machine per call, holding what was asked (direct mode identifies its server on the monitor session). */
export interface HostReader {
  read(session: PgConnection | null, request: SampleRequest): Promise<HostSample>;
  close(): Promise<void>;
}

/** A read failed this time (the stream dropped, a sample was too large); the next may work. */
export class SamplerError extends PgtopError {}

/** The sampler cannot run in this container, for good: the reason, said where the figures would be. */
export class SamplerUnavailableError extends PgtopError {}

export interface ExecSamplerOptions {
  backoff?: BackoffOptions;
  random?: () => number;
  /** A sample not back in this long drops the session (it is opened again). */
  timeoutMs?: number;
  maxRecordBytes?: number;
}

interface Waiter {
  resolve(sample: HostSample): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
}

interface Session {
  stdin: PassThrough;
  abort: AbortController;
  done: Promise<void>;
}

const SAMPLE_TIMEOUT_MS = 10_000;

/** Why an exec failure means the sampler can never run here: no sh in the image, or RBAC. */
export function unavailableReason(error: unknown): string | null {
  if (error instanceof K8sError && error.kind === 'forbidden') return `needs create pods/exec (${oneLine(error)})`;
  // A pod of several containers, none of which pgtop could tell runs the server: its words name them and what would tell.
  if (error instanceof ServerContainerUnknownError) return oneLine(error);
  if (error instanceof K8sError && /container name must be specified/i.test(error.message)) return `the pod has several containers and none was named (${oneLine(error)})`;
  if (error instanceof ExecError && error.commandExitCode === undefined && /executable file not found|no such file or directory/i.test(error.message)) {
    return 'the server container has no sh';
  }
  return null;
}

export class ExecSampler implements HostReader {
  private session: Session | null = null;
  private readonly waiters: Waiter[] = [];
  private attempt = 0;
  private retryAt = 0;
  private lastError = '';
  private unavailable: SamplerUnavailableError | null = null;
  private closed = false;
  /** Exec sessions opened so far (the benchmark and tests count them). */
  sessionsOpened = 0;
  /** Bytes of records received (the cost per sample). */
  bytesReceived = 0;

  constructor(
    private readonly exec: PodExec,
    private readonly options: ExecSamplerOptions = {},
  ) {}

  read(_session: PgConnection | null, request: SampleRequest): Promise<HostSample> {
    if (this.unavailable) return Promise.reject(this.unavailable);
    if (this.closed) return Promise.reject(new SamplerError('the sampler is closed'));
    if (!this.session) {
      const wait = this.retryAt - Date.now();
      if (wait > 0) return Promise.reject(new SamplerError(`the exec session dropped (${this.lastError}); opening it again in ${Math.ceil(wait / 1000)} s`));
      this.open();
    }
    const session = this.session!;
    return new Promise<HostSample>((resolve, reject) => {
      const timer = setTimeout(() => {
        // A stream that no longer answers is dropped: the next read opens another.
        this.end(session, new SamplerError(`no sample came back in ${(this.options.timeoutMs ?? SAMPLE_TIMEOUT_MS) / 1000} s`));
      }, this.options.timeoutMs ?? SAMPLE_TIMEOUT_MS);
      this.waiters.push({ resolve, reject, timer });
      session.stdin.write(requestLine(request));
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    const session = this.session;
    if (!session) return;
    // EOF on its stdin ends the script; a stream that does not end in a second is cut.
    session.stdin.end();
    const cut = setTimeout(() => session.abort.abort(), 1_000);
    await session.done;
    clearTimeout(cut);
  }

  private open(): void {
    const stdin = new PassThrough();
    const abort = new AbortController();
    const decoder = new StringDecoder('utf8');
    const framer = new RecordFramer(
      (lines) => this.deliver(lines),
      (message) => this.waiters.shift()?.reject(new SamplerError(message)),
      this.options.maxRecordBytes ?? MAX_RECORD_BYTES,
    );
    const stdout = new Writable({
      write: (chunk: Buffer, _encoding, callback) => {
        this.bytesReceived += chunk.length;
        framer.push(decoder.write(chunk));
        callback();
      },
    });
    const session: Session = { stdin, abort, done: Promise.resolve() };
    this.session = session;
    this.sessionsOpened += 1;
    session.done = this.exec({ command: [...SAMPLER_COMMAND], stdin, stdout, endStdout: false, stderrLimit: 4096, signal: abort.signal }).then(
      () => this.ended(session, new SamplerError('the sampler ended')),
      (error: unknown) => this.ended(session, error),
    );
  }

  private deliver(lines: string[]): void {
    const waiter = this.waiters.shift();
    if (!waiter) return;
    clearTimeout(waiter.timer);
    const sample = parseRecord(lines);
    if (sample) {
      this.attempt = 0;
      waiter.resolve(sample);
    } else waiter.reject(new SamplerError('a sample could not be read (no clock in it)'));
  }

  /** Drops a session that stopped answering. */
  private end(session: Session, error: Error): void {
    session.abort.abort();
    this.ended(session, error);
  }

  private ended(session: Session, error: unknown): void {
    if (this.session !== session) return;
    this.session = null;
    const reason = unavailableReason(error);
    if (reason) this.unavailable = new SamplerUnavailableError(reason);
    else {
      this.lastError = oneLine(error);
      this.retryAt = Date.now() + backoffDelay(this.attempt++, this.options.backoff ?? DEFAULT_BACKOFF, this.options.random);
    }
    const failure = this.unavailable ?? new SamplerError(`the exec session dropped: ${oneLine(error)}`);
    for (const waiter of this.waiters.splice(0)) {
      clearTimeout(waiter.timer);
      waiter.reject(failure);
    }
  }
}
