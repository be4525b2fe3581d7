// `pgtop backup --print-cronjob`: the same backup as a Kubernetes CronJob
// that runs inside the cluster and writes into a PersistentVolumeClaim — the
// seed's script lived in the database pod's file system and died with the
// pod; a PVC outlives pods. The job does what `pgtop backup` does: pg_dump to
// a temporary name, verify (pg_restore reads every block; plain SQL must end
// with pg_dump's completion marker), give it its name without overwriting
// (ln, not mv), and only after a good backup delete pgtop's backups of the
// same series older than --keep-days (the one just made is the newest, so
// never deleted). The image is the server's own (postgres:<major>, or the
// pod's image with -k), so pg_dump matches the server. The password comes
// from a Secret (secretKeyRef), never from the manifest.
import { backupFileName, extensionOf, kindPart, safePart, type BackupPlan } from '../model/backup-names.js';

export interface CronJobOptions {
  namespace: string;
  /** Name of the CronJob (DNS-1123, at most 52 characters). */
  name: string;
  schedule: string;
  image: string;
  /** The database as reachable from inside the cluster (a Service name). */
  host: string;
  port: number;
  user: string;
  plan: BackupPlan;
  /** Delete this series' backups older than this many days after each good backup; null keeps them all. */
  keepDays: number | null;
  passwordSecret: { name: string; key: string } | null;
  pvc: { name: string; size: string; storageClass?: string };
  /** Lines for a comment at the top (how it was derived, what to check). */
  notes?: string[];
}

/** A DNS-1123 label from free text ("shop_DB" → "shop-db"), at most `max` characters. */
export function dnsLabel(text: string, max = 52): string {
  const label = text
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, max)
    .replace(/-+$/, '');
  return label || 'postgres';
}

function shellQuote(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/** The job's script (bash: the postgres images have it; pipefail catches a failing pg_dump in `pg_dump | gzip`). */
export function cronScript(options: Pick<CronJobOptions, 'plan' | 'keepDays'>, dir = '/backups'): string {
  const { plan } = options;
  const sample = backupFileName(plan, new Date(2000, 0, 1));
  const prefix = `${safePart(plan.database)}_${kindPart(plan)}_`;
  const ext = extensionOf(plan);
  const dump =
    plan.kind === 'globals'
      ? 'pg_dumpall --globals-only --no-password -l "$PGDATABASE"'
      : [
          'pg_dump',
          `--format=${plan.format}`,
          '--no-password',
          ...(plan.kind === 'schema' ? ['--schema-only'] : []),
          ...(plan.kind === 'data' ? ['--data-only'] : []),
          ...(plan.kind === 'table' ? [`--table=${shellQuote(plan.table ?? '')}`] : []),
        ].join(' ');
  const marker = plan.kind === 'globals' ? 'PostgreSQL database cluster dump complete' : 'PostgreSQL database dump complete';
  const write =
    plan.format === 'custom'
      ? `${dump} --file="$tmp"`
      : plan.gzip
        ? `${dump} | gzip -6 > "$tmp"`
        : `${dump} > "$tmp"`;
  const verify =
    plan.format === 'custom'
      ? ['pg_restore --list "$tmp" > /dev/null', 'pg_restore --file=/dev/null "$tmp"']
      : [`${plan.gzip ? 'gzip -cd' : 'cat'} "$tmp" | tail -n 5 | grep -q '${marker}' || { echo "the dump does not end with its completion marker" >&2; exit 1; }`];
  const retention =
    options.keepDays === null
      ? ['# no --keep-days: every backup is kept']
      : [
          `# retention: this series only (${prefix}YYYYMMDD_HHMMSS${ext}), older than ${options.keepDays} days; the new one is never among them`,
          `find . -maxdepth 1 -type f -name ${shellQuote(`${prefix}${'[0-9]'.repeat(8)}_${'[0-9]'.repeat(6)}${ext}`)} ! -name "$name" -mtime +${Math.max(0, options.keepDays - 1)} -print -delete`,
        ];
  return [
    'set -euo pipefail',
    `cd ${shellQuote(dir)}`,
    `name="${prefix}$(date +%Y%m%d_%H%M%S)${ext}"   # e.g. ${sample}`,
    'tmp=".$name.partial"',
    "trap 'rm -f \"$tmp\"' EXIT",
    write,
    ...verify,
    'sync "$tmp" 2>/dev/null || sync',
    '# ln refuses an existing name: a backup is never overwritten',
    'ln "$tmp" "$name"',
    'rm -f "$tmp"',
    'echo "backup complete and verified: $name ($(du -h "$name" | cut -f1))"',
    ...retention,
  ].join('\n');
}

export function cronJobObjects(options: CronJobOptions): object[] {
  const labels = { 'app.kubernetes.io/name': 'pgtop-backup', 'app.kubernetes.io/instance': options.name };
  const env: object[] = [
    { name: 'PGHOST', value: options.host },
    { name: 'PGPORT', value: String(options.port) },
    { name: 'PGUSER', value: options.user },
    { name: 'PGDATABASE', value: options.plan.database },
    { name: 'PGAPPNAME', value: 'pgtop-backup' },
  ];
  if (options.passwordSecret) {
    env.push({ name: 'PGPASSWORD', valueFrom: { secretKeyRef: { name: options.passwordSecret.name, key: options.passwordSecret.key } } });
  }
  const pvc = {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name: options.pvc.name, namespace: options.namespace, labels },
    spec: {
      accessModes: ['ReadWriteOnce'],
      ...(options.pvc.storageClass ? { storageClassName: options.pvc.storageClass } : {}),
      resources: { requests: { storage: options.pvc.size } },
    },
  };
  const cronJob = {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name: options.name, namespace: options.namespace, labels },
    spec: {
      schedule: options.schedule,
      // A backup still running when the next is due is not doubled.
      concurrencyPolicy: 'Forbid',
      startingDeadlineSeconds: 3600,
      successfulJobsHistoryLimit: 3,
      failedJobsHistoryLimit: 3,
      jobTemplate: {
        metadata: { labels },
        spec: {
          backoffLimit: 2,
          template: {
            metadata: { labels },
            spec: {
              restartPolicy: 'Never',
              containers: [
                {
                  name: 'backup',
                  image: options.image,
                  command: ['bash', '-c', cronScript(options)],
                  env,
                  volumeMounts: [{ name: 'backups', mountPath: '/backups' }],
                },
              ],
              volumes: [{ name: 'backups', persistentVolumeClaim: { claimName: options.pvc.name } }],
            },
          },
        },
      },
    },
  };
  return [pvc, cronJob];
}

