// The benchmark's table: per scale and screen what each tool cost, the
// targets pgtop is held to next to its peers (issue 15: CPU ≤ pg_top's,
// server time ≤ pg_activity --no-db-size's and ≤ 1 ms, peak RSS ≤ 60 MB,
// first screen ≤ pg_activity's), and pgtop's synthetic figures
// (10 000-backend frame, an hour of refreshes).
import type { RunResult } from './measure.js';

export interface SyntheticResult {
  /** bytesPerFrame and cpuMsPerFrame: what a refresh writes to the terminal and costs the process (its GC threads included). */
  frame: { backends: number; frames: number; medianMs: number; p95Ms: number; maxMs: number; rssMb: number; bytesPerFrame: number; cpuMsPerFrame: number };
  hour: { ticks: number; seconds: number; heapMb: { tick: number; mb: number }[]; rssStartMb: number; rssEndMb: number };
}

export interface ReportInput {
  date: Date;
  machine: string;
  load: number;
  postgres: number;
  pgActivityVersion: string | null;
  pgTopVersion: string | null;
  tmuxVersion: string;
  nodeVersion: string;
  seconds: number;
  results: RunResult[];
  synthetic: SyntheticResult | null;
  floors: { node: number; python: number };
  /**
   * pgtop's first full screen (median ms of 5) with NODE_EXTRA_CA_CERTS
   * emptied, when the machine sets it: Node parses that CA bundle at start,
   * before any of pgtop's code runs. Null when it is not set.
   */
  firstScreenWithoutExtraCaMs: number | null;
}

const f = (n: number, digits = 1) => n.toFixed(digits);

function row(cells: string[]): string {
  return `| ${cells.join(' | ')} |`;
}

function target(name: string, ratio: number, limit: number, detail: string): string {
  const met = ratio <= limit;
  return row([name, detail, `${f(ratio, 2)}×`, `≤ ${limit}×`, met ? 'met' : `**missed by ${f((ratio / limit - 1) * 100, 0)} %**`]);
}

/** An absolute target: `value` (in `unit`) at most `limit`. */
function limitTarget(name: string, value: number, limit: number, unit: string, digits: number): string {
  const met = value <= limit;
  return row([name, `${f(value, digits)} ${unit}`, '–', `≤ ${limit} ${unit}`, met ? 'met' : `**missed by ${f((value / limit - 1) * 100, 0)} %**`]);
}

