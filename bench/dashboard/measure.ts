// One monitor, one screen, one scale: start it in a 200x50 tmux pane, time
// the first full screen, let it settle, then measure for `seconds` what it
// costs the box (its process tree's CPU and peak RSS, from /proc) and the
// server (its role's statements in pg_stat_statements, and the CPU of its
// server backends), what it wrote to the terminal, and whether the blocked
// sessions were on its screen.
import { writeFileSync } from 'node:fs';
import type { LocalCluster } from '../../src/localcluster/cluster.js';
import { cpuSeconds, treeUsage } from './proc.js';
import { openTerminal } from './terminal.js';
import type { ToolRun, ToolSpec } from './tools.js';
import { superuserClient, type Workload } from './workload.js';

export interface RunResult extends ToolRun {
  scale: string;
  /** Launch to the header and the workload's sessions on screen, median of 5 launches (only when the tool starts on this screen). */
  firstScreenMs: number | null;
  firstScreenMsAll: number[];
  seconds: number;
  cpuSecondsPerMinute: number;
  peakRssMb: number;
  refreshes: number;
  queriesPerRefresh: number;
  serverExecMsPerRefresh: number;
  /** CPU of the tool's server backends (parse, plan, execute, send) per refresh; null when it connects anew each refresh (pg_top). */
  backendCpuMsPerRefresh: number | null;
  /** What it wrote to the pane per refresh, escape sequences included. */
  terminalBytesPerRefresh: number;
  /** Kubernetes API requests per minute; null when it talks to none (a direct connection). */
  kubeRequestsPerMinute: number | null;
  /** Waiters on screen at the end, of how many; blocker on screen. */
  waitersShown: number;
  waiters: number;
  blockerShown: boolean;
  finalScreen: string;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const FIRST_SCREEN_LAUNCHES = 5;

/** A row of the screen starts with this pid (after spaces, tree lines or pgtop's own-session star). */
function pidOnScreen(screen: string, pid: number): boolean {
  const row = new RegExp(`^[^\\w]*${pid}\\b`);
  return screen.split('\n').some((line) => row.test(line));
}

/** What pg_stat_statements holds of a role since the last reset: calls, server time, refreshes (by the tool's marker statement), and the role's backends. */
export async function statementsOf(cluster: LocalCluster, role: string, refreshMarker: string | null) {
  const client = superuserClient(cluster, 'postgres', 'bench-stats');
  await client.connect();
  try {
    const r = await client.query<{ calls: string | null; exec_ms: number | null; refreshes: string | null; backends: number[] }>(
      `SELECT sum(s.calls) AS calls, sum(s.total_exec_time)::float8 AS exec_ms,
              sum(s.calls) FILTER (WHERE s.query ILIKE '%' || $2 || '%') AS refreshes,
              (SELECT array_agg(pid) FROM pg_stat_activity WHERE usename = $1) AS backends
       FROM pg_stat_statements s JOIN pg_roles r ON r.oid = s.userid
       WHERE r.rolname = $1 AND s.toplevel`,
      [role, refreshMarker ?? ''],
    );
    const row = r.rows[0]!;
    return { calls: Number(row.calls ?? 0), execMs: row.exec_ms ?? 0, refreshes: Number(row.refreshes ?? 0), backends: row.backends ?? [] };
  } finally {
    await client.end();
  }
}

export async function resetStatements(cluster: LocalCluster): Promise<void> {
  const client = superuserClient(cluster, 'postgres', 'bench-stats');
  await client.connect();
  try {
    await client.query('SELECT pg_stat_statements_reset()');
  } finally {
    await client.end();
  }
}

/** Launch to the header and a session of the workload on screen, in ms; the tool is ended at once. */
export async function timeFirstScreen(spec: ToolSpec, run: ToolRun, cluster: LocalCluster, workload: Workload, password: string): Promise<number> {
  const watched = [workload.blockerPid, ...workload.waiterPids, ...workload.activePids];
  const launchedAt = performance.now();
  const term = await openTerminal(spec.command(cluster, run.screen), spec.env(password));
  try {
    for (;;) {
      const screen = await term.capture();
      if (spec.header.test(screen) && watched.some((pid) => pidOnScreen(screen, pid))) return performance.now() - launchedAt;
      if (await term.exited()) throw new Error(`${spec.name} exited:\n${screen}`);
      if (performance.now() - launchedAt > 30_000) throw new Error(`${spec.name} showed no full screen in 30 s:\n${screen}`);
      await sleep(10);
    }
  } finally {
    await term.kill();
  }
}

export async function measureRun(options: {
  spec: ToolSpec;
  run: ToolRun;
  scale: string;
  cluster: LocalCluster;
  workload: Workload;
  password: string;
  seconds: number;
  screenFile?: string;
}): Promise<RunResult> {
  const { spec, run, cluster, workload, password, seconds } = options;
  const watched = [workload.blockerPid, ...workload.waiterPids, ...workload.activePids];
  // One launch is a noisy figure: the median of this run's and FIRST_SCREEN_LAUNCHES - 1 more.
  const firstScreens: number[] = [];
  if (spec.keysFor(run.screen).length === 0) {
    for (let i = 1; i < FIRST_SCREEN_LAUNCHES; i += 1) firstScreens.push(await timeFirstScreen(spec, run, cluster, workload, password));
  }
  const launchedAt = performance.now();
  const term = await openTerminal(spec.command(cluster, run.screen), spec.env(password));
  try {
    // First full screen: the header has data and a session of the workload is listed.
    let screen = '';
    for (;;) {
      screen = await term.capture();
      if (spec.header.test(screen) && watched.some((pid) => pidOnScreen(screen, pid))) break;
      if (await term.exited()) throw new Error(`${spec.name} exited:\n${screen}`);
      if (performance.now() - launchedAt > 30_000) throw new Error(`${spec.name} showed no full screen in 30 s:\n${screen}`);
      await sleep(10);
    }
    const keys = spec.keysFor(run.screen);
    const firstScreenMs = keys.length === 0 ? performance.now() - launchedAt : null;
    if (firstScreenMs !== null) firstScreens.push(firstScreenMs);
    for (const key of keys) await term.sendKey(key);
    const deadline = performance.now() + 10_000;
    while (!spec.onScreen(run.screen).test(await term.capture())) {
      if (performance.now() > deadline) throw new Error(`${spec.name} never showed ${run.label}:\n${await term.capture()}`);
      await sleep(50);
    }

    // Settle, then measure from a clean pg_stat_statements.
    await sleep(2_000);
    const pid = await term.panePid();
    await resetStatements(cluster);
    const start = performance.now();
    const before = treeUsage(pid);
    const { backends } = await statementsOf(cluster, spec.role, spec.refreshMarker);
    await term.startCounting();
    const backendCpu0 = backends.reduce((sum, p) => sum + cpuSeconds(p), 0);
    let peakRssMb = before.peakRssMb;
    while (performance.now() - start < seconds * 1000) {
      await sleep(1_000);
      peakRssMb = Math.max(peakRssMb, treeUsage(pid).peakRssMb);
    }
    const after = treeUsage(pid);
    const elapsed = (performance.now() - start) / 1000;
    const backendCpu1 = backends.reduce((sum, p) => sum + cpuSeconds(p), 0);
    const terminalBytes = await term.stopCounting();
    const stats = await statementsOf(cluster, spec.role, spec.refreshMarker);
    screen = await term.capture();
    if (options.screenFile) writeFileSync(options.screenFile, screen);
    // Without a marker query: one refresh a second (its -s 1).
    const refreshCount = spec.refreshMarker === null ? Math.round(elapsed) : stats.refreshes;
    const refreshes = Math.max(1, refreshCount);

    await term.sendKey(spec.quitKey);
    for (let i = 0; i < 50 && !(await term.exited()); i += 1) await sleep(100);

    return {
      ...run,
      scale: options.scale,
      firstScreenMs: firstScreens.length ? median(firstScreens) : null,
      firstScreenMsAll: firstScreens,
      seconds: elapsed,
      cpuSecondsPerMinute: ((after.cpuSeconds - before.cpuSeconds) / elapsed) * 60,
      peakRssMb: Math.max(peakRssMb, after.peakRssMb),
      refreshes: refreshCount,
      queriesPerRefresh: stats.calls / refreshes,
      serverExecMsPerRefresh: stats.execMs / refreshes,
      backendCpuMsPerRefresh: spec.persistentConnection ? ((backendCpu1 - backendCpu0) * 1000) / refreshes : null,
      terminalBytesPerRefresh: terminalBytes / refreshes,
      kubeRequestsPerMinute: null,
      waitersShown: workload.waiterPids.filter((p) => pidOnScreen(screen, p)).length,
      waiters: workload.waiterPids.length,
      blockerShown: pidOnScreen(screen, workload.blockerPid),
      finalScreen: screen,
    };
  } finally {
    await term.kill();
  }
}
