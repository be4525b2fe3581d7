// Runs a command in a pod's container over the exec subresource
// (v5.channel.k8s.io, v4 as fallback): stdout streamed to a Writable with
// backpressure (a multi-gigabyte pg_dump never sits in memory), stderr
// collected, stdin optional. The outcome comes only from the status channel:
// Success resolves; a non-zero exit, a runtime error, or a stream that closes
// without any status rejects — a dropped stream is never a complete result
// (kubectl over SPDY can exit 0 with a truncated dump, kubernetes#124571).
import type { Readable, Writable } from 'node:stream';
import { openChannelSocket } from './channel-socket.js';
import { K8sError, parseStatus, type StatusBody } from './errors.js';
import type { KubeClient } from './kube.js';

export interface ExecOptions {
  namespace: string;
  pod: string;
  /** The container (K8sTarget.exec names the server's, server-container.ts); absent, the API server picks only in a pod of one container and refuses (400) in a pod of several. */
  container?: string;
  command: string[];
  /** Receives stdout; ended after a Success status unless endStdout is false. */
  stdout?: Writable;
  endStdout?: boolean;
  /** Sent to the command; its end closes the command's stdin (v5). */
  stdin?: Readable;
  /** Keep at most this many bytes of stderr (the last ones). */
  stderrLimit?: number;
  pingIntervalMs?: number;
  /** Aborting closes the stream (the command's pipes close; pg_dump then stops) and rejects as truncated. */
  signal?: AbortSignal;
}

export interface ExecResult {
  stderr: string;
  /** Bytes of stdout received. */
  stdoutBytes: number;
  protocol: string;
}

export class ExecError extends K8sError {
  constructor(
    message: string,
    /** The command's exit code when it ran and failed; undefined when it did not run or the stream broke. */
    readonly commandExitCode: number | undefined,
    readonly stderr: string,
    /** True when the stream ended without a status: whatever stdout got is incomplete. */
    readonly truncated: boolean,
  ) {
    super(message, 'other');
  }
}

const PROTOCOLS = ['v5.channel.k8s.io', 'v4.channel.k8s.io'];
const STDIN = 0;
const STDOUT = 1;
const STDERR = 2;
const STATUS = 3;
const CLOSE = 255;

export async function execInPod(kube: KubeClient, options: ExecOptions): Promise<ExecResult> {
  const query = new URLSearchParams();
  for (const arg of options.command) query.append('command', arg);
  if (options.container) query.set('container', options.container);
  query.set('stdin', options.stdin ? 'true' : 'false');
  query.set('stdout', 'true');
  query.set('stderr', 'true');
  query.set('tty', 'false');
  const path = `/api/v1/namespaces/${encodeURIComponent(options.namespace)}/pods/${encodeURIComponent(options.pod)}/exec?${query}`;
  const op = { verb: 'create', resource: 'pods/exec', namespace: options.namespace, name: options.pod } as const;
  const stdout = options.stdout;
  const stderrLimit = options.stderrLimit ?? 64 * 1024;
  let stderr = Buffer.alloc(0);
  let stdoutBytes = 0;
  let status: StatusBody | undefined;
  let stdoutPaused = false;

  // Assigned once the socket opens; the message handler, made before, closes over it.
  // eslint-disable-next-line prefer-const
  let channel: Awaited<ReturnType<typeof openChannelSocket>>;
  const onMessage = (data: Buffer): void => {
    if (data.length < 1) return;
    const stream = data[0]!;
    const payload = data.subarray(1);
    if (stream === STDOUT) {
      if (payload.length === 0) return; // kubelet's "streams ready" signal
      stdoutBytes += payload.length;
      if (stdout && !stdout.write(payload) && !stdoutPaused) {
        stdoutPaused = true;
        channel.setPaused(true);
        stdout.once('drain', () => {
          stdoutPaused = false;
          channel.setPaused(false);
        });
      }
    } else if (stream === STDERR) {
      stderr = Buffer.concat([stderr, payload]);
      if (stderr.length > stderrLimit) stderr = stderr.subarray(stderr.length - stderrLimit);
    } else if (stream === STATUS && payload.length > 0) {
      status = parseStatus(payload.toString('utf8')) ?? { status: 'Failure', message: payload.toString('utf8') };
    }
  };
  channel = await openChannelSocket(kube, path, op, { protocols: PROTOCOLS, pingIntervalMs: options.pingIntervalMs ?? 15_000 }, onMessage);
  const { ws } = channel;
  const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
  const abort = () => ws.terminate();
  if (options.signal?.aborted) abort();
  options.signal?.addEventListener('abort', abort, { once: true });
  void closed.then(() => options.signal?.removeEventListener('abort', abort));
  const protocol = await channel.opened;

  if (options.stdin) {
    const stdin = options.stdin;
    let stdinInFlight = 0;
    stdin.on('data', (chunk: Buffer | string) => {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      const frame = Buffer.concat([Buffer.from([STDIN]), bytes]);
      stdinInFlight += frame.length;
      ws.send(frame, () => {
        stdinInFlight -= frame.length;
        if (stdin.isPaused() && stdinInFlight < 512 * 1024) stdin.resume();
      });
      if (stdinInFlight > 1024 * 1024) stdin.pause();
    });
    stdin.once('end', () => {
      // Only v5 can close stdin and keep the status; v4 has no way to say EOF.
      if (protocol === 'v5.channel.k8s.io' && ws.readyState === ws.OPEN) ws.send(Buffer.from([CLOSE, STDIN]));
    });
  }

  const code = await closed;
  const stderrText = stderr.toString('utf8').trim();
  const what = options.command[0] ?? 'the command';
  if (!status) {
    throw new ExecError(
      `${what} in pod ${options.pod}: the stream ended without an exit status (WebSocket ${code}); the output is incomplete`,
      undefined,
      stderrText,
      true,
    );
  }
  if (status.status !== 'Success') {
    const exitCause = status.details?.causes?.find((cause) => cause.reason === 'ExitCode');
    const exitCode = exitCause?.message !== undefined ? Number(exitCause.message) : undefined;
    const detail = stderrText ? `: ${lastLine(stderrText)}` : '';
    throw new ExecError(
      exitCode !== undefined
        ? `${what} in pod ${options.pod} exited with code ${exitCode}${detail}`
        : `${what} in pod ${options.pod} failed: ${status.message ?? status.reason ?? 'unknown error'}`,
      exitCode,
      stderrText,
      false,
    );
  }
  if (stdout && options.endStdout !== false) {
    await new Promise<void>((resolve, reject) => {
      stdout.once('error', reject);
      stdout.end(() => resolve());
    });
  }
  return { stderr: stderrText, stdoutBytes, protocol };
}

function lastLine(text: string): string {
  const lines = text.split('\n').filter((line) => line.trim() !== '');
  return lines[lines.length - 1] ?? '';
}
