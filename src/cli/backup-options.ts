// `pgtop backup [OPTIONS] [--format F] [--table T] [--keep-days N]` and
// `pgtop backup [OPTIONS] --print-cronjob`: one backup without the UI (for
// cron), or the same backup as a Kubernetes CronJob manifest. It connects
// as the dashboard does (connection options, -k, --backup-dir).
import { Command, Option } from 'commander';
import { refusedOption } from './command-help.js';
import { UsageError } from '../errors.js';
import { parseSecretRef } from '../k8s/target-ref.js';
import { addTargetOptions, targetOptions, type TargetFlags, type TargetOptions } from './target-options.js';

export const BACKUP_FORMATS = ['custom', 'plain', 'schema', 'data', 'globals'] as const;
export type BackupFormatOption = (typeof BACKUP_FORMATS)[number];

export interface BackupOptions extends TargetOptions {
  kind: 'backup';
  backup: BackupSettings;
}

/** What to back up and, with --print-cronjob, how the CronJob runs it. */
export interface BackupSettings {
  format: BackupFormatOption;
  table?: string;
  keepDays?: number;
  printCronjob: boolean;
  /** CronJob knobs (with --print-cronjob). */
  schedule: string;
  pvc: string;
  pvcSize: string;
  storageClass?: string;
  image?: string;
  dbHost?: string;
  namespace?: string;
  passwordSecret?: { name: string; key: string };
}

export function backupCommand(parsed: (options: BackupOptions) => void): Command {
  const command = new Command('backup')
    .summary('one verified backup without the UI, for cron; or its Kubernetes CronJob (pgtop backup --help)')
    .description(
      'One backup without the UI, for cron: pg_dump (in the pod with -k) into --backup-dir, written under a temporary name ' +
        'and kept only once it verifies. Exit 0 only when the backup is complete and verified.',
    )
    .usage('[OPTIONS] [--format F] [--table T] [--keep-days N] | --print-cronjob')
    .helpOption('--help', 'show this help and exit');
  return addTargetOptions(command)
    .addOption(new Option('--format <format>', 'custom (pg_dump -Fc), plain (SQL, gzipped), schema, data, or globals (roles: pg_dumpall --globals-only)').choices([...BACKUP_FORMATS]).default('custom'))
    .option('--table <table>', 'back up this table only (pg_dump -t; with --format custom or plain)')
    .option('--keep-days <n>', "after a good backup, delete pgtop's own verified backups older than N days (never the newest of each series)")
    .option('--print-cronjob', 'print a Kubernetes CronJob (and its PersistentVolumeClaim) that runs the same backup inside the cluster')
    .option('--schedule <cron>', 'with --print-cronjob: when it runs', '0 3 * * *')
    .option('--pvc <name>', 'with --print-cronjob: the PersistentVolumeClaim the backups go to', 'postgres-backups')
    .option('--pvc-size <size>', 'with --print-cronjob: its size', '10Gi')
    .option('--storage-class <name>', 'with --print-cronjob: its storage class (default: the cluster\'s)')
    .option('--image <image>', 'with --print-cronjob: the image with pg_dump (default: the pod\'s image with -k, else postgres:<server major>)')
    .option('--db-host <host>', 'with --print-cronjob: the database\'s address inside the cluster (default: the Service of the -k target)')
    .addHelpText(
      'after',
      `
Connection as psql (-h/-p/-U/-d, URI, PG* variables, ~/.pgpass) or -k as kubectl.
Files: {database}_{kind}_{YYYYMMDD_HHMMSS}.{dump|sql|sql.gz} in --backup-dir, each with a .verified record.
Exit codes: 0 the backup is complete and verified, 1 it failed (no file that looks like a backup is left), 2 bad usage.`,
    )
    // What means nothing for one backup: said, not ignored (colour is harmless, so accepted).
    .addOption(refusedOption('--once'))
    .addOption(refusedOption('--json'))
    .addOption(refusedOption('--demo'))
    .addOption(refusedOption('--no-color'))
    .action((dbname: string | undefined, username: string | undefined, o: TargetFlags & BackupFlags & { once?: boolean; json?: boolean }) => {
      if (o.once || o.json || o.demo) throw new UsageError('pgtop backup has no --once/--json/--demo: it makes one backup of the server given by the connection options');
      parsed({ kind: 'backup', ...targetOptions(o, [dbname, username] as string[]), backup: backupSettings(o) });
    });
}

/** The flags `pgtop backup` adds to the dashboard's, as commander returns them. */
export interface BackupFlags {
  format?: string;
  table?: string;
  keepDays?: string;
  printCronjob?: boolean;
  schedule?: string;
  pvc?: string;
  pvcSize?: string;
  storageClass?: string;
  image?: string;
  dbHost?: string;
}

export function backupSettings(o: BackupFlags & { namespace?: string; passwordSecret?: string }): BackupSettings {
  const format = (o.format ?? 'custom') as BackupFormatOption;
  let keepDays: number | undefined;
  if (o.keepDays !== undefined) {
    keepDays = Number(o.keepDays);
    if (!Number.isInteger(keepDays) || keepDays < 1) throw new UsageError(`invalid --keep-days "${o.keepDays}": give a whole number of days, at least 1`);
  }
  if (o.table !== undefined) {
    if (!o.table.trim()) throw new UsageError('--table needs a table name');
    if (format !== 'custom' && format !== 'plain') throw new UsageError(`--table goes with --format custom or plain, not ${format}`);
  }
  if (o.schedule !== undefined && o.schedule.trim().split(/\s+/).length !== 5 && !o.schedule.startsWith('@')) {
    throw new UsageError(`invalid --schedule "${o.schedule}": give five cron fields, e.g. "0 3 * * *"`);
  }
  return {
    format,
    table: o.table?.trim(),
    keepDays,
    printCronjob: !!o.printCronjob,
    schedule: o.schedule ?? '0 3 * * *',
    pvc: o.pvc ?? 'postgres-backups',
    pvcSize: o.pvcSize ?? '10Gi',
    storageClass: o.storageClass,
    image: o.image,
    dbHost: o.dbHost,
    namespace: o.namespace,
    passwordSecret: o.passwordSecret === undefined ? undefined : parseSecretRef(o.passwordSecret),
  };
}
