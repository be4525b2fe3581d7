// The monitors as the benchmark runs them: pgtop, pg_activity with its
// defaults and with --no-db-size (what its users are told to set on big
// servers), and pg_top (C, Debian's pgtop package). How each is started at
// a 1 s refresh as its own role, how to reach its lock view, what its
// header looks like (for "first full screen"), and how it quits.
import { execFileSync, spawnSync } from 'node:child_process';
import path from 'node:path';
import type { LocalCluster } from '../../src/localcluster/cluster.js';
import { BENCH_DATABASE } from './workload.js';

export type ScreenName = 'activity' | 'locks' | 'locks-waiting' | 'locks-blocking';

export type ToolName = 'pgtop' | 'pg_activity' | 'pg_activity --no-db-size' | 'pg_top';

export interface ToolRun {
  tool: ToolName;
  screen: ScreenName;
  /** What the report calls this screen of this tool. */
  label: string;
}

export interface ToolSpec {
  name: ToolName;
  role: string;
  /**
   * Text of a query it runs once per refresh (pg_stat_statements counts its
   * calls as the refreshes), or null: then a refresh is one per interval.
   */
  refreshMarker: string | null;
  /** It keeps one connection (so its server backends can be measured); pg_top without -W opens one each refresh. */
  persistentConnection: boolean;
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

/** Node options for pgtop's runs only (BENCH_PGTOP_NODE_OPTIONS="--cpu-prof --cpu-prof-dir=/tmp/prof": a profile of each run). */
const pgtopNodeOptions = (process.env.BENCH_PGTOP_NODE_OPTIONS ?? '').split(' ').filter(Boolean);

export const PGTOP: ToolSpec = {
  name: 'pgtop',
  role: 'bench_pgtop',
  refreshMarker: 'pg_postmaster_start_time',
  persistentConnection: true,
  command: (cluster, screen) => [
    process.execPath,
    ...pgtopNodeOptions,
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
  refreshMarker: 'pg_postmaster_start_time',
  persistentConnection: true,
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

// Without the database's size in its header: pg_database_size() of every database at each refresh.
export const PG_ACTIVITY_NO_DB_SIZE: ToolSpec = {
  ...PG_ACTIVITY,
  name: 'pg_activity --no-db-size',
  command: (cluster, screen) => [...PG_ACTIVITY.command(cluster, screen), '--no-db-size'],
};

export const PG_TOP: ToolSpec = {
  name: 'pg_top',
  role: 'bench_pg_top',
  // Its per-refresh queries carry no fixed text worth keying on across versions: a refresh is one per second.
  refreshMarker: null,
  // Without -W (which prompts for a password) it connects anew at every refresh, as people run it with PGPASSWORD.
  persistentConnection: false,
  command: (cluster) => [
    'pg_top', '-s', '1',
    '-h', cluster.host, '-p', String(cluster.port), '-U', 'bench_pg_top', '-d', BENCH_DATABASE,
  ],
  env: (password) => ({ PGPASSWORD: password }),
  keysFor: () => [],
  // Its header: "N processes: …" once it has read the server's sessions.
  header: /\d+ processes:/,
  onScreen: () => /PID\s+USERNAME/,
  quitKey: 'q',
};

export const TOOLS: readonly ToolSpec[] = [PGTOP, PG_ACTIVITY, PG_ACTIVITY_NO_DB_SIZE, PG_TOP];

// pg_top has no lock screen (L shows the locks of one pid it asks for): it runs on activity only.
const ALL_RUNS: ToolRun[] = [
  { tool: 'pgtop', screen: 'activity', label: 'activity' },
  { tool: 'pg_activity', screen: 'activity', label: 'activity (F1)' },
  { tool: 'pg_activity --no-db-size', screen: 'activity', label: 'activity (F1)' },
  { tool: 'pg_top', screen: 'activity', label: 'processes' },
  { tool: 'pgtop', screen: 'locks', label: 'locks' },
  { tool: 'pg_activity', screen: 'locks-waiting', label: 'waiting (F2)' },
  { tool: 'pg_activity --no-db-size', screen: 'locks-waiting', label: 'waiting (F2)' },
  { tool: 'pg_activity', screen: 'locks-blocking', label: 'blocking (F3)' },
  { tool: 'pg_activity --no-db-size', screen: 'locks-blocking', label: 'blocking (F3)' },
];

/** BENCH_TOOLS="pgtop,pg_top" keeps these tools' runs only (all by default; when profiling one). */
export const RUNS: ToolRun[] = ((only) => (only ? ALL_RUNS.filter((r) => only.includes(r.tool)) : ALL_RUNS))(
  process.env.BENCH_TOOLS?.split(',').map((t) => t.trim()),
);

export function specOf(tool: ToolName): ToolSpec {
  return TOOLS.find((t) => t.name === tool)!;
}

/** A peer's version (`command versionFlag`), installing its Debian package first when it is missing. */
function ensureDebianTool(command: string, versionFlag: string, debianPackage: string): string {
  const has = () => spawnSync(command, [versionFlag], { encoding: 'utf8' });
  let probe = has();
  if (probe.error) {
    const sudo = process.getuid?.() === 0 ? [] : ['sudo'];
    console.error(`${command} is missing: installing Debian's ${debianPackage} package…`);
    const apt = (...args: string[]) => execFileSync(sudo[0] ?? 'apt-get', [...(sudo.length ? ['apt-get'] : []), ...args], { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
    try {
      apt('update', '-qq');
      apt('install', '-y', '-qq', debianPackage);
    } catch (error) {
      throw new Error(`the benchmark needs ${command} (Debian's ${debianPackage} package; apt-get install ${debianPackage}): installing it failed: ${(error as Error).message}`);
    }
    probe = has();
  }
  if (probe.error || probe.status !== 0) throw new Error(`${command} does not run: ${probe.error?.message ?? probe.stderr}`);
  return (probe.stdout || probe.stderr).trim();
}

/** pg_activity's version ("pg_activity 3.0.3"), installing Debian's pg-activity package first when it is missing. */
export function ensurePgActivity(): string {
  return ensureDebianTool('pg_activity', '--version', 'pg-activity');
}

/** pg_top's version ("pg_top 4.0.0"), installing Debian's pgtop package first when it is missing. */
export function ensurePgTop(): string {
  return ensureDebianTool('pg_top', '-V', 'pgtop');
}

export function ensureTmux(): string {
  const probe = spawnSync('tmux', ['-V'], { encoding: 'utf8' });
  if (probe.error) throw new Error('the benchmark needs tmux (apt-get install tmux)');
  return probe.stdout.trim();
}
