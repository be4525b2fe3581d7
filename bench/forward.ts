// Benchmark (not a test): the same pgbench select-only run through pgtop's
// own port-forward and through `kubectl port-forward`, both against the fake
// API server (each in its own process, as in real use), and directly as the
// ceiling. Run with `npm run bench:forward`; the figures go in the README.
// Environment: BENCH_SECONDS (default 15), BENCH_CLIENTS (default 4), BENCH_ROUNDS (default 3).
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { build } from 'esbuild';
import { startLocalCluster } from '../src/localcluster/cluster.js';
import { findKubectl } from '../test/support/fake-kube/index.js';

const seconds = Number(process.env.BENCH_SECONDS ?? 15);
const clients = Number(process.env.BENCH_CLIENTS ?? 4);
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const root = join(import.meta.dirname, '..');
const viteNode = join(root, 'node_modules', '.bin', 'vite-node');

function firstLine(child: ChildProcess, what: string, match = (line: string) => line.trim().startsWith('{')): Promise<string> {
  return new Promise((resolve, reject) => {
    const seen: string[] = [];
    const timer = setTimeout(() => reject(new Error(`${what} did not start: ${seen.join(' | ')}`)), 30_000);
    for (const stream of [child.stdout!, child.stderr!]) {
      createInterface({ input: stream }).on('line', (line) => {
        seen.push(line);
        if (match(line)) {
          clearTimeout(timer);
          resolve(line);
        }
      });
    }
    child.once('exit', (code) => reject(new Error(`${what} exited (${code}): ${seen.join(' | ')}`)));
  });
}

function run(file: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { env: { ...process.env, ...env } });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d));
    child.stderr.on('data', (d: Buffer) => (out += d));
    child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`${file} ${args.join(' ')} failed: ${out}`))));
  });
}

interface Result {
  tps: number;
  latencyMs: number;
  /** CPU time of the forwarding process and of the fake API server per 1000 transactions (ms). */
  forwarderCpu?: number;
  apiCpu?: number;
}

/** user + system CPU time of a process so far, in ms (Linux /proc; 100 ticks a second). */
function cpuMs(pid: number | undefined): number {
  if (!pid) return 0;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return 0;
  }
}

async function measured(forwarder: number | undefined, api: number | undefined, bench: () => Promise<Result>): Promise<Result> {
  const [f0, a0] = [cpuMs(forwarder), cpuMs(api)];
  const result = await bench();
  const transactions = (result.tps * seconds) / 1000;
  return { ...result, forwarderCpu: (cpuMs(forwarder) - f0) / transactions, apiCpu: (cpuMs(api) - a0) / transactions };
}

