// Backup file names, as the product promises them (docs/backups.md):
//   {database}_{kind}_{YYYYMMDD_HHMMSS}.{sql|dump}[.gz]
// kind: full | schema | data | table-{name} | globals; `.dump` is pg_dump's
// custom format, `.sql` plain SQL (`.sql.gz` gzipped by pgtop). The time is
// local, as the seed's `date +%Y%m%d_%H%M%S`. While a backup is written it
// has a temporary name that no one can take for a backup: `.{name}.partial`.
// Verification results live next to the file in `{name}.verified` (JSON).

export type BackupKind = 'full' | 'schema' | 'data' | 'table' | 'globals';
/** What the user picks (pgtop backup --format): custom = pg_dump -Fc; plain = SQL, gzipped. */
export type BackupChoice = 'custom' | 'plain' | 'schema' | 'data' | 'table' | 'globals';
export type FileFormat = 'custom' | 'plain';

export interface BackupPlan {
  database: string;
  kind: BackupKind;
  /** For kind 'table': the table as given to pg_dump -t (schema.name or name). */
  table?: string;
  format: FileFormat;
  gzip: boolean;
  /**
   * globals only: leave the role passwords out (pg_dumpall --no-role-passwords).
   * They are in pg_authid, which only a superuser may read; without this a
   * managed server's admin (not a superuser) gets no roles backup at all.
   */
  withoutRolePasswords?: boolean;
}

export interface ParsedName {
  database: string;
  kind: BackupKind;
  /** The table part of `table-{name}` as it appears in the name (sanitised). */
  table?: string;
  format: FileFormat;
  gzip: boolean;
  /** The time in the name (local), epoch ms. */
  at: number;
}

export const PARTIAL_SUFFIX = '.partial';
export const VERIFIED_SUFFIX = '.verified';

/** What each choice dumps: custom and table are custom-format archives; plain, schema and data are gzipped SQL; globals is pg_dumpall's SQL. */
export function planFor(choice: BackupChoice, database: string, table?: string): BackupPlan {
  switch (choice) {
    case 'custom':
      return { database, kind: 'full', format: 'custom', gzip: false };
    case 'plain':
      return { database, kind: 'full', format: 'plain', gzip: true };
    case 'schema':
      return { database, kind: 'schema', format: 'plain', gzip: true };
    case 'data':
      return { database, kind: 'data', format: 'plain', gzip: true };
    case 'table':
      if (!table) throw new Error('a table backup needs the table');
      return { database, kind: 'table', table, format: 'custom', gzip: false };
    case 'globals':
      // Roles and tablespaces: small, read by people and psql; not gzipped.
      return { database, kind: 'globals', format: 'plain', gzip: false };
  }
}

/** A name part safe in any file system and shell: letters, digits, `_ . -`; the rest becomes `_`. */
export function safePart(text: string): string {
  const safe = text.replace(/[^A-Za-z0-9_.-]/g, '_').replace(/^\.+/, '_');
  return safe || '_';
}

export function stamp(at: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${at.getFullYear()}${p(at.getMonth() + 1)}${p(at.getDate())}_${p(at.getHours())}${p(at.getMinutes())}${p(at.getSeconds())}`;
}

export function kindPart(plan: Pick<BackupPlan, 'kind' | 'table'>): string {
  return plan.kind === 'table' ? `table-${safePart(plan.table ?? '')}` : plan.kind;
}

export function extensionOf(plan: Pick<BackupPlan, 'format' | 'gzip'>): string {
  return plan.format === 'custom' ? '.dump' : plan.gzip ? '.sql.gz' : '.sql';
}

export function backupFileName(plan: BackupPlan, at: Date): string {
  return `${safePart(plan.database)}_${kindPart(plan)}_${stamp(at)}${extensionOf(plan)}`;
}

export function partialName(name: string): string {
  return `.${name}${PARTIAL_SUFFIX}`;
}

const NAME = /^(.+)_(full|schema|data|globals|table-(.+))_(\d{4})(\d{2})(\d{2})_(\d{2})(\d{2})(\d{2})\.(dump|sql|sql\.gz)$/;

/** Reads a backup's name; null when it is not named as pgtop names backups. */
export function parseBackupName(name: string): ParsedName | null {
  const m = NAME.exec(name);
  if (!m) return null;
  const [, database, kindText, table, y, mo, d, h, mi, s, ext] = m;
  const kind: BackupKind = kindText!.startsWith('table-') ? 'table' : (kindText as BackupKind);
  const at = new Date(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s)).getTime();
  if (!Number.isFinite(at)) return null;
  return {
    database: database!,
    kind,
    ...(kind === 'table' ? { table } : {}),
    format: ext === 'dump' ? 'custom' : 'plain',
    gzip: ext === 'sql.gz',
    at,
  };
}

/** The backup a temporary name belongs to (`.x.dump.partial` → `x.dump`), or null. */
export function partialTarget(name: string): string | null {
  return name.startsWith('.') && name.endsWith(PARTIAL_SUFFIX) ? name.slice(1, -PARTIAL_SUFFIX.length) : null;
}

/** How a kind reads on screen and in messages. */
export function kindLabel(kind: BackupKind, table?: string): string {
  switch (kind) {
    case 'full':
      return 'full';
    case 'schema':
      return 'schema only';
    case 'data':
      return 'data only';
    case 'table':
      return `table ${table ?? ''}`.trim();
    case 'globals':
      return 'roles (globals)';
  }
}

export function formatLabel(format: FileFormat, gzip: boolean): string {
  return format === 'custom' ? 'custom' : gzip ? 'sql.gz' : 'sql';
}

export const CHOICES: readonly { value: BackupChoice; label: string }[] = [
  { value: 'custom', label: 'full, custom format (pg_dump -Fc): compressed, restores selectively' },
  { value: 'plain', label: 'full, plain SQL (gzipped): readable, restores with psql' },
  { value: 'schema', label: 'schema only (pg_dump --schema-only), plain SQL gzipped' },
  { value: 'data', label: 'data only (pg_dump --data-only), plain SQL gzipped' },
  { value: 'table', label: 'one table (pg_dump -t), custom format' },
  { value: 'globals', label: 'roles and tablespaces (pg_dumpall --globals-only)' },
];

export function isBackupChoice(value: string): value is BackupChoice {
  return CHOICES.some((c) => c.value === value);
}
