// Exec into the pod (what backups will run pg_dump with), against the fake
// API server: stdout streamed with backpressure, stderr collected, and the
// outcome taken only from the status channel — pinning what client-node's
// Exec gets wrong (no backpressure; a dropped stream neither ends stdout nor
// reports a status) and the v4 fallback for servers before Kubernetes 1.30.
import { mkdtempSync, readFileSync, rmSync, createWriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExecError, execInPod } from '../../src/k8s/exec.js';
import { KubeClient } from '../../src/k8s/kube.js';
import { postgresTemplate, startFakeCluster, type FakeCluster } from '../support/fake-kube/index.js';
import { pgInfo } from '../support/pg.js';

const NS = 'exec';
let cluster: FakeCluster;
let kube: KubeClient;
let dir: string;

beforeAll(async () => {
  cluster = await startFakeCluster({ namespace: NS });
  kube = KubeClient.load({ kubeconfig: cluster.kubeconfig });
  cluster.kube.addDeployment(NS, 'postgres', postgresTemplate(pgInfo()));
  dir = mkdtempSync(join(tmpdir(), 'pgtop-exec-'));
});
afterAll(async () => {
  await cluster?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const pod = () => cluster.kube.livePod(NS, 'postgres')!.name;

/** A sink that takes `bytesPerMs` and records how much it ever had to buffer. */
function slowSink(bytesPerMs: number) {
  const state = { bytes: 0, peakBuffered: 0, onBytes: (_n: number) => undefined as void };
  const sink = new Writable({
    highWaterMark: 1024 * 1024,
    write(chunk: Buffer, _enc, done) {
      state.bytes += chunk.length;
      state.onBytes(state.bytes);
      setTimeout(done, Math.ceil(chunk.length / bytesPerMs));
    },
  });
  const origWrite = sink.write.bind(sink);
  sink.write = ((chunk: Buffer, ...rest: never[]) => {
    const ok = origWrite(chunk, ...rest);
    state.peakBuffered = Math.max(state.peakBuffered, sink.writableLength);
    return ok;
  }) as typeof sink.write;
  return { sink, state };
}

describe('execInPod', () => {
  it('streams pg_dump from the pod into a file and resolves only on a Success status', async () => {
    const file = join(dir, 'dump.sql');
    const result = await execInPod(kube, {
      namespace: NS,
      pod: pod(),
      command: [`${pgInfo().binDir}/pg_dump`, '--no-owner', 'postgres'],
      stdout: createWriteStream(file),
    });
    expect(result.protocol).toBe('v5.channel.k8s.io');
    const dump = readFileSync(file, 'utf8');
    expect(result.stdoutBytes).toBe(Buffer.byteLength(dump));
    expect(dump).toContain('PostgreSQL database dump complete');
  });

  it('rejects a non-zero exit with its code and stderr, and a missing program with the runtime error', async () => {
    const failed = await execInPod(kube, { namespace: NS, pod: pod(), command: ['sh', '-c', 'echo partial; echo "pg_dump: error: no such table" >&2; exit 3'] }).catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(ExecError);
    expect(failed).toMatchObject({ commandExitCode: 3, truncated: false, stderr: 'pg_dump: error: no such table' });
    expect((failed as Error).message).toBe(`sh in pod ${pod()} exited with code 3: pg_dump: error: no such table`);
    const missing = await execInPod(kube, { namespace: NS, pod: pod(), command: ['no-such-program'] }).catch((e: unknown) => e);
    expect((missing as Error).message).toMatch(/no-such-program in pod .* failed: .*executable file not found in \$PATH/);
  });

  it('sends stdin and closes it with v5\'s close signal, keeping the status', async () => {
    const chunks: Buffer[] = [];
    const out = new Writable({ write: (c: Buffer, _e, done) => (chunks.push(c), done()) });
    await execInPod(kube, { namespace: NS, pod: pod(), command: ['wc', '-c'], stdin: Readable.from([Buffer.from('nineteen bytes here')]), stdout: out });
    expect(Buffer.concat(chunks).toString().trim()).toBe('19');
  });

  it('keeps memory flat with a slow sink: 128 MB through a 1 MB buffer', async () => {
    const { sink, state } = slowSink(100 * 1024);
    const rssBefore = process.memoryUsage().rss;
    const result = await execInPod(kube, { namespace: NS, pod: pod(), command: ['head', '-c', String(128 * 1024 * 1024), '/dev/zero'], stdout: sink });
    expect(result.stdoutBytes).toBe(128 * 1024 * 1024);
    expect(state.bytes).toBe(128 * 1024 * 1024);
    // client-node writes regardless of write()'s answer: the whole dump ends up buffered.
    expect(state.peakBuffered).toBeLessThan(4 * 1024 * 1024);
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(96 * 1024 * 1024);
  });

  it('treats a stream that drops without a status as a failure: the output is incomplete', async () => {
    const { sink, state } = slowSink(50 * 1024);
    const victim = pod();
    let killed = false;
    state.onBytes = (n) => {
      if (n > 8 * 1024 * 1024 && !killed) {
        killed = true;
        cluster.kube.killPod(NS, victim, { replaceAfterMs: 100, readyAfterMs: 100 });
      }
    };
    const error = await execInPod(kube, { namespace: NS, pod: victim, command: ['head', '-c', String(512 * 1024 * 1024), '/dev/zero'], stdout: sink }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ExecError);
    expect(error).toMatchObject({ truncated: true, commandExitCode: undefined });
    expect((error as Error).message).toMatch(/the stream ended without an exit status \(WebSocket 1006\); the output is incomplete/);
    expect(sink.writableEnded).toBe(false); // never ended as if complete
    await new Promise((resolve) => setTimeout(resolve, 500)); // the replacement comes up
  });

  it('falls back to v4.channel.k8s.io on servers before 1.30', async () => {
    cluster.kube.withoutV5 = true;
    try {
      const chunks: Buffer[] = [];
      const out = new Writable({ write: (c: Buffer, _e, done) => (chunks.push(c), done()) });
      const result = await execInPod(kube, { namespace: NS, pod: pod(), command: ['sh', '-c', 'printf v4'], stdout: out });
      expect(result.protocol).toBe('v4.channel.k8s.io');
      expect(Buffer.concat(chunks).toString()).toBe('v4');
    } finally {
      cluster.kube.withoutV5 = false;
    }
  });

  it('says which permission is missing when exec is forbidden', async () => {
    cluster.kube.forbid('create', 'pods/exec');
    try {
      await expect(execInPod(kube, { namespace: NS, pod: pod(), command: ['true'] })).rejects.toThrow(
        /^RBAC: you may not create pods\/exec in namespace "exec" \(the API server said: .*\): ask a cluster admin for a Role that grants "create" on "pods\/exec"$/,
      );
    } finally {
      cluster.kube.allow('create', 'pods/exec');
    }
  });
});
