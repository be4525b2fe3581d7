// The backup directory as pgtop sees it: each file, what its name says, and
// whether it was verified (its `.verified` record, the Sidecar, still matches
// it). src/backup/listing.ts reads the directory into these.
import type { BackupKind, FileFormat } from './backup-names.js';

/** A backup's `.verified` record (JSON beside the file): what was checked, and for pgtop's own backups what they are. */
export interface Sidecar {
  pgtop: 1;
  /** The backup's file name (not path: the directory may move). */
  file: string;
  bytes: number;
  mtimeMs: number;
  sha256: string;
  verifiedAt: string;
  /** What the check read ("pg_restore read 42 entries (40 listed) and every data block"). */
  check: string;
  /** Set only for backups pgtop wrote: retention deletes nothing else. */
  madeBy?: 'pgtop';
  database?: string;
  kind?: BackupKind;
  table?: string;
  format?: FileFormat;
  gzip?: boolean;
  serverVersion?: string;
  /** Where pg_dump ran ("pod development/postgres-…", "local /usr/lib/postgresql/15/bin"). */
  dumpedBy?: string;
  durationMs?: number;
}

export type BackupState = 'verified' | 'unverified' | 'changed' | 'writing' | 'interrupted';

export interface BackupEntry {
  name: string;
  path: string;
  bytes: number;
  mtimeMs: number;
  /** When it was made: the time in its name, else its modification time (epoch ms). */
  at: number;
  database: string | null;
  kind: BackupKind | null;
  table?: string;
  format: FileFormat | null;
  gzip: boolean;
  state: BackupState;
  /** The verification record, when there is one that matches the file. */
  sidecar: Sidecar | null;
  /** Made by pgtop (its sidecar says so): the only files retention may delete. */
  madeByPgtop: boolean;
}

export interface BackupListing {
  dir: string;
  entries: BackupEntry[];
  /** Why the directory could not be read (it does not exist yet is not an error). */
  error: string | null;
  updatedAt: number;
}
