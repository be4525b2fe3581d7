// The backup directory as a source: its files land in the store like a
// query's rows (store.data.results.backupFiles), so a screen shows them with
// loading and failed as for any other. Cheap enough for every refresh: a
// readdir and a stat per file, no server query. Listed at once when a screen
// that needs it opens, and after a backup, verify or delete (the scheduler's
// refreshNow); a backup being written shows there, growing.
import { PgtopError, oneLine } from '../errors.js';
import type { BackupEntry } from '../model/backups.js';
import { landFailedRows, landRows, type LocalSource } from '../scheduler/source.js';
import { listBackups } from './listing.js';

export const BACKUP_FILES = 'backupFiles';

export function backupFilesSource(dir: string): LocalSource<BackupEntry[]> {
  return {
    id: BACKUP_FILES,
    title: 'backup directory',
    needs: 'nothing',
    run: async () => {
      const listing = await listBackups(dir);
      // A directory that does not exist yet is no error: there are no backups.
      if (listing.error) throw new PgtopError(listing.error);
      return listing.entries;
    },
    // The listing's own words name the directory and why ("cannot read …: EACCES …").
    failure: (error) => ({ kind: 'failed', message: oneLine(error) }),
    land: (data, entries, { at }) => landRows(data, BACKUP_FILES, entries, at),
    landFailure: (data, failure) => landFailedRows(data, BACKUP_FILES, failure),
  };
}
