import { str, type RawRow } from '../row.js';

export type PasswordKind = 'none' | 'md5' | 'scram-sha-256' | 'other';

/** How a login role's password is stored; the hash itself is never read. */
export interface StoredPassword {
  role: string;
  kind: PasswordKind;
}

export function mapStoredPassword(row: RawRow): StoredPassword {
  return { role: str(row, 'name') ?? '', kind: (str(row, 'password_kind') ?? 'other') as PasswordKind };
}
