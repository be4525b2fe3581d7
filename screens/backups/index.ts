// The backups screen: the files of the backup directory, and b r t d.
import { defineScreen } from '../definition.js';
import { backupsView } from './view.js';

export const backupsScreen = defineScreen({
  id: 'backups',
  title: 'Backups',
  // The backup directory's files (src/backup/files-source.ts): no server query besides the header's.
  sources: ['backupFiles'],
  view: backupsView,
  keys: {
    // No hints on these two: the hint bar must fit 80 columns with b r t d.
    filter: { text: 'filter backups (file name, database, kind, state); Esc clears', hint: null },
    details: { text: 'details: the file, what it holds, its verification and checksum', hint: null },
    backupNow: {},
    restoreBackup: {},
    verifyBackup: {},
    deleteBackup: {},
  },
});
