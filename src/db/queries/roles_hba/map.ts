import { num, str, type RawRow } from '../row.js';

/** One rule of pg_hba.conf, as the server parsed it. */
export interface HbaRule {
  line: number | null;
  /** The file the rule is in (16+; null before, when it is always hba_file). */
  file: string | null;
  /** local, host, hostssl, hostnossl, hostgssenc… */
  type: string;
  databases: string[];
  users: string[];
  address: string | null;
  netmask: string | null;
  method: string | null;
  /** Why the server could not use this line, if it could not. */
  error: string | null;
}

function textArray(row: RawRow, column: string): string[] {
  const value = row[column];
  return Array.isArray(value) ? value.map(String) : [];
}

export function mapHbaRule(row: RawRow): HbaRule {
  return {
    line: num(row, 'line_number'),
    file: str(row, 'file_name'),
    type: str(row, 'type') ?? '',
    databases: textArray(row, 'database'),
    users: textArray(row, 'user_name'),
    address: str(row, 'address'),
    netmask: str(row, 'netmask'),
    method: str(row, 'auth_method'),
    error: str(row, 'error'),
  };
}
