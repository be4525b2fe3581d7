// The header: what server, where the connection goes and in what state,
// and the server's vital signs, refreshed with every poll.
import { Box } from 'ink';
import React from 'react';
import { compactNumber, duration, percent } from '../format/format.js';
import { roleText } from '../model/header.js';
import { poolerText } from '../model/pooler.js';
import type { ConnectionSlice, DataSlice, UiSlice } from '../store/store.js';
import { AnsiLines } from './AnsiLines.js';
import { styledLine } from './ansi.js';

export interface HeaderProps {
  connection: ConnectionSlice;
  data: Pick<DataSlice, 'header' | 'rates'>;
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

export function Header({ connection, data, ui, now, color, width }: HeaderProps): React.ReactElement {
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
  return (
    <Box flexDirection="column" width={width}>
      <AnsiLines lines={lines} width={width} />
    </Box>
  );
}
