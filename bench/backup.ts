// Benchmark (not a test): a backup of a ~1 GB database through the fake
// Kubernetes API server, pgtop's way against `kubectl exec … pg_dump > file`.
// Both run pg_dump "in the pod" (the fake runs it here) and stream its
// output over the exec subresource; each client runs in its own process.
//   - kubectl exec -n development deployment/postgres -- pg_dump -Fc DB > file
//   - pgtop's stream alone (bench/backup-stream.ts): the same pg_dump, the
//     same stream code as `pgtop backup`, no verification
//   - `pgtop backup -k …`, the product: stream, fsync, verify (pg_restore
//     reads it all), rename — with its peak memory
// once with pg_dump's default compression (pg_dump's CPU is the limit) and
// once with --compress=0 (the transport is the limit).
// Run with `npm run bench:backup`; the figures go in the README.
// Environment: BENCH_GB (default 1), BENCH_ROUNDS (default 1), BENCH_COMPRESS (default "default,0").
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { build } from 'esbuild';
import pg from 'pg';
import { startLocalCluster } from '../src/localcluster/cluster.js';
import { findLocalTool } from '../src/backup/tools.js';
import { findKubectl } from '../test/support/fake-kube/index.js';

const gigabytes = Number(process.env.BENCH_GB ?? 1);
const rounds = Number(process.env.BENCH_ROUNDS ?? 1);
const root = join(import.meta.dirname, '..');
const viteNode = join(root, 'node_modules', '.bin', 'vite-node');
const work = mkdtempSync(join(tmpdir(), 'pgtop-bench-backup-'));

function firstJsonLine(child: ChildProcess, what: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const seen: string[] = [];
    for (const stream of [child.stdout!, child.stderr!]) {
      createInterface({ input: stream }).on('line', (line) => {
        seen.push(line);
        if (line.trim().startsWith('{')) resolve(line);
      });
    }
    child.once('exit', (code) => reject(new Error(`${what} exited (${code}): ${seen.join(' | ')}`)));
  });
}

/** Runs a command; resolves with its wall time and peak resident memory (sampled from /proc). */
function timed(file: string, args: string[], options: { env?: NodeJS.ProcessEnv; stdoutTo?: string } = {}): Promise<{ ms: number; peakRssMb: number; out: string }> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const child = spawn(options.stdoutTo ? 'sh' : file, options.stdoutTo ? ['-c', 'exec "$0" "$@" > "$OUT"', file, ...args] : args, {
      env: { ...process.env, ...options.env, ...(options.stdoutTo ? { OUT: options.stdoutTo } : {}) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let peak = 0;
    child.stdout.on('data', (d: Buffer) => (out += d));
    child.stderr.on('data', (d: Buffer) => (out += d));
    const sampler = setInterval(() => {
      try {
        const rss = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1];
        if (rss) peak = Math.max(peak, Number(rss) / 1024);
      } catch {
        // exited
      }
    }, 50);
    child.on('exit', (code) => {
      clearInterval(sampler);
      if (code === 0) resolve({ ms: Date.now() - started, peakRssMb: Math.round(peak), out });
      else reject(new Error(`${file} ${args.join(' ')} failed (${code}): ${out}`));
    });
  });
}

