// Benchmark (not a test): what pgtop costs when it watches a server in a
// pod (issue 13's "Cost"): the Kubernetes API requests per minute and bytes
// per refresh beside the SQL figures, the sampler's CPU in the "container",
// and pgtop's own CPU with the pod screens on against pg_activity's, run
// locally on the same server and workload (where it reads /proc).
//   npm run bench:k8s   (BENCH_SECONDS=30  BENCH_TABLES=2000  BENCH_OUT=bench/results/k8s.md)
//
// A throwaway PostgreSQL with the dashboard bench's large workload (300
// sessions), the fake API server in a process of its own
// (bench/k8s/fake-server.ts: deployment/postgres, metrics API on, PGDATA =
// the cluster's data directory, so the exec'd sampler reads the real server
// processes) that counts what it serves; pgtop built, in tmux, through
// `-k deployment/postgres -n development` on the activity screen (with the
// pod's CPU%/MEM/READ/s/WRITE/s columns) and on the pod screen, 1 s
// refresh; then pg_activity with its defaults, local.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import path from 'node:path';
import { createInterface, type Interface } from 'node:readline';
import { startLocalCluster, stopAllOnExit, type LocalCluster } from '../src/localcluster/cluster.js';
import type { TrafficCounts, TrafficKind } from '../test/support/fake-kube/traffic.js';
import { measureRun, resetStatements, statementsOf } from './dashboard/measure.js';
import { cpuSeconds, machineDescription, processTree, treeUsage } from './dashboard/proc.js';
import { openTerminal } from './dashboard/terminal.js';
import { ensurePgActivity, ensureTmux, PG_ACTIVITY, PGTOP } from './dashboard/tools.js';
import { BENCH_DATABASE, createExtension, createMonitorRole, createSchema, SCALES, startWorkload } from './dashboard/workload.js';

const seconds = Number(process.env.BENCH_SECONDS ?? 30);
const scale = { ...SCALES.large, tables: Number(process.env.BENCH_TABLES ?? SCALES.large.tables) };
const root = path.join(import.meta.dirname, '..');
const outFile = process.env.BENCH_OUT ?? path.join(root, 'bench', 'results', 'k8s.md');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** Node options for pgtop's runs (BENCH_PGTOP_NODE_OPTIONS="--cpu-prof --cpu-prof-dir=DIR": a profile of each run). */
const nodeOptions = (process.env.BENCH_PGTOP_NODE_OPTIONS ?? '').split(' ').filter(Boolean);
const KINDS: TrafficKind[] = ['rest', 'watch', 'exec', 'portforward'];

interface FakeServer {
  kubeconfig: string;
  pid: number;
  counts(): Promise<TrafficCounts>;
  stop(): void;
}

