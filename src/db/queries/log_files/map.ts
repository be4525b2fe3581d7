import type { LogFiles, LogSlice } from '../../../model/server-log.js';
import { bool, num, str, type RawRow } from '../row.js';

export function mapLogFiles(row: RawRow): LogFiles {
  return {
    collector: bool(row, 'collector') === true,
    destination: str(row, 'destination') ?? '',
    directory: str(row, 'directory') ?? '',
    readable: bool(row, 'readable') === true,
    name: str(row, 'name'),
    size: num(row, 'size'),
    modified: row.modification instanceof Date ? row.modification.toISOString() : str(row, 'modification'),
  };
}

export function mapLogSlice(row: RawRow): LogSlice {
  const bytes = row.bytes;
  return { bytes: bytes instanceof Uint8Array ? bytes : null };
}