export function formatReport(input: ReportInput): string {
  const lines: string[] = [];
  const date = input.date.toISOString().slice(0, 16).replace('T', ' ');
  lines.push(
    `pgtop vs ${[input.pgActivityVersion, input.pgTopVersion].filter(Boolean).join(' and ') || 'nothing'} — ${date} UTC on ${input.machine} (load average ${f(input.load)} at the end),`,
    `PostgreSQL ${Math.floor(input.postgres / 10000)}.${input.postgres % 100}, Node ${input.nodeVersion}, ${input.tmuxVersion}, 200x50 pane, 1 s refresh, ${input.seconds} s measured per run.`,
    '',
    row(['scale', 'tool', 'screen', 'CPU s/min', 'peak RSS MB', 'queries/refresh', 'server exec ms/refresh', 'backend CPU ms/refresh', 'terminal bytes/refresh', 'k8s API requests/min', 'first screen s: median (min–max) of 5', 'blocked on screen']),
    row(Array(12).fill('---')),
  );
  for (const r of input.results) {
    lines.push(
      row([
        r.scale,
        r.tool,
        r.label,
        f(r.cpuSecondsPerMinute, 2),
        f(r.peakRssMb, 0),
        f(r.queriesPerRefresh, 1),
        f(r.serverExecMsPerRefresh, 2),
        r.backendCpuMsPerRefresh === null ? '–' : f(r.backendCpuMsPerRefresh, 1),
        f(r.terminalBytesPerRefresh, 0),
        r.kubeRequestsPerMinute === null ? '–' : f(r.kubeRequestsPerMinute, 0),
        r.firstScreenMs === null ? '–' : `${f(r.firstScreenMs / 1000, 2)} (${f(Math.min(...r.firstScreenMsAll) / 1000, 2)}–${f(Math.max(...r.firstScreenMsAll) / 1000, 2)})`,
        `${r.waitersShown}/${r.waiters}${r.blockerShown ? ' + blocker' : ''}`,
      ]),
    );
  }
  lines.push(
    '',
    `Runtime floors (peak RSS of an idle process): node ${f(input.floors.node, 0)} MB, python3 ${f(input.floors.python, 0)} MB.`,
    'queries/refresh: statements as pg_stat_statements counts them (pgtop sends its refresh as one multi-statement round trip: each statement is one here).',
    "pg_top: a refresh is one per second (no query marks it); it connects anew at each refresh, so its backends' CPU is not measured (–).",
    'k8s API requests/min: – for a direct connection (every run here); pgtop talks to the Kubernetes API only with -k.',
  );

  const find = (tool: string, screen: string) => input.results.find((r) => r.scale === 'large' && r.tool === tool && r.screen === screen);
  const ours = find('pgtop', 'activity');
  const oursLocks = find('pgtop', 'locks');
  const theirs = find('pg_activity', 'activity');
  const noDbSize = find('pg_activity --no-db-size', 'activity');
  const pgTop = find('pg_top', 'activity');
  if (ours) {
    lines.push(
      '',
      'Targets (large scale; pgtop on its activity screen unless said):',
      '',
      row(['target', 'pgtop vs peer', 'ratio', 'target', '']),
      row(Array(5).fill('---')),
    );
    if (pgTop) {
      lines.push(target('CPU vs pg_top', ours.cpuSecondsPerMinute / pgTop.cpuSecondsPerMinute, 1, `${f(ours.cpuSecondsPerMinute, 2)} vs ${f(pgTop.cpuSecondsPerMinute, 2)} s/min`));
      if (oursLocks) lines.push(target('CPU vs pg_top, locks screen', oursLocks.cpuSecondsPerMinute / pgTop.cpuSecondsPerMinute, 1, `${f(oursLocks.cpuSecondsPerMinute, 2)} vs ${f(pgTop.cpuSecondsPerMinute, 2)} s/min`));
    }
    if (noDbSize) lines.push(target('server exec per refresh vs pg_activity --no-db-size', ours.serverExecMsPerRefresh / noDbSize.serverExecMsPerRefresh, 1, `${f(ours.serverExecMsPerRefresh, 2)} vs ${f(noDbSize.serverExecMsPerRefresh, 2)} ms`));
    lines.push(limitTarget('server exec per refresh', ours.serverExecMsPerRefresh, 1, 'ms', 2));
    if (oursLocks) lines.push(limitTarget('server exec per refresh, locks screen', oursLocks.serverExecMsPerRefresh, 1, 'ms', 2));
    lines.push(limitTarget('peak RSS', ours.peakRssMb, 60, 'MB', 0));
    if (oursLocks) lines.push(limitTarget('peak RSS, locks screen', oursLocks.peakRssMb, 60, 'MB', 0));
  }
  if (ours && theirs) {
    lines.push(
      target('first full screen vs pg_activity', (ours.firstScreenMs ?? 0) / (theirs.firstScreenMs ?? 1), 1, `${f((ours.firstScreenMs ?? 0) / 1000, 2)} vs ${f((theirs.firstScreenMs ?? 0) / 1000, 2)} s`),
    );
    if (input.firstScreenWithoutExtraCaMs !== null) {
      const without = input.firstScreenWithoutExtraCaMs;
      lines.push(
        target(
          'first full screen, NODE_EXTRA_CA_CERTS unset',
          without / (theirs.firstScreenMs ?? 1),
          1,
          `${f(without / 1000, 2)} vs ${f((theirs.firstScreenMs ?? 0) / 1000, 2)} s (this machine sets NODE_EXTRA_CA_CERTS; Node parses that bundle at start, before pgtop's code: most machines do not)`,
        ),
      );
    }
  }
  const s = input.synthetic;
  if (s) {
    const heap = s.hour.heapMb;
    // Flat: from refresh 600 (caches filled, the health screen's history full) to the last, under
    // 1 MB (0.3 kB a refresh; the leak this replaced was ~30 kB a refresh). V8 keeps compiling
    // hot functions meanwhile: a few hundred kB of code, not data (see the README).
    const first = heap.find((h) => h.tick >= 600) ?? heap[0]!;
    const last = heap[heap.length - 1]!;
    lines.push(
      row(['10 000-backend frame', `median ${f(s.frame.medianMs)} ms, p95 ${f(s.frame.p95Ms)} ms, max ${f(s.frame.maxMs)} ms over ${s.frame.frames} refreshes; ${f(s.frame.cpuMsPerFrame)} ms CPU and ${f(s.frame.bytesPerFrame, 0)} terminal bytes per refresh; RSS ${f(s.frame.rssMb, 0)} MB`, '–', '≤ 16 ms', s.frame.p95Ms <= 16 ? 'met' : s.frame.medianMs <= 16 ? 'median met, **p95 missed**' : '**missed**']),
      row([
        'memory over an hour',
        `${s.hour.ticks} refreshes in ${f(s.hour.seconds, 0)} s: heap after GC ${heap.map((h) => `${f(h.mb)}`).join(' → ')} MB (at refresh ${heap.map((h) => h.tick).join(', ')}); RSS ${f(s.hour.rssStartMb, 0)} → ${f(s.hour.rssEndMb, 0)} MB`,
        '–',
        'flat',
        last.mb - first.mb < 1 ? `met (${f(last.mb - first.mb, 2)} MB from refresh ${first.tick} to ${last.tick})` : `**grew ${f(last.mb - first.mb, 2)} MB from refresh ${first.tick} to ${last.tick}**`,
      ]),
    );
  }
  return lines.join('\n');
}
