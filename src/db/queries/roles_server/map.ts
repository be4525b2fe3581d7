// The server's security settings into src/model/roles.ts.
import { bool, num, str, type RawRow } from '../row.js';
import type { SecuritySettings } from '../../../model/roles.js';

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
