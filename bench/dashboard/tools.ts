// The two monitors as the benchmark runs them: how each is started at a 1 s
// refresh as its own role, how to reach its lock view, what its header
// looks like (for "first full screen"), and how it quits.
import { execFileSync, spawnSync } from 'node:child_process';
import path from 'node:path';
import type { LocalCluster } from '../../src/localcluster/cluster.js';
import { BENCH_DATABASE } from './workload.js';

export type ScreenName = 'activity' | 'locks' | 'locks-waiting' | 'locks-blocking';

export interface ToolRun {
  tool: 'pgtop' | 'pg_activity';
  screen: ScreenName;
  /** What the report calls this screen of this tool. */
  label: string;
}

export interface ToolSpec {
  name: ToolRun['tool'];
  role: string;
  command(cluster: LocalCluster, screen: ScreenName): string[];
  env(password: string): Record<string, string>;
  /** Keys that bring the tool from its first screen to this one (none: it starts there). */
  keysFor(screen: ScreenName): string[];
  /** The screen shows this once the header has data. */
  header: RegExp;
  /** The screen shows this once it is on `screen` (after keysFor). */
  onScreen(screen: ScreenName): RegExp;
  quitKey: string;
}

const root = path.join(import.meta.dirname, '..', '..');

export const PGTOP: ToolSpec = {
  name: 'pgtop',
  role: 'bench_pgtop',
  command: (cluster, screen) => [
    process.execPath,
    path.join(root, 'bin', 'pgtop.js'),
    '-h', cluster.host, '-p', String(cluster.port), '-U', 'bench_pgtop', '-d', BENCH_DATABASE,
    '-i', '1', '--screen', screen,
  ],
  // CI=false: Ink draws nothing until exit when it believes it runs in CI.
  env: (password) => ({ PGPASSWORD: password, CI: 'false' }),
  keysFor: () => [],
  header: /conn \d+\/\d+/,
  onScreen: (screen) => (screen === 'locks' ? /WAITS FOR/ : /PID\s+USER\s+DB/),
  quitKey: 'q',
};

export const PG_ACTIVITY: ToolSpec = {
  name: 'pg_activity',
  role: 'bench_pg_activity',
  // Its defaults otherwise, as people run it (on the server's host: with the system columns).
  command: (cluster) => [
    'pg_activity', '--refresh', '1',
    '-h', cluster.host, '-p', String(cluster.port), '-U', 'bench_pg_activity', '-d', BENCH_DATABASE,
  ],
  env: (password) => ({ PGPASSWORD: password }),
  // F2 (2) lists the sessions waiting for a lock, F3 (3) the ones blocking others.
  keysFor: (screen) => (screen === 'locks-waiting' ? ['2'] : screen === 'locks-blocking' ? ['3'] : []),
  header: /Sessions: \d+\/\d+ total/,
  onScreen: (screen) => (screen === 'locks-waiting' ? /WAITING QUERIES/i : screen === 'locks-blocking' ? /BLOCKING QUERIES/i : /RUNNING QUERIES/i),
  quitKey: 'q',
};

export const RUNS: ToolRun[] = [
  { tool: 'pgtop', screen: 'activity', label: 'activity' },
  { tool: 'pg_activity', screen: 'activity', label: 'activity (F1)' },
  { tool: 'pgtop', screen: 'locks', label: 'locks' },
  { tool: 'pg_activity', screen: 'locks-waiting', label: 'waiting (F2)' },
  { tool: 'pg_activity', screen: 'locks-blocking', label: 'blocking (F3)' },
];

/** pg_activity's version, installing Debian's package first when it is missing. */
export function ensurePgActivity(): string {
  const has = () => spawnSync('pg_activity', ['--version'], { encoding: 'utf8' });
  let probe = has();
  if (probe.error) {
    const sudo = process.getuid?.() === 0 ? [] : ['sudo'];
    console.error('pg_activity is missing: installing Debian\'s pg-activity package…');
    const apt = (...args: string[]) => execFileSync(sudo[0] ?? 'apt-get', [...(sudo.length ? ['apt-get'] : []), ...args], { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
    apt('update', '-qq');
    apt('install', '-y', '-qq', 'pg-activity');
    probe = has();
  }
  if (probe.error || probe.status !== 0) throw new Error(`pg_activity does not run: ${probe.error?.message ?? probe.stderr}`);
  return probe.stdout.trim();
}

export function ensureTmux(): string {
  const probe = spawnSync('tmux', ['-V'], { encoding: 'utf8' });
  if (probe.error) throw new Error('the benchmark needs tmux (apt-get install tmux)');
  return probe.stdout.trim();
}
