// pgtop's backup stream alone, in a process of its own (as it runs in pgtop):
// opens the -k target, runs pg_dump in the pod through the exec subresource
// and streams it into a file exactly as runBackup does (through the same
// pass-through into a file stream, with backpressure), without the
// verification. Prints {"ms", "bytes", "peakRssMb"}.
// Arguments: kubeconfig password database file [pg_dump args…]
import { createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { dumpInput, STREAM_BUFFER_BYTES } from '../src/backup/backup.js';
import { podSource } from '../src/backup/source.js';
import { openK8sTarget } from '../src/target/kubernetes.js';

const [kubeconfig, password, database, file, ...dumpArgs] = process.argv.slice(2);
const target = await openK8sTarget(
  { target: { kind: 'deployment', name: 'postgres' }, namespace: 'development', kubeconfig, remotePort: 5432 },
  { dbname: database },
  { ...process.env, PGPASSWORD: password },
);
let peak = process.memoryUsage().rss;
const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
try {
  const source = podSource(target.exec, () => target.label, target.connection.user, password);
  // The same pipeline as runBackup's (uncompressed): the pass-through and the file stream with its buffer.
  const input = dumpInput();
  const out = createWriteStream(file!, { highWaterMark: STREAM_BUFFER_BYTES });
  const started = Date.now();
  const written = pipeline(input, out);
  await source.run({ tool: 'pg_dump', args: dumpArgs, database, stdout: input });
  input.end();
  await written;
  const ms = Date.now() - started;
  process.stdout.write(`${JSON.stringify({ ms, bytes: out.bytesWritten, peakRssMb: Math.round(peak / 1024 / 1024) })}\n`);
} finally {
  clearInterval(sampler);
  await target.close();
}
