// pg_hba_file_rules rows into HbaRules (src/model/roles.ts).
import { num, str, type RawRow } from '../row.js';
import type { HbaRule } from '../../../model/roles.js';

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
