// The backups screen: every backup in the backup directory, newest first —
// when, which database, what kind, format, size, and whether it verified —
// plus backups being written (growing) and what interrupted ones left. The
// rows come from the directory (the backupFiles source), not from the server.
// Keys: b back up now, r restore into a new database, t verify, d delete.
import { restoreIntoNewDatabase } from '../../src/actions/backup-restore.js';
import { backupNow, deleteBackup, verifyBackup } from '../../src/actions/backups.js';
import { actionRequest } from '../../src/actions/action.js';
import type { BackupEntry, BackupState } from '../../src/model/backups.js';
import { formatLabel, kindLabel } from '../../src/model/backup-names.js';
import { bytes } from '../../src/format/size.js';
import type { ScreenView } from '../../src/render/screen-view.js';
import { memoizeLast, type Column } from '../../src/render/table.js';
import type { PgtopState } from '../../src/store/store.js';

const STATE_TEXT: Record<BackupState, string> = {
  verified: '✓ verified',
  unverified: '– not verified',
  changed: '✗ changed',
  writing: '… writing',
  interrupted: '✗ interrupted',
};

const STATE_DETAIL: Record<BackupState, string> = {
  verified: 'verified: it read back completely',
  unverified: 'not verified (t verifies it)',
  changed: 'CHANGED since it was verified: the file is not what was checked (t verifies it again)',
  writing: 'being written now: it becomes a backup only once it verifies',
  interrupted: 'left by an interrupted backup: incomplete, not a backup (d deletes it)',
};

export function backupTime(at: number): string {
  const d = new Date(at);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

function kindText(e: BackupEntry): string {
  return e.kind ? kindLabel(e.kind, e.table) : '?';
}

// Sized so that FORMAT (custom or plain) still shows at 80 columns; FILE (its
// name says what TIME, DATABASE and KIND say) gets what is left, and goes first.
export const backupColumns: readonly Column<BackupEntry>[] = [
  { id: 'time', title: 'TIME', width: 19, text: (e) => backupTime(e.at), sortValue: (e) => e.at },
  { id: 'database', title: 'DATABASE', width: 12, text: (e) => e.database ?? '?' },
  { id: 'kind', title: 'KIND', width: 15, text: kindText, tone: (e) => (e.kind ? 'normal' : 'dim') },
  { id: 'format', title: 'FORMAT', width: 7, priority: 1, text: (e) => (e.format ? formatLabel(e.format, e.gzip) : '?') },
  { id: 'size', title: 'SIZE', width: 8, align: 'right', text: (e) => bytes(e.bytes), sortValue: (e) => e.bytes },
  {
    id: 'state',
    title: 'VERIFIED',
    width: 14,
    text: (e) => STATE_TEXT[e.state],
    tone: (e) => (e.state === 'verified' ? 'good' : e.state === 'unverified' || e.state === 'writing' ? 'warn' : 'alert'),
  },
  { id: 'file', title: 'FILE', width: 'flex', minWidth: 12, priority: 2, text: (e) => e.name, tone: () => 'dim' },
];

const NO_ROWS: BackupEntry[] = [];

const filtered = memoizeLast((entries: readonly BackupEntry[], filter: string) => {
  if (!filter) return [...entries];
  const needle = filter.toLowerCase();
  return entries.filter((e) => [e.name, e.database ?? '', kindText(e), e.state].some((f) => f.toLowerCase().includes(needle)));
});

function backupDetail(e: BackupEntry): [string, string][] {
  const s = e.sidecar;
  return [
    ['file', e.path],
    ['made', backupTime(e.at)],
    ['database', e.database ?? '(not in the name)'],
    ['kind', kindText(e)],
    ['format', e.format === 'custom' ? "pg_dump's custom format (restore with pg_restore)" : e.format === 'plain' ? `plain SQL${e.gzip ? ', gzipped' : ''} (restore with psql)` : 'unknown'],
    ['size', `${bytes(e.bytes)} (${e.bytes} bytes)`],
    ['state', STATE_DETAIL[e.state]],
    ['verified', s ? `${s.verifiedAt}: ${s.check}` : e.state === 'changed' ? 'the file changed after it was verified: t verifies it again' : 'never: t verifies it'],
    ['sha256', s?.sha256 ?? ''],
    ['origin', s?.madeBy === 'pgtop' ? `pgtop${s.dumpedBy ? `, pg_dump ran in ${s.dumpedBy}` : ''}${s.serverVersion ? `, server ${s.serverVersion}` : ''}` : `not pgtop (or unknown): --keep-days never deletes it${e.format === 'plain' ? '; r restores it only after you type its name, with psql meta-commands refused' : ''}`],
  ];
}

/** The backup directory, as the dashboard was told it. */
function backupDir(state: PgtopState): string {
  return state.connection.backupDir ?? '~/postgres-backups';
}

function summary(state: PgtopState): string | null {
  const listing = state.data.results.backupFiles;
  if (!listing) return null;
  // A directory that cannot be read is a failure: the screen says it where the rows would be.
  if (listing.error) return null;
  const total = listing.rows.reduce((sum, e) => sum + e.bytes, 0);
  const unverified = listing.rows.filter((e) => e.state !== 'verified' && e.state !== 'writing').length;
  return `${backupDir(state)}: ${listing.rows.length} files, ${bytes(total)}${unverified ? ` · ${unverified} not verified` : ''} · b backs up now, Enter shows a backup`;
}

export const backupsView: ScreenView<BackupEntry> = {
  rows: (state) => filtered(state.data.results.backupFiles?.rows ?? NO_ROWS, state.ui.filter.backups ?? ''),
  rowKey: (e) => e.name,
  columns: backupColumns,
  detail: backupDetail,
  json: (e) => ({
    file: e.name,
    path: e.path,
    time: new Date(e.at).toISOString(),
    database: e.database,
    kind: e.kind,
    table: e.table ?? null,
    format: e.format,
    gzip: e.gzip,
    bytes: e.bytes,
    state: e.state,
    verifiedAt: e.sidecar?.verifiedAt ?? null,
    sha256: e.sidecar?.sha256 ?? null,
    madeByPgtop: e.madeByPgtop,
  }),
  notice: summary,
  emptyText: (state) => (state.data.results.backupFiles ? `no backups in ${backupDir(state)} yet: b backs up now` : 'reading the backup directory…'),
  actions: {
    backupNow: (_row, state) =>
      actionRequest(backupNow, {
        dir: backupDir(state),
        database: state.data.header?.database ?? '',
        where: state.connection.target,
        at: new Date(),
      }),
    restoreBackup: (row) => (row ? actionRequest(restoreIntoNewDatabase, row) : null),
    verifyBackup: (row) => (row ? actionRequest(verifyBackup, row) : null),
    deleteBackup: (row) => (row ? actionRequest(deleteBackup, row) : null),
  },
};
