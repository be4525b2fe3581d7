// The synthetic frame alone (bench/dashboard/frame.tsx), without a server:
// what one refresh of the activity screen costs pgtop — ms to the frame,
// CPU ms and terminal bytes per refresh — bundled as the build bundles it.
// For trying a change to the drawing, or profiling it:
//
//   BENCH_FRAME_BACKENDS=300 vite-node bench/frame.ts [node options, e.g. --cpu-prof --cpu-prof-dir=/tmp/prof]
//
// Prints frame.tsx's JSON line (the hour is skipped: it needs a server).
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';
import { bundleOptions } from '../src/bundle-options.mjs';

const root = path.join(import.meta.dirname, '..');
mkdirSync(path.join(root, '.tmp'), { recursive: true });
const dir = mkdtempSync(path.join(root, '.tmp', 'frame-'));
try {
  const bundle = path.join(dir, 'frame.mjs');
  await build({ ...bundleOptions(root), entryPoints: [path.join(root, 'bench', 'dashboard', 'frame.tsx')], outfile: bundle });
  const run = spawnSync(process.execPath, ['--expose-gc', ...process.argv.slice(2), bundle], {
    // The hour needs a server (BENCH_PG, as bench/dashboard.ts sets it): without one it is skipped.
    env: { ...process.env, BENCH_HOUR_REFRESHES: process.env.BENCH_PG ? (process.env.BENCH_HOUR_REFRESHES ?? '300') : '0' },
    stdio: ['ignore', 'pipe', 'inherit'],
    encoding: 'utf8',
  });
  if (run.status !== 0) throw new Error(`frame.tsx exited ${run.status}`);
  const result = JSON.parse(run.stdout.trim().split('\n').pop()!) as { frame: unknown; hour: { ticks: number } };
  console.log(JSON.stringify(result.hour.ticks > 0 ? result : result.frame));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
