import { bool, num, str, type RawRow } from '../row.js';

/** The server's security settings and what the connected role may read, for the audit. */
export interface SecuritySettings {
  user: string;
  database: string;
  superuser: boolean;
  ssl: boolean;
  passwordEncryption: string;
  /** null when this role may not see it. */
  hbaFile: string | null;
  canReadAuthid: boolean;
  canReadHba: boolean;
  serverVersionNum: number;
  /** The server's clock, epoch seconds. */
  now: number;
}

export function mapSecuritySettings(row: RawRow): SecuritySettings {
  return {
    user: str(row, 'user_name') ?? '',
    database: str(row, 'database') ?? '',
    superuser: bool(row, 'superuser') ?? false,
    ssl: str(row, 'ssl') === 'on',
    passwordEncryption: str(row, 'password_encryption') ?? '',
    hbaFile: str(row, 'hba_file'),
    canReadAuthid: bool(row, 'can_read_authid') ?? false,
    canReadHba: bool(row, 'can_read_hba') ?? false,
    serverVersionNum: num(row, 'server_version_num') ?? 0,
    now: num(row, 'now') ?? Date.now() / 1000,
  };
}
