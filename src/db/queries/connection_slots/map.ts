// The one row of connection slots, into src/model/health.ts.
import { num, type RawRow } from '../row.js';
import type { ConnectionSlots, SlotHolder } from '../../../model/health.js';

function holders(row: RawRow, column: string): SlotHolder[] {
  const value = row[column];
  if (!Array.isArray(value)) return [];
  return value
    .filter((pair): pair is [unknown, unknown] => Array.isArray(pair) && pair.length === 2)
    .map(([name, count]) => ({ name: String(name), count: Number(count) }));
}

export function mapConnectionSlots(row: RawRow): ConnectionSlots {
  return {
    clientBackends: num(row, 'client_backends') ?? 0,
    maxConnections: num(row, 'max_connections') ?? 0,
    superuserReserved: num(row, 'superuser_reserved') ?? 0,
    reserved: num(row, 'reserved') ?? 0,
    topUsers: holders(row, 'top_users'),
    topApplications: holders(row, 'top_applications'),
  };
}
