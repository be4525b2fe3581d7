// The header: what server, where the connection goes and in what state,
// and the server's vital signs, refreshed with every poll.
import { Box, Text } from 'ink';
import React from 'react';
import { compactNumber, duration, percent } from '../format/format.js';
import type { ConnectionSlice, DataSlice, UiSlice } from '../store/store.js';

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
  return (
    <Box flexDirection="column" width={width}>
      <Text wrap="truncate">
        <Text bold color={color ? 'cyan' : undefined}>
          pgtop
        </Text>
        {`  PostgreSQL ${connection.serverVersion ?? '?'}${h?.inRecovery ? ' (replica)' : ''}  db ${h?.database ?? '?'}  user ${h?.user ?? '?'}`}
      </Text>
      <Text wrap="truncate">
        <Text>{connection.target} </Text>
        <Text color={stateColor}>{connectionStateText(connection, now)}</Text>
      </Text>
      <Text wrap="truncate">
        {`up ${h ? duration(h.uptimeSeconds) : '?'}  conn `}
        <Text color={color && used > 0.8 ? 'red' : undefined}>{h ? `${h.connections}/${h.maxConnections}` : '?'}</Text>
        {`  TPS ${compactNumber(data.rates.tps)}  cache hit ${percent(data.rates.cacheHitRatio)}  every ${ui.intervalMs / 1000}s`}
        {ui.paused ? <Text color={color ? 'yellow' : undefined}>{'  PAUSED'}</Text> : null}
        {ui.readOnly ? <Text color={color ? 'magenta' : undefined}>{'  read-only'}</Text> : null}
      </Text>
    </Box>
  );
}
