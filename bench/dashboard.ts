// Benchmark (not a test): what pgtop costs the box and the server next to
// its peers — pg_activity with its defaults and with --no-db-size, and
// pg_top (C) — watching the same server at the same 1 s refresh in the same
// 200x50 terminal, in one run. Run with `npm run bench`;
// the table goes to stdout and to bench/results/dashboard.md, and the
// README's "Speed" section carries the latest one.
//
// Per scale (small: 20 tables, 30 sessions; large: 2 000 tables with
// indexes, 300 sessions — most idle, 40 active, 10 waiting on a row lock
// held by an idle-in-transaction session) each tool runs on its activity
// screen and on its lock screen(s), one after the other, as its own
// pg_monitor role. Then pgtop alone: a frame of 10 000 backends, and an
// "hour" of 1 s refreshes driven fast (bench/dashboard/frame.tsx).
//
// Environment: BENCH_SECONDS (measured seconds per run, default 20),
// BENCH_SCALES (default "small,large"), BENCH_OUT (default bench/results/dashboard.md),
// BENCH_TOOLS (default all: "pgtop,pg_activity,pg_activity --no-db-size,pg_top"),
// BENCH_SYNTHETIC=0 (skips the 10 000-backend frame and the hour),
// BENCH_PGTOP_NODE_OPTIONS (Node options for pgtop's runs: "--cpu-prof --cpu-prof-dir=DIR").
// A peer that is missing is installed from Debian's packages (pg-activity, pgtop), or the run says which.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';
import { bundleOptions } from '../src/bundle-options.mjs';
import { startLocalCluster, stopAllOnExit } from '../src/localcluster/cluster.js';
import { measureRun, timeFirstScreen, type RunResult } from './dashboard/measure.js';
import { floorRssMb } from './dashboard/floor.js';
import { machineDescription } from './dashboard/proc.js';
import { formatReport, type SyntheticResult } from './dashboard/report.js';
import { ensurePgActivity, ensurePgTop, ensureTmux, PGTOP, RUNS, specOf, TOOLS } from './dashboard/tools.js';
import { createExtension, createMonitorRole, createSchema, SCALES, startWorkload, type Scale } from './dashboard/workload.js';

const seconds = Number(process.env.BENCH_SECONDS ?? 20);
const scales = (process.env.BENCH_SCALES ?? 'small,large').split(',').map((name) => {
  const scale = SCALES[name.trim() as Scale['name']];
  if (!scale) throw new Error(`BENCH_SCALES: unknown scale "${name}" (small, large)`);
  return scale;
});
const root = path.join(import.meta.dirname, '..');
const outFile = process.env.BENCH_OUT ?? path.join(root, 'bench', 'results', 'dashboard.md');
const screensDir = path.join(path.dirname(outFile), 'screens');

function runChild(file: string, args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d));
    child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`${args.join(' ')} exited ${code}: ${out}`))));
  });
}

const tmuxVersion = ensureTmux();
const needs = (tool: string) => RUNS.some((r) => r.tool.startsWith(tool));
const pgActivityVersion = needs('pg_activity') ? ensurePgActivity() : null;
const pgTopVersion = needs('pg_top') ? ensurePgTop() : null;
await runChild(process.execPath, [path.join(root, 'src', 'build.mjs')], {}); // the benchmark runs the bundle bin/pgtop.js loads
mkdirSync(screensDir, { recursive: true });
// The synthetic part runs pgtop's App bundled exactly as the build bundles it (React's production build, Ink's faster output).
// Inside the repository (its .tmp/ is ignored): pgtop finds its SQL files from where its code is.
mkdirSync(path.join(root, '.tmp'), { recursive: true });
const bundleDir = mkdtempSync(path.join(root, '.tmp', 'bench-'));
const frameBundle = path.join(bundleDir, 'frame.mjs');
await build({ ...bundleOptions(root), entryPoints: [path.join(root, 'bench', 'dashboard', 'frame.tsx')], outfile: frameBundle });

