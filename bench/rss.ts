// Peak RSS of pgtop builds side by side (not a test): each build's
// bin/pgtop.js watches the same server (BENCH_SCALE, default large: 2 000
// tables, 300 sessions) on a screen in a 200x50 tmux pane for BENCH_SECONDS
// (default 10), BENCH_ROUNDS times (default 3) in turn, and its peak RSS
// (VmHWM) is read from /proc. Cheaper than the whole dashboard benchmark,
// for a bisect or for trying what memory a change buys:
//
//   vite-node bench/rss.ts [--screen locks] [--env NAME=VALUE…] <checkout>…
//
// A checkout is a directory holding a built bin/pgtop.js (this repository: .);
// "NAME=VALUE@<checkout>" runs it with that variable set (PGTOP_…=… to compare
// settings of one build).
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { startLocalCluster, stopAllOnExit } from '../src/localcluster/cluster.js';
import { statusKb, treeUsage } from './dashboard/proc.js';
import { openTerminal } from './dashboard/terminal.js';
import { BENCH_DATABASE, createMonitorRole, createSchema, SCALES, startWorkload, type Scale } from './dashboard/workload.js';

const args = process.argv.slice(2);
let screen = 'activity';
const builds: { label: string; dir: string; env: Record<string, string> }[] = [];
for (let i = 0; i < args.length; i += 1) {
  if (args[i] === '--screen') screen = args[++i]!;
  else {
    const at = args[i]!.lastIndexOf('@');
    const [envPart, dir] = at >= 0 ? [args[i]!.slice(0, at), args[i]!.slice(at + 1)] : ['', args[i]!];
    const env = Object.fromEntries(envPart.split(',').filter(Boolean).map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
    builds.push({ label: args[i]!, dir: path.resolve(dir), env });
  }
}
if (builds.length === 0) throw new Error('usage: vite-node bench/rss.ts [--screen locks] [NAME=VALUE@]<checkout>…');
const scale = SCALES[(process.env.BENCH_SCALE ?? 'large') as Scale['name']];
const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);

const cluster = await startLocalCluster();
stopAllOnExit(cluster);
const password = randomBytes(18).toString('base64url');
const peaks = new Map<string, number[]>(builds.map((b) => [b.label, []]));
try {
  await createMonitorRole(cluster, 'bench_pgtop', password);
  await createSchema(cluster, scale.tables);
  const workload = await startWorkload(cluster, scale, (rounds * builds.length * (seconds + 5) + 120) * 1000);
  try {
    for (let round = 0; round < rounds; round += 1) {
      for (const build of builds) {
        const command = [process.execPath, path.join(build.dir, 'bin', 'pgtop.js'), '-h', cluster.host, '-p', String(cluster.port), '-U', 'bench_pgtop', '-d', BENCH_DATABASE, '-i', '1', '--screen', screen];
        const term = await openTerminal(command, { PGPASSWORD: password, CI: 'false', ...build.env });
        try {
          await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
          const pid = await term.panePid();
          const mb = treeUsage(pid).peakRssMb;
          if (statusKb(pid, 'VmRSS') === 0) throw new Error(`${build.label} exited:\n${await term.capture()}`);
          peaks.get(build.label)!.push(mb);
          console.error(`${build.label}: ${mb.toFixed(1)} MB`);
        } finally {
          await term.kill();
        }
      }
    }
  } finally {
    await workload.stop();
  }
} finally {
  await cluster.stop();
}
for (const [label, mbs] of peaks) {
  const sorted = [...mbs].sort((a, b) => a - b);
  console.log(`${label}: peak RSS median ${sorted[Math.floor(sorted.length / 2)]!.toFixed(1)} MB (${sorted.map((m) => m.toFixed(1)).join(', ')}), ${screen} screen, ${scale.name} scale`);
}
