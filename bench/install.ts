// `npm run bench:install`: what each way of installing pgtop weighs and how
// fast it starts, on this machine, in one run: the standalone executable
// (npm run package) against the npm package (node bin/pgtop.js, as
// `npm install -g` runs it). Start time: `--version` (median of 7), and the
// first full screen in a terminal (median of 5; the header has data and
// pgtop's own session is listed) against a throwaway server.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { startLocalCluster } from '../src/localcluster/cluster.js';
import { openTerminal } from './dashboard/terminal.js';

const root = path.join(import.meta.dirname, '..');
const standalone = path.join(root, 'dist', 'release', `pgtop-${process.platform}-${process.arch}`);
if (!existsSync(standalone)) execFileSync('npm', ['run', 'package'], { cwd: root, stdio: 'inherit' });

const median = (values: number[]): number => values.sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function duBytes(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir, { recursive: true, encoding: 'utf8' })) {
    const stat = statSync(path.join(dir, entry), { throwIfNoEntry: false });
    if (stat?.isFile()) total += stat.size;
  }
  return total;
}

const cluster = await startLocalCluster();
const work = mkdtempSync(path.join(tmpdir(), 'pgtop-bench-install-'));
try {
  // The npm package as `npm install -g` lays it out.
  const prefix = path.join(work, 'prefix');
  mkdirSync(prefix);
  const tarball = execFileSync('npm', ['pack', '--ignore-scripts', '--silent', '--pack-destination', work], { cwd: root, encoding: 'utf8' }).trim().split('\n').pop()!;
  execFileSync('npm', ['install', '-g', '--prefix', prefix, '--prefer-offline', '--no-audit', '--no-fund', path.join(work, tarball)], { stdio: 'ignore' });
  const packageDir = path.join(prefix, 'lib', 'node_modules', 'pgtop');

  const ways = [
    { name: 'standalone executable', command: [standalone], size: statSync(standalone).size, note: 'one file; no Node on the machine' },
    {
      name: 'npm install -g',
      command: [process.execPath, path.join(packageDir, 'bin', 'pgtop.js')],
      size: duBytes(packageDir),
      note: `tarball ${(statSync(path.join(work, tarball)).size / 1e6).toFixed(1)} MB; installed size includes the demo's embedded server; needs Node ${process.version.split('.')[0]}+`,
    },
  ];
  const env = { PGPASSWORD: cluster.password, HOME: work, TERM: 'xterm-256color', CI: 'false' };
  const rows: string[] = [];
  for (const way of ways) {
    const version: number[] = [];
    for (let i = 0; i < 7; i += 1) {
      const t0 = performance.now();
      execFileSync(way.command[0]!, [...way.command.slice(1), '--version'], { env: { PATH: process.env.PATH ?? '', HOME: work } });
      version.push(performance.now() - t0);
    }
    const first: number[] = [];
    for (let i = 0; i < 5; i += 1) {
      const t0 = performance.now();
      const term = await openTerminal([...way.command, '-h', cluster.host, '-p', String(cluster.port), '-U', cluster.user], env);
      try {
        for (;;) {
          const screen = await term.capture();
          if (/conn \d+\/\d+/.test(screen) && /\*\d+ +postgres/.test(screen)) break;
          if (performance.now() - t0 > 30_000) throw new Error(`${way.name}: no full screen in 30 s:\n${screen}`);
          await sleep(10);
        }
        first.push(performance.now() - t0);
      } finally {
        await term.kill();
      }
    }
    rows.push(`| ${way.name} | ${(way.size / 1e6).toFixed(1)} MB | ${(median(version) / 1000).toFixed(2)} s | ${(median(first) / 1000).toFixed(2)} s | ${way.note} |`);
    console.error(rows.at(-1));
  }
  const report = [
    `Installing pgtop — ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, Node ${process.version}, ${process.platform}-${process.arch}, PostgreSQL ${cluster.majorVersion}, load average ${loadavg()[0]!.toFixed(1)} at the end (the machine is shared: compare the rows, not the runs).`,
    '',
    '| way | size | `--version` (median of 7) | first full screen (median of 5) | |',
    '| --- | --- | --- | --- | --- |',
    ...rows,
    '',
  ].join('\n');
  const out = process.env.BENCH_OUT ?? path.join(root, 'bench', 'results', 'install.md');
  writeFileSync(out, report);
  process.stdout.write(report);
} finally {
  await cluster.stop();
  rmSync(work, { recursive: true, force: true });
}