async function startFakeServer(cluster: LocalCluster, user: string, password: string): Promise<FakeServer> {
  const vite = path.join(root, 'node_modules', '.bin', 'vite-node');
  const child: ChildProcess = spawn(vite, [path.join(root, 'bench', 'k8s', 'fake-server.ts'), cluster.host, String(cluster.port), user, password, cluster.dataDir], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines: Interface = createInterface({ input: child.stdout! });
  const waiting: ((line: string) => void)[] = [];
  lines.on('line', (line) => waiting.shift()?.(line));
  const next = () => new Promise<string>((resolve) => waiting.push(resolve));
  const first = JSON.parse(await next()) as { kubeconfig: string; pid: number };
  return {
    ...first,
    counts: async () => {
      const line = next();
      child.stdin!.write('counts\n');
      return JSON.parse(await line) as TrafficCounts;
    },
    stop: () => child.stdin!.end(),
  };
}

interface K8sRun {
  label: string;
  screen: 'activity' | 'pod';
  /** On screen once the run's screen has its data. */
  ready: RegExp;
}

const K8S_RUNS: K8sRun[] = [
  // The activity screen with the pod's per-backend columns: CPU% appears once the sampler has two samples.
  { label: 'pgtop -k, activity (CPU% MEM READ/s WRITE/s)', screen: 'activity', ready: /CPU%/ },
  { label: 'pgtop -k, pod screen', screen: 'pod', ready: /OOMKill|Ready|restarts/i },
];

interface K8sResult {
  label: string;
  seconds: number;
  refreshes: number;
  cpuSecondsPerMinute: number;
  peakRssMb: number;
  queriesPerRefresh: number;
  serverExecMsPerRefresh: number;
  requestsPerMinute: Record<TrafficKind, number>;
  /** REST bodies + watch events + the exec stream (the sampler's records), per refresh. */
  apiBytesPerRefresh: number;
  /** Of which the exec stream's. */
  execBytesPerRefresh: number;
  portForwardBytesPerRefresh: number;
  samplerCpuMsPerRefresh: number;
  screen: string;
}

/** CPU seconds of what the fake's exec runs "in the container" (the sampler's sh and what it waited for): its descendants. */
function containerCpuSeconds(fakePid: number): number {
  return processTree(fakePid)
    .filter((pid) => pid !== fakePid)
    .reduce((sum, pid) => sum + cpuSeconds(pid), 0);
}

async function measureK8sRun(run: K8sRun, cluster: LocalCluster, fake: FakeServer, password: string): Promise<K8sResult> {
  const command = [
    process.execPath, ...nodeOptions, path.join(root, 'bin', 'pgtop.js'),
    '-k', 'deployment/postgres', '-n', 'development', '--kubeconfig', fake.kubeconfig,
    '-U', PGTOP.role, '-d', BENCH_DATABASE, '-i', '1', '--screen', run.screen,
  ];
  // As the dashboard bench runs it: its own role (pg_stat_statements tells its queries apart), CI=false for Ink.
  const term = await openTerminal(command, PGTOP.env(password));
  try {
    const launchedAt = performance.now();
    let screen = '';
    for (;;) {
      screen = await term.capture();
      if (/conn \d+\/\d+/.test(screen) && run.ready.test(screen)) break;
      if (await term.exited()) throw new Error(`pgtop exited:\n${screen}`);
      if (performance.now() - launchedAt > 60_000) throw new Error(`pgtop showed no ${run.screen} screen in 60 s:\n${screen}`);
      await sleep(100);
    }
    await sleep(3_000); // settle: the first samples, the watches opened
    const pid = await term.panePid();
    await resetStatements(cluster);
    const traffic0 = await fake.counts();
    const container0 = containerCpuSeconds(fake.pid);
    const before = treeUsage(pid);
    const start = performance.now();
    let peakRssMb = before.peakRssMb;
    while (performance.now() - start < seconds * 1000) {
      await sleep(1_000);
      peakRssMb = Math.max(peakRssMb, treeUsage(pid).peakRssMb);
    }
    const after = treeUsage(pid);
    const container1 = containerCpuSeconds(fake.pid);
    const traffic1 = await fake.counts();
    const elapsed = (performance.now() - start) / 1000;
    const stats = await statementsOf(cluster, PGTOP.role, PGTOP.refreshMarker);
    screen = await term.capture();
    const refreshes = Math.max(1, stats.refreshes);
    const delta = (k: TrafficKind, what: 'requests' | 'bytes') => traffic1[what][k] - traffic0[what][k];
    await term.sendKey('q');
    for (let i = 0; i < 50 && !(await term.exited()); i += 1) await sleep(100);
    return {
      label: run.label,
      seconds: elapsed,
      refreshes: stats.refreshes,
      cpuSecondsPerMinute: ((after.cpuSeconds - before.cpuSeconds) / elapsed) * 60,
      peakRssMb: Math.max(peakRssMb, after.peakRssMb),
      queriesPerRefresh: stats.calls / refreshes,
      serverExecMsPerRefresh: stats.execMs / refreshes,
      requestsPerMinute: Object.fromEntries(KINDS.map((k) => [k, (delta(k, 'requests') / elapsed) * 60])) as Record<TrafficKind, number>,
      apiBytesPerRefresh: (delta('rest', 'bytes') + delta('watch', 'bytes') + delta('exec', 'bytes')) / refreshes,
      execBytesPerRefresh: delta('exec', 'bytes') / refreshes,
      portForwardBytesPerRefresh: delta('portforward', 'bytes') / refreshes,
      samplerCpuMsPerRefresh: ((container1 - container0) * 1000) / refreshes,
      screen,
    };
  } finally {
    await term.kill();
  }
}

const tmuxVersion = ensureTmux();
const pgActivityVersion = ensurePgActivity();
await new Promise<void>((resolve, reject) => {
  const build = spawn(process.execPath, [path.join(root, 'src', 'build.mjs')], { stdio: 'inherit' });
  build.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`the build exited ${code}`))));
});