/** The manifest: the PVC and the CronJob, as YAML documents. */
export function cronJobManifest(options: CronJobOptions): string {
  const comment = (options.notes ?? []).map((line) => `# ${line}`.trimEnd());
  return [...comment, ...cronJobObjects(options).flatMap((o, i) => [...(i > 0 ? ['---'] : []), toYaml(o, 0)])].join('\n') + '\n';
}

// ---------------------------------------------------------------------------
// A small YAML writer: block mappings and sequences; every scalar string in
// JSON quotes (valid YAML, never misread as a number, bool or null), except
// multi-line strings, written as literal blocks (`|`) so the script reads.

function scalar(value: unknown): string {
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value === null || value === undefined) return 'null';
  return JSON.stringify(String(value));
}

function isMultiline(value: unknown): value is string {
  // A literal block cannot keep trailing spaces on lines safely, nor tabs at line starts.
  return typeof value === 'string' && value.includes('\n') && !/[ \t]\n|\n[ \t]*\t|[ \t]$/.test(value) && !value.startsWith(' ');
}

function block(value: string, indent: number): string {
  const pad = ' '.repeat(indent);
  return `|${value.endsWith('\n') ? '' : '-'}\n${value.replace(/\n$/, '').split('\n').map((l) => (l ? pad + l : '')).join('\n')}`;
}

export function toYaml(value: unknown, indent: number): string {
  const pad = ' '.repeat(indent);
  if (Array.isArray(value)) {
    if (value.length === 0) return `${pad}[]`;
    return value
      .map((item) => {
        if (item !== null && typeof item === 'object') {
          const inner = toYaml(item, indent + 2);
          return `${pad}- ${inner.slice(indent + 2)}`;
        }
        return `${pad}- ${isMultiline(item) ? block(item, indent + 2) : scalar(item)}`;
      })
      .join('\n');
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    if (entries.length === 0) return `${pad}{}`;
    return entries
      .map(([key, v]) => {
        const k = /^[A-Za-z_][A-Za-z0-9_./-]*$/.test(key) ? key : JSON.stringify(key);
        if (v !== null && typeof v === 'object') {
          const empty = Array.isArray(v) ? v.length === 0 : Object.keys(v).length === 0;
          if (empty) return `${pad}${k}: ${Array.isArray(v) ? '[]' : '{}'}`;
          return `${pad}${k}:\n${toYaml(v, Array.isArray(v) ? indent : indent + 2)}`;
        }
        return `${pad}${k}: ${isMultiline(v) ? block(v, indent + 2) : scalar(v)}`;
      })
      .join('\n');
  }
  return `${pad}${scalar(value)}`;
}
