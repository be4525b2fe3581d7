// The header: what server, where the connection goes and in what state,
// and the server's vital signs, refreshed with every poll. With -k (or when
// the sampler reads this host) a fourth line: the pod's restarts and last
// termination, memory and CPU against the limits, the data volume's use — in
// a warning colour past the thresholds of src/model/pod.ts; the parts that do
// not fit the width are left out, never wrapped.
import { Box } from 'ink';
import React from 'react';
import { compactNumber, displayWidth, duration, percent } from '../format/format.js';
import { terminalText } from '../render/terminal-text.js';
import { roleText } from '../model/header.js';
import type { ContainerUsage, DataDirectoryUsage } from '../model/host.js';
import { memoryWarn, restartSummary, shownUsage, throttled, volumeUse, type PodMetrics, type PodState } from '../model/pod.js';
import { bytes } from '../format/size.js';
import { poolerText } from '../model/pooler.js';
import type { ConnectionSlice, DataSlice, UiSlice } from '../store/store.js';
import { AnsiLines } from './AnsiLines.js';
import { styledLine } from './ansi.js';

/** What the pod line shows, from the store's results (absent: none of them has landed). */
export interface HostFigures {
  pod?: PodState | null;
  metrics?: PodMetrics | null;
  cgroup?: ContainerUsage | null;
  dataDirectory?: DataDirectoryUsage | null;
}

export interface HeaderProps {
  connection: ConnectionSlice;
  data: Pick<DataSlice, 'header' | 'rates'>;
  /** The pod's and the machine's figures (-k, or the sampler on this host); the fourth line shows them. */
  host?: HostFigures;
  ui: Pick<UiSlice, 'intervalMs' | 'paused' | 'readOnly'>;
  now: number;
  color: boolean;
  width: number;
}

export function connectionStateText(connection: ConnectionSlice, now: number): string {
  switch (connection.state) {
    case 'connected':
      return 'connected';
    case 'connecting':
      return 'connecting…';
    case 'failed':
      return `failed: ${connection.lastError ?? ''}`;
    case 'reconnecting': {
      const seconds = connection.retryAt ? Math.max(0, Math.ceil((connection.retryAt - now) / 1000)) : 0;
      return `reconnecting in ${seconds}s${connection.lastError ? ` (${connection.lastError})` : ''}`;
    }
  }
}

/** Lines the header takes: three, and the pod line when there is something for it. */
export function headerRows(host: HostFigures | undefined): number {
  return hasHostLine(host) ? 4 : 3;
}

function hasHostLine(host: HostFigures | undefined): host is HostFigures {
  return !!(host && (host.pod || host.metrics || host.cgroup || host.dataDirectory));
}

export interface HostPart {
  text: string;
  warn: boolean;
}

/**
 * The pod line's parts, most important first: the pod's restarts and last
 * termination, memory used / limit, the data volume's use, CPU used / limit
 * (throttled when the cgroup says so).
 */
export function hostParts(host: HostFigures, now: number): HostPart[] {
  const parts: HostPart[] = [];
  const { pod } = host;
  if (pod) {
    const restarts = restartSummary(pod, now);
    const state = pod.deleted ? 'pod deleted, ' : !pod.ready ? `${pod.phase} not Ready, ` : '';
    parts.push({ text: `${state}${restarts.text}`, warn: restarts.warn || state !== '' });
  }
  const usage = shownUsage({ pod, metrics: host.metrics, cgroup: host.cgroup }, now);
  if (usage.memoryBytes !== null) {
    // No limit is said only by who knows it: the pod spec, or the cgroup (memory.max "max"); without either, nothing.
    const limit = usage.memoryLimitBytes !== null ? `/${bytes(usage.memoryLimitBytes)}` : pod || host.cgroup ? ' (no limit)' : '';
    parts.push({ text: `mem ${bytes(usage.memoryBytes)}${limit}`, warn: memoryWarn(usage) });
  }
  const volume = volumeUse(host.dataDirectory);
  if (volume) parts.push({ text: `data ${Math.round(volume.ratio * 100)}% used`, warn: volume.warn });
  if (usage.cpuCores !== null) {
    const limit = usage.cpuLimitCores !== null ? `/${cores(usage.cpuLimitCores)}` : '';
    const choked = throttled(usage);
    parts.push({ text: `cpu ${cores(usage.cpuCores)}${limit}${choked ? ` throttled ${Math.round((usage.throttledRatio ?? 0) * 100)}%` : ''}`, warn: choked });
  }
  return parts;
}

function cores(value: number): string {
  return value >= 10 ? value.toFixed(0) : value >= 1 ? value.toFixed(1).replace(/\.0$/, '') : value.toFixed(2);
}

/** The parts that fit the width, two spaces apart, in their order; a part that does not fit is left out (a shorter later one may still fit). */
export function fitParts(parts: readonly HostPart[], width: number): HostPart[] {
  const kept: HostPart[] = [];
  let used = 0;
  for (const part of parts) {
    const need = displayWidth(terminalText(part.text)) + (kept.length ? 2 : 0);
    if (used + need > width) continue;
    kept.push(part);
    used += need;
  }
  return kept;
}

export function Header({ connection, data, host, ui, now, color, width }: HeaderProps): React.ReactElement {
  const h = data.header;
  const stateColor = !color ? undefined : connection.state === 'connected' ? 'green' : connection.state === 'failed' ? 'red' : 'yellow';
  const used = h ? h.connections / Math.max(1, h.maxConnections) : 0;
  const tint = (name: string) => (color ? { color: name } : undefined);
  // Drawn as styled lines (see AnsiLines): uptime and rates change every refresh.
  const lines = [
    styledLine(
      [
        ['pgtop', { bold: true, ...tint('cyan') }],
        [`  PostgreSQL ${connection.serverVersion ?? '?'}${roleText(h)}  db ${h?.database ?? '?'}  user ${h?.user ?? '?'}`],
      ],
      width,
    ),
    styledLine(
      [
        [`${connection.target} `],
        [connectionStateText(connection, now), stateColor ? { color: stateColor } : undefined],
        [connection.pooler ? `  ${poolerText(connection.pooler)}` : '', tint('yellow')],
      ],
      width,
    ),
    styledLine(
      [
        [`up ${h ? duration(h.uptimeSeconds) : '?'}  conn `],
        [h ? `${h.connections}/${h.maxConnections}` : '?', color && used > 0.8 ? { color: 'red' } : undefined],
        [`  TPS ${compactNumber(data.rates.tps)}  cache hit ${percent(data.rates.cacheHitRatio)}  every ${ui.intervalMs / 1000}s`],
        [ui.paused ? '  PAUSED' : '', tint('yellow')],
        [ui.readOnly ? '  read-only' : '', tint('magenta')],
      ],
      width,
    ),
  ];
  if (hasHostLine(host)) {
    const parts = fitParts(hostParts(host, now), width);
    lines.push(styledLine(parts.flatMap((part, i) => [[i ? '  ' : ''], [part.text, color && part.warn ? { color: 'yellow', bold: true } : part.warn ? { bold: true } : undefined]] as const), width));
  }
  return (
    <Box flexDirection="column" width={width}>
      <AnsiLines lines={lines} width={width} />
    </Box>
  );
}