const cluster = await startLocalCluster();
const children: ChildProcess[] = [];
try {
  const client = new pg.Client({ host: cluster.host, port: cluster.port, user: cluster.user, password: cluster.password, database: 'postgres' });
  await client.connect();
  await client.query('CREATE DATABASE bench');
  await client.end();
  const bench = new pg.Client({ host: cluster.host, port: cluster.port, user: cluster.user, password: cluster.password, database: 'bench' });
  await bench.connect();
  // ~300 bytes a row on disk: text that compresses like real data does (distinct hex digests, ~2:1).
  const rows = Math.round((gigabytes * 1024 * 1024 * 1024) / 300);
  const started = Date.now();
  await bench.query('CREATE TABLE events (id bigint, at timestamptz, kind int, body text)');
  for (let from = 1; from <= rows; from += 1_000_000) {
    await bench.query(
      `INSERT INTO events SELECT g, now() - g * interval '1 second', g % 17, md5(g || 'a') || md5(g || 'b') || md5(g || 'c') || md5(g || 'd') || md5(g || 'e') || md5(g || 'f') || md5(g || 'g') || md5(g || 'h')
         FROM generate_series($1::bigint, $2::bigint) g`,
      [from, Math.min(rows, from + 999_999)],
    );
  }
  const size = Number((await bench.query("SELECT pg_database_size('bench') AS s")).rows[0].s);
  await bench.end();
  const pgDump = findLocalTool('pg_dump', cluster.majorVersion);
  console.log(
    `PostgreSQL ${cluster.majorVersion}, database "bench" ${(size / 1024 ** 3).toFixed(2)} GB (${rows} rows, loaded in ${((Date.now() - started) / 1000).toFixed(0)} s); ` +
      `pg_dump ${pgDump.version}; ${cpus().length} CPUs, load average ${loadavg()[0]!.toFixed(1)}; ${rounds} round(s)`,
  );

  const fake = spawn(viteNode, [join(root, 'bench', 'fake-server.ts'), cluster.host, String(cluster.port), cluster.user, cluster.password], { stdio: ['pipe', 'pipe', 'pipe'] });
  children.push(fake);
  const { kubeconfig } = JSON.parse(await firstJsonLine(fake, 'the fake API server')) as { kubeconfig: string };

  // pgtop's stream bundled by esbuild, as the product ships it (dist/ is one bundle too).
  const bundle = join(root, 'node_modules', '.cache', 'bench', 'backup-stream.mjs');
  await build({
    entryPoints: [join(root, 'bench', 'backup-stream.ts')], outfile: bundle, bundle: true, format: 'esm', platform: 'node', target: 'node20',
    external: ['pg-native'], logLevel: 'warning',
    banner: { js: "import { createRequire as __pgtopCreateRequire } from 'node:module'; const require = __pgtopCreateRequire(import.meta.url);" },
  });
  const kubectlCache = join(work, 'kubectl-cache');

  for (const compress of (process.env.BENCH_COMPRESS ?? 'default,0').split(',')) {
    const dumpArgs = ['--format=custom', ...(compress === '0' ? ['--compress=0'] : [])];
    const results: Record<string, { ms: number; bytes: number; peakRssMb: number }[]> = { 'kubectl exec … > file': [], "pgtop's stream": [], 'pgtop backup -k (with verify)': [] };
    for (let round = 0; round < rounds; round++) {
      const kFile = join(work, `kubectl-${compress}-${round}.dump`);
      const k = await timed(findKubectl(), ['--kubeconfig', kubeconfig, '--cache-dir', kubectlCache, 'exec', '-n', 'development', 'deployment/postgres', '--', 'pg_dump', ...dumpArgs, 'bench'], { stdoutTo: kFile });
      results['kubectl exec … > file']!.push({ ms: k.ms, bytes: statSync(kFile).size, peakRssMb: k.peakRssMb });
      rmSync(kFile);

      const sFile = join(work, `stream-${compress}-${round}.dump`);
      const s = await timed(process.execPath, [bundle, kubeconfig, cluster.password, 'bench', sFile, ...dumpArgs]);
      const streamed = JSON.parse(s.out.trim().split('\n').at(-1)!) as { ms: number; bytes: number; peakRssMb: number };
      results["pgtop's stream"]!.push({ ms: streamed.ms, bytes: streamed.bytes, peakRssMb: s.peakRssMb });
      rmSync(sFile);

      if (compress === 'default') {
        const dir = join(work, `pgtop-${round}`);
        const p = await timed(process.execPath, [join(root, 'bin', 'pgtop.js'), 'backup', '-k', 'deploy/postgres', '-n', 'development', '--kubeconfig', kubeconfig, '-U', cluster.user, '-d', 'bench', '--backup-dir', dir], {
          env: { PGPASSWORD: cluster.password, HOME: work },
        });
        const name = readdirSync(dir).find((n) => n.endsWith('.dump'))!;
        results['pgtop backup -k (with verify)']!.push({ ms: p.ms, bytes: statSync(join(dir, name)).size, peakRssMb: p.peakRssMb });
        rmSync(dir, { recursive: true, force: true });
      }
    }
    console.log(`\npg_dump ${dumpArgs.join(' ')} bench (median of ${rounds}):`);
    console.log('| path | time | dump size | throughput | peak RSS of the client |');
    console.log('|---|---:|---:|---:|---:|');
    const median = <T>(list: T[], key: (t: T) => number) => [...list].sort((a, b) => key(a) - key(b))[Math.floor(list.length / 2)]!;
    for (const [name, list] of Object.entries(results)) {
      if (!list.length) continue;
      const m = median(list, (r) => r.ms);
      console.log(`| ${name} | ${(m.ms / 1000).toFixed(1)} s | ${(m.bytes / 1024 ** 2).toFixed(0)} MB | ${(m.bytes / 1024 ** 2 / (m.ms / 1000)).toFixed(1)} MB/s | ${m.peakRssMb} MB |`);
    }
  }
} finally {
  for (const child of children) {
    child.stdin?.end();
    child.kill();
  }
  await cluster.stop();
  rmSync(work, { recursive: true, force: true });
}