const cluster = await startLocalCluster({ settings: { 'pg_stat_statements.max': '20000' } });
stopAllOnExit(cluster);
const password = randomBytes(18).toString('base64url');
const started = new Date();
const results: K8sResult[] = [];
type LocalRun = { cpuSecondsPerMinute: number; peakRssMb: number; queriesPerRefresh: number; serverExecMsPerRefresh: number };
let pgActivity: LocalRun | null = null;
/** pgtop on the same screen connected directly (its columns from the local /proc): what -k adds. */
let pgtopDirect: LocalRun | null = null;
let fake: FakeServer | null = null;
try {
  await createExtension(cluster);
  for (const role of [PGTOP.role, PG_ACTIVITY.role]) await createMonitorRole(cluster, role, password);
  const t0 = performance.now();
  await createSchema(cluster, scale.tables);
  const workload = await startWorkload(cluster, scale, ((K8S_RUNS.length + 2) * (seconds + 60) + 120) * 1000);
  console.error(`${scale.tables} tables, ${scale.connections} sessions ready in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  try {
    fake = await startFakeServer(cluster, PGTOP.role, password);
    for (const run of K8S_RUNS) {
      const result = await measureK8sRun(run, cluster, fake, password);
      results.push(result);
      console.error(
        `  ${run.label}: ${result.cpuSecondsPerMinute.toFixed(2)} CPU s/min, ${result.peakRssMb.toFixed(0)} MB, ` +
          `${result.queriesPerRefresh.toFixed(1)} queries and ${result.serverExecMsPerRefresh.toFixed(2)} ms per refresh, ` +
          `API ${KINDS.map((k) => `${k} ${result.requestsPerMinute[k].toFixed(1)}`).join(', ')} per min, ` +
          `${result.apiBytesPerRefresh.toFixed(0)} API B (exec ${result.execBytesPerRefresh.toFixed(0)}) and ${result.portForwardBytesPerRefresh.toFixed(0)} port-forward B per refresh, ` +
          `sampler ${result.samplerCpuMsPerRefresh.toFixed(1)} ms CPU per refresh`,
      );
    }
    fake.stop();
    fake = null;
    const r = await measureRun({
      spec: PG_ACTIVITY,
      run: { tool: 'pg_activity', screen: 'activity', label: 'activity (F1)' },
      scale: 'large',
      cluster,
      workload,
      password,
      seconds,
    });
    pgActivity = r;
    console.error(`  pg_activity (local): ${r.cpuSecondsPerMinute.toFixed(2)} CPU s/min, ${r.peakRssMb.toFixed(0)} MB`);
    pgtopDirect = await measureRun({ spec: PGTOP, run: { tool: 'pgtop', screen: 'activity', label: 'activity' }, scale: 'large', cluster, workload, password, seconds });
    console.error(`  pgtop direct (local): ${pgtopDirect.cpuSecondsPerMinute.toFixed(2)} CPU s/min, ${pgtopDirect.peakRssMb.toFixed(0)} MB`);
  } finally {
    fake?.stop();
    await workload.stop();
  }
} finally {
  await cluster.stop();
}

const f = (x: number, digits = 2) => x.toFixed(digits);
const lines = [
  `# Kubernetes API cost (\`npm run bench:k8s\`)`,
  '',
  `${started.toISOString().slice(0, 16).replace('T', ' ')} UTC — ${machineDescription()}; load average (1 min) at the end: ${f(loadavg()[0]!)}; ` +
    `PostgreSQL ${cluster.serverVersionNum}, ${pgActivityVersion}, ${tmuxVersion}, Node ${process.version}.`,
  `${scale.tables} tables, ${scale.connections} sessions (${scale.active} active, ${scale.waiters} waiting on a lock); 1 s refresh; ${seconds} s measured per run after the screen had its data.`,
  'pgtop through the fake API server (its own process) with the metrics API; the exec sampler reads the real server processes.',
  '',
  '| run | CPU s/min | peak RSS MB | queries/refresh | server exec ms/refresh | REST/min | watches/min | exec/min | port-forward/min | API bytes/refresh | of which exec | port-forward bytes/refresh | sampler CPU ms/refresh |',
  '|---|---|---|---|---|---|---|---|---|---|---|---|---|',
  ...results.map(
    (r) =>
      `| ${r.label} | ${f(r.cpuSecondsPerMinute)} | ${f(r.peakRssMb, 1)} | ${f(r.queriesPerRefresh, 1)} | ${f(r.serverExecMsPerRefresh)} | ` +
      `${f(r.requestsPerMinute.rest, 1)} | ${f(r.requestsPerMinute.watch, 1)} | ${f(r.requestsPerMinute.exec, 1)} | ${f(r.requestsPerMinute.portforward, 1)} | ` +
      `${f(r.apiBytesPerRefresh, 0)} | ${f(r.execBytesPerRefresh, 0)} | ${f(r.portForwardBytesPerRefresh, 0)} | ${f(r.samplerCpuMsPerRefresh, 1)} |`,
  ),
  ...(pgtopDirect
    ? [`| pgtop direct, local (its /proc columns), activity | ${f(pgtopDirect.cpuSecondsPerMinute)} | ${f(pgtopDirect.peakRssMb, 1)} | ${f(pgtopDirect.queriesPerRefresh, 1)} | ${f(pgtopDirect.serverExecMsPerRefresh)} | – | – | – | – | – | – | – | – |`]
    : []),
  ...(pgActivity
    ? [`| pg_activity, defaults, local (reads /proc) | ${f(pgActivity.cpuSecondsPerMinute)} | ${f(pgActivity.peakRssMb, 1)} | ${f(pgActivity.queriesPerRefresh, 1)} | ${f(pgActivity.serverExecMsPerRefresh)} | – | – | – | – | – | – | – | – |`]
    : []),
  '',
  'pgtop / pg_activity CPU (target ≤ 0.5×):',
  '',
  ...results.map((r) =>
    pgActivity
      ? `- ${r.label}: ${f(r.cpuSecondsPerMinute / pgActivity.cpuSecondsPerMinute)}× — ${r.cpuSecondsPerMinute / pgActivity.cpuSecondsPerMinute <= 0.5 ? 'met' : 'NOT met'}`
      : `- ${r.label}: no pg_activity figure`,
  ),
  '',
  'The screens at the end of each run:',
  '',
  ...results.flatMap((r) => [`${r.label}:`, '', '```', r.screen.trimEnd(), '```', '']),
];
const report = lines.join('\n');
console.log(report);
mkdirSync(path.dirname(outFile), { recursive: true });
writeFileSync(outFile, `${report}\n`);
console.error(`written to ${path.relative(root, outFile)}`);
