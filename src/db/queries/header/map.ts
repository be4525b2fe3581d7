// The header query's one row into a HeaderSample (src/model/header.ts).
import { bool, num, str, type RawRow } from '../row.js';
import type { HeaderSample } from '../../../model/header.js';

export function mapHeader(row: RawRow): HeaderSample {
  return {
    database: str(row, 'database') ?? '',
    user: str(row, 'user_name') ?? '',
    uptimeSeconds: num(row, 'uptime_seconds') ?? 0,
    connections: num(row, 'connections') ?? 0,
    maxConnections: num(row, 'max_connections') ?? 0,
    xacts: num(row, 'xacts') ?? 0,
    blocksHit: num(row, 'blks_hit') ?? 0,
    blocksRead: num(row, 'blks_read') ?? 0,
    sampledAt: num(row, 'sampled_at') ?? Date.now() / 1000,
    inRecovery: bool(row, 'in_recovery') ?? false,
  };
}
