// Rows of the horizon query into holders (src/model/horizon.ts).
import { bool, num, str, type RawRow } from '../row.js';
import type { HorizonHolder, HorizonHolderKind } from '../../../model/horizon.js';

const KINDS: readonly HorizonHolderKind[] = ['backend', 'prepared', 'slot', 'catalog slot', 'standby'];

export function mapHorizonHolder(row: RawRow): HorizonHolder {
  const kind = str(row, 'kind');
  return {
    kind: KINDS.find((k) => k === kind) ?? 'backend',
    pid: num(row, 'pid'),
    user: str(row, 'user_name'),
    database: str(row, 'database'),
    application: str(row, 'application_name'),
    client: str(row, 'client_addr'),
    state: str(row, 'state'),
    name: str(row, 'name'),
    xmin: str(row, 'xmin'),
    xidAge: num(row, 'xid_age') ?? 0,
    seconds: num(row, 'seconds'),
    holdsHere: bool(row, 'holds_here') ?? false,
  };
}