async function pgbench(binDir: string, port: number, password: string, connectEach: boolean): Promise<Result> {
  const out = await run(
    join(binDir, 'pgbench'),
    ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', '-S', '-n', '-c', String(clients), '-j', '2', '-T', String(connectEach ? Math.ceil(seconds / 2) : seconds), ...(connectEach ? ['-C'] : []), 'postgres'],
    { PGPASSWORD: password, PGSSLMODE: 'disable' },
  );
  const tps = Number(/tps = ([\d.]+)/.exec(out)?.[1]);
  const latencyMs = Number(/latency average = ([\d.]+) ms/.exec(out)?.[1]);
  return { tps, latencyMs };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

const cluster = await startLocalCluster();
const children: ChildProcess[] = [];
try {
  console.log(`PostgreSQL ${cluster.majorVersion} on 127.0.0.1:${cluster.port}; pgbench -S -c ${clients} -j 2, ${seconds} s per run, ${rounds} rounds; ${cpus().length} CPUs, load average ${loadavg()[0]!.toFixed(1)}`);
  await run(join(cluster.binDir, 'pgbench'), ['-i', '-s', '10', '-q', '-h', '127.0.0.1', '-p', String(cluster.port), '-U', 'postgres', 'postgres'], { PGPASSWORD: cluster.password });

  const fake = spawn(viteNode, [join(root, 'bench', 'fake-server.ts'), cluster.host, String(cluster.port), cluster.user, cluster.password], { stdio: ['pipe', 'pipe', 'pipe'] });
  children.push(fake);
  const { kubeconfig, pid: fakePid } = JSON.parse(await firstLine(fake, 'the fake API server')) as { kubeconfig: string; pid: number };

  // pgtop's forward bundled by esbuild, as the product ships it (dist/ is one bundle too).
  const bundle = join(root, 'node_modules', '.cache', 'bench', 'pgtop-forward.mjs');
  await build({
    entryPoints: [join(root, 'bench', 'pgtop-forward.ts')], outfile: bundle, bundle: true, format: 'esm', platform: 'node', target: 'node20',
    external: ['pg-native'], logLevel: 'warning',
    banner: { js: "import { createRequire as __pgtopCreateRequire } from 'node:module'; const require = __pgtopCreateRequire(import.meta.url);" },
  });
  const pgtop = spawn(process.execPath, [bundle, kubeconfig, cluster.password], { stdio: ['pipe', 'pipe', 'pipe'] });
  children.push(pgtop);
  const pgtopPort = (JSON.parse(await firstLine(pgtop, "pgtop's forward")) as { port: number }).port;

  const kubectlPort = pgtopPort + 1 > 65000 ? 20000 : pgtopPort + 1;
  const kubectl = spawn(findKubectl(), ['--kubeconfig', kubeconfig, '--cache-dir', join(root, 'node_modules', '.cache', 'bench-kubectl'), 'port-forward', '-n', 'development', 'deployment/postgres', `${kubectlPort}:5432`], { stdio: ['pipe', 'pipe', 'pipe'] });
  children.push(kubectl);
  await firstLine(kubectl, 'kubectl port-forward', (line) => line.startsWith('Forwarding from 127.0.0.1'));
  // The gcloud dispatcher execs the real kubectl in the same process (same pid).
  const kubectlPid = kubectl.pid;
  const kubectlVersion = (await run(findKubectl(), ['--kubeconfig', kubeconfig, 'version', '-o', 'json']).catch(() => '{}'))
    .match(/"gitVersion":\s*"([^"]+)"/)?.[1];

  for (const connectEach of [false, true]) {
    const results: Record<string, Result[]> = { direct: [], 'kubectl port-forward': [], 'pgtop forward': [] };
    for (let round = 0; round < rounds; round++) {
      // Alternate, so drift on the machine hits both alike.
      results['pgtop forward']!.push(await measured(pgtop.pid, fakePid, () => pgbench(cluster.binDir, pgtopPort, cluster.password, connectEach)));
      results['kubectl port-forward']!.push(await measured(kubectlPid, fakePid, () => pgbench(cluster.binDir, kubectlPort, cluster.password, connectEach)));
      results.direct!.push(await pgbench(cluster.binDir, cluster.port, cluster.password, connectEach));
    }
    console.log(`\n${connectEach ? 'pgbench -S -C (a new connection per transaction)' : 'pgbench -S (persistent connections)'}; median of ${rounds}:`);
    console.log('| path | TPS | latency avg | TPS per round | forwarder CPU / 1000 tx | API server CPU / 1000 tx |');
    console.log('|---|---:|---:|---|---:|---:|');
    for (const [name, list] of Object.entries(results)) {
      const rounds = list.map((r) => r.tps.toFixed(0)).join(' / ');
      const cpu = (key: 'forwarderCpu' | 'apiCpu') => (list[0]?.[key] === undefined ? '–' : `${median(list.map((r) => r[key]!)).toFixed(0)} ms`);
      console.log(
        `| ${name}${name.startsWith('kubectl') && kubectlVersion ? ` (${kubectlVersion})` : ''} | ${median(list.map((r) => r.tps)).toFixed(0)} | ${median(list.map((r) => r.latencyMs)).toFixed(3)} ms | ${rounds} | ${cpu('forwarderCpu')} | ${cpu('apiCpu')} |`,
      );
    }
  }
} finally {
  for (const child of children) {
    child.stdin?.end();
    child.kill();
  }
  await cluster.stop();
}
