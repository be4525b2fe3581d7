// pg_authid's password kinds (never the passwords) into src/model/roles.ts.
import { str, type RawRow } from '../row.js';
import type { PasswordKind, StoredPassword } from '../../../model/roles.js';

export function mapStoredPassword(row: RawRow): StoredPassword {
  return { role: str(row, 'name') ?? '', kind: (str(row, 'password_kind') ?? 'other') as PasswordKind };
}