const cluster = await startLocalCluster({
  // Room for every workload query's entry, so evictions do not cost the monitors.
  settings: { 'pg_stat_statements.max': '20000' },
});
stopAllOnExit(cluster);
const password = randomBytes(18).toString('base64url');
const results: RunResult[] = [];
let synthetic: SyntheticResult | null = null;
let firstScreenWithoutExtraCaMs: number | null = null;
const started = new Date();
try {
  await createExtension(cluster);
  for (const role of new Set(TOOLS.map((t) => t.role))) await createMonitorRole(cluster, role, password);
  for (const scale of scales) {
    const t0 = performance.now();
    await createSchema(cluster, scale.tables);
    // Generous deadline: the active sessions stop by themselves even if this process is killed mid-run.
    const workload = await startWorkload(cluster, scale, (RUNS.length * (seconds + 30) + 120) * 1000);
    console.error(`${scale.name}: ${scale.tables} tables, ${scale.connections} sessions ready in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    try {
      for (const run of RUNS) {
        const spec = specOf(run.tool);
        const result = await measureRun({
          spec, run, scale: scale.name, cluster, workload, password, seconds,
          screenFile: path.join(screensDir, `${scale.name}-${run.tool.replace(/[^\w]+/g, '-')}-${run.screen}.txt`),
        });
        results.push(result);
        console.error(
          `  ${run.tool} ${run.label}: ${result.cpuSecondsPerMinute.toFixed(2)} CPU s/min, ${result.peakRssMb.toFixed(0)} MB, ` +
            `${result.queriesPerRefresh.toFixed(1)} queries, ${result.serverExecMsPerRefresh.toFixed(2)} ms and ${result.terminalBytesPerRefresh.toFixed(0)} terminal bytes per refresh`,
        );
      }
      if (scale.name === 'large' && process.env.NODE_EXTRA_CA_CERTS && needs('pgtop')) {
        // Node reads NODE_EXTRA_CA_CERTS at start (~0.1 s for Debian's bundle): pgtop's own part is the figure without it.
        const spec = { ...PGTOP, env: (pw: string) => ({ ...PGTOP.env(pw), NODE_EXTRA_CA_CERTS: '' }) };
        const run = RUNS.find((r) => r.tool === 'pgtop' && r.screen === 'activity')!;
        const times: number[] = [];
        for (let i = 0; i < 5; i += 1) times.push(await timeFirstScreen(spec, run, cluster, workload, password));
        firstScreenWithoutExtraCaMs = times.sort((a, b) => a - b)[2]!;
        console.error(`  pgtop first screen without NODE_EXTRA_CA_CERTS: ${(firstScreenWithoutExtraCaMs / 1000).toFixed(2)} s`);
      }
      if (scale.name === 'large' && needs('pgtop') && process.env.BENCH_SYNTHETIC !== '0') {
        // The "hour" polls this server: 300 sessions.
        const out = await runChild(process.execPath, ['--expose-gc', frameBundle], {
          BENCH_PG: JSON.stringify({ host: cluster.host, port: cluster.port, user: PGTOP.role, password, database: 'bench' }),
        });
        try {
          synthetic = JSON.parse(out.trim().split('\n').pop()!) as SyntheticResult;
        } catch {
          throw new Error(`the synthetic part printed no result: ${JSON.stringify(out.slice(-2000))}`);
        }
        console.error(`  10 000-backend frame: median ${synthetic.frame.medianMs.toFixed(1)} ms; heap over the hour: ${synthetic.hour.heapMb.map((h) => h.mb.toFixed(1)).join(' → ')} MB`);
      }
    } finally {
      await workload.stop();
    }
  }
} finally {
  await cluster.stop();
  rmSync(bundleDir, { recursive: true, force: true });
}

const report = formatReport({
  date: started,
  machine: machineDescription(),
  load: loadavg()[0]!,
  postgres: cluster.serverVersionNum,
  pgActivityVersion,
  pgTopVersion,
  tmuxVersion,
  nodeVersion: process.version,
  seconds,
  results,
  synthetic,
  floors: await floorRssMb(),
  firstScreenWithoutExtraCaMs,
});
console.log(report);
mkdirSync(path.dirname(outFile), { recursive: true });
writeFileSync(outFile, `${report}\n`);
console.error(`written to ${path.relative(root, outFile)}`);
