// The benchmark's table: per scale and screen what each tool cost, the
// ratios pgtop/pg_activity that the issue's targets are about, and pgtop's
// synthetic figures (10 000-backend frame, an hour of refreshes).
import type { RunResult } from './measure.js';

export interface SyntheticResult {
  frame: { backends: number; frames: number; medianMs: number; p95Ms: number; maxMs: number; rssMb: number };
  hour: { ticks: number; seconds: number; heapMb: { tick: number; mb: number }[]; rssStartMb: number; rssEndMb: number };
}

export interface ReportInput {
  date: Date;
  machine: string;
  load: number;
  postgres: number;
  pgActivityVersion: string;
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

export function formatReport(input: ReportInput): string {
  const lines: string[] = [];
  const date = input.date.toISOString().slice(0, 16).replace('T', ' ');
  lines.push(
    `pgtop vs ${input.pgActivityVersion} — ${date} UTC on ${input.machine} (load average ${f(input.load)} at the end),`,
    `PostgreSQL ${Math.floor(input.postgres / 10000)}.${input.postgres % 100}, Node ${input.nodeVersion}, ${input.tmuxVersion}, 200x50 pane, 1 s refresh, ${input.seconds} s measured per run.`,
    '',
    row(['scale', 'tool', 'screen', 'CPU s/min', 'peak RSS MB', 'queries/refresh', 'server exec ms/refresh', 'backend CPU ms/refresh', 'first screen s: median (min–max) of 5', 'blocked on screen']),
    row(Array(10).fill('---')),
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
        f(r.backendCpuMsPerRefresh, 1),
        r.firstScreenMs === null ? '–' : `${f(r.firstScreenMs / 1000, 2)} (${f(Math.min(...r.firstScreenMsAll) / 1000, 2)}–${f(Math.max(...r.firstScreenMsAll) / 1000, 2)})`,
        `${r.waitersShown}/${r.waiters}${r.blockerShown ? ' + blocker' : ''}`,
      ]),
    );
  }
  lines.push('', `Runtime floors (peak RSS of an idle process): node ${f(input.floors.node, 0)} MB, python3 ${f(input.floors.python, 0)} MB.`);

  const find = (tool: string, screen: string) => input.results.find((r) => r.scale === 'large' && r.tool === tool && r.screen === screen);
  const ours = find('pgtop', 'activity');
  const theirs = find('pg_activity', 'activity');
  if (ours && theirs) {
    lines.push(
      '',
      'Targets (large scale, activity screen, ratio pgtop / pg_activity):',
      '',
      row(['target', 'pgtop vs pg_activity', 'ratio', 'target', '']),
      row(Array(5).fill('---')),
      target('CPU', ours.cpuSecondsPerMinute / theirs.cpuSecondsPerMinute, 0.5, `${f(ours.cpuSecondsPerMinute, 2)} vs ${f(theirs.cpuSecondsPerMinute, 2)} s/min`),
      target('server time per refresh', ours.serverExecMsPerRefresh / theirs.serverExecMsPerRefresh, 0.5, `${f(ours.serverExecMsPerRefresh, 2)} vs ${f(theirs.serverExecMsPerRefresh, 2)} ms`),
      row(['queries per refresh', `${f(ours.queriesPerRefresh, 1)} vs ${f(theirs.queriesPerRefresh, 1)}`, '–', '≤ 2', ours.queriesPerRefresh <= 2.05 ? 'met' : '**missed**']),
      target('peak RSS', ours.peakRssMb / theirs.peakRssMb, 1.5, `${f(ours.peakRssMb, 0)} vs ${f(theirs.peakRssMb, 0)} MB (floors ${f(input.floors.node, 0)} vs ${f(input.floors.python, 0)})`),
      target('first full screen', (ours.firstScreenMs ?? 0) / (theirs.firstScreenMs ?? 1), 1, `${f((ours.firstScreenMs ?? 0) / 1000, 2)} vs ${f((theirs.firstScreenMs ?? 0) / 1000, 2)} s`),
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
      row(['10 000-backend frame', `median ${f(s.frame.medianMs)} ms, p95 ${f(s.frame.p95Ms)} ms, max ${f(s.frame.maxMs)} ms over ${s.frame.frames} refreshes; RSS ${f(s.frame.rssMb, 0)} MB`, '–', '≤ 16 ms', s.frame.p95Ms <= 16 ? 'met' : s.frame.medianMs <= 16 ? 'median met, **p95 missed**' : '**missed**']),
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
