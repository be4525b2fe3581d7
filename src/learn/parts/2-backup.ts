// Part 2 of the seed's administration session: backup and restore. Data only
// (see ../types.ts). pgtop takes the backups itself: no kubectl exec, no
// shell redirection that leaves a half-written file looking like a backup.
import type { Part } from '../types.js';

export const backupPart: Part = {
  number: 2,
  id: 'backup',
  title: 'Backup and restore',
  minutes: 10,
  intro:
    'A backup you have not restored is a hope. Take one, save the roles too, restore it into a new database, and know what a dump cannot do.',
  steps: [
    {
      id: 'backup.full',
      title: 'A full backup of {database} (custom format)',
      explain:
        'pg_dump takes a consistent snapshot of one database while it keeps running. The custom format (-Fc) is ' +
        'compressed and lets pg_restore pick single tables. pgtop writes it under a temporary name, reads it back ' +
        'with pg_restore --list, and only then names it {database}_full_YYYYMMDD_HHMMSS.dump in {backup_dir}.',
      seedFix:
        'kubectl exec … pg_dump > file: the shell creates the file before pg_dump starts, so a failed dump leaves a ' +
        'file that looks like a backup. pgtop runs pg_dump itself and keeps only a dump that reads back. The other ' +
        'kinds (plain SQL, schema only, data only, one table) are on the backups screen (b).',
      screen: 'backups',
      action: { kind: 'backup', format: 'custom' },
      checks: [{ kind: 'backup', criterion: 'a verified full backup of {database} exists (at most a day old)', format: 'custom' }],
    },
    {
      id: 'backup.globals',
      title: 'The roles: a globals backup',
      explain:
        'pg_dump saves one database, never the roles: restoring it on a new server fails at every GRANT to a role ' +
        'that is not there. pg_dumpall --globals-only saves the roles (with their password verifiers) and tablespaces.',
      seedFix:
        "The seed's pg_dumpall saves every database in one huge SQL file (no single-table restore, no compression). " +
        'Per-database custom dumps plus one globals file restore faster and more selectively.',
      screen: 'backups',
      action: { kind: 'backup', format: 'globals' },
      checks: [
        {
          kind: 'backup',
          criterion: 'a verified globals backup holds app_user',
          format: 'globals',
          contains: 'CREATE ROLE app_user',
        },
      ],
    },
    {
      id: 'backup.restore',
      title: 'Restore into {database}_restore_test',
      explain:
        'Restore the newest full backup into a new database next to the original, then compare: the same tables, ' +
        'with rows. Re-running replaces {database}_restore_test. On a real incident you would restore onto another server.',
      seedFix:
        'The seed restores with psql from a *_full_*.sql glob (which file, if there are two?) and with pg_restore from a ' +
        'file that sits on your machine while pg_restore runs in the pod. pgtop picks the newest verified backup and runs pg_restore here.',
      screen: 'sizes',
      action: { kind: 'restore', into: '{database}_restore_test' },
      checks: [
        {
          kind: 'restored',
          criterion: '{database}_restore_test has every table of {database}, with rows',
          database: '{database}_restore_test',
        },
      ],
    },
    {
      id: 'backup.pitr',
      title: 'What a dump cannot do: point-in-time recovery',
      explain:
        'A dump restores the moment it started; what was written after is gone. To recover to any moment (just before ' +
        "a bad DELETE), PostgreSQL needs a base backup (pg_basebackup) plus every WAL file since (archive_mode = on and " +
        'an archive_command or archive_library), replayed up to recovery_target_time. These settings say whether this server could.',
      seedFix:
        "The seed's 'point-in-time recovery simulation' creates a table and inserts two rows: no recovery, no point in time.",
      screen: 'config',
      action: {
        kind: 'query',
        sql: [
          {
            minVersion: 0,
            sql: `SELECT name, setting, short_desc AS meaning
  FROM pg_settings
 WHERE name IN ('wal_level', 'archive_mode', 'archive_command', 'archive_library', 'archive_timeout', 'max_wal_senders')
 ORDER BY name`,
          },
        ],
      },
    },
    {
      id: 'backup.schedule',
      title: 'Backups that happen without you',
      explain:
        'A backup is only useful if it is taken every day and old ones are pruned. Schedule pgtop itself; it writes ' +
        "the same verified files and deletes only its own backups older than --keep-days.",
      seedFix:
        'The seed writes a backup script into the pod: it vanishes when the pod restarts, nothing runs it (there is no ' +
        'cron in the container), and its backups sit on the same volume as the database they are meant to save.',
      screen: 'backups',
      action: {
        kind: 'read',
        text:
          'From cron on a machine that reaches the server:\n' +
          '  15 3 * * *  pgtop backup -d {database} --keep-days 7 --backup-dir /srv/postgres-backups\n' +
          'In Kubernetes, the same backup as a CronJob:\n' +
          '  pgtop backup -k deployment/postgres -n development -d {database} --print-cronjob | kubectl apply -f -',
      },
    },
  ],
};
