// The CronJob manifest `pgtop backup --print-cronjob` prints: valid YAML,
// valid Kubernetes objects (every field checked against the API types that
// client-node is generated from; kubectl parses it as well), and the job's
// script does what `pgtop backup` does. (The script itself runs against the
// real server in test/e2e/backup-cli.test.ts.)
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadAllYaml } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { cronJobManifest, dnsLabel, type CronJobOptions } from '../../src/backup/cronjob.js';
import { planFor } from '../../src/model/backup-names.js';
import { findKubectl } from '../support/fake-kube/index.js';
import { schemaProblems } from '../support/k8s-schema.js';

const OPTIONS: CronJobOptions = {
  namespace: 'development',
  name: dnsLabel('pgtop-backup-shop_DB-full'),
  schedule: '0 3 * * *',
  image: 'postgres:15.8',
  host: 'postgres',
  port: 5432,
  user: 'admin',
  plan: planFor('custom', 'shop'),
  keepDays: 7,
  passwordSecret: { name: 'postgres-secret', key: 'password' },
  pvc: { name: 'postgres-backups', size: '10Gi' },
  notes: ['made by a test'],
};

describe('pgtop backup --print-cronjob', () => {
  it('is a PersistentVolumeClaim and a batch/v1 CronJob that pass the Kubernetes schema', () => {
    const objects = loadAllYaml(cronJobManifest(OPTIONS)) as Record<string, any>[];
    expect(objects.map((o) => `${o.apiVersion} ${o.kind}`)).toEqual(['v1 PersistentVolumeClaim', 'batch/v1 CronJob']);
    for (const o of objects) expect(schemaProblems(o)).toEqual([]);
    const [pvc, cron] = objects;
    expect(cron!.metadata).toMatchObject({ name: 'pgtop-backup-shop-db-full', namespace: 'development' });
    expect(cron!.spec).toMatchObject({ schedule: '0 3 * * *', concurrencyPolicy: 'Forbid' });
    const pod = cron!.spec.jobTemplate.spec.template.spec;
    expect(pod.restartPolicy).toBe('Never');
    // The volume is the PVC, mounted where the script writes.
    expect(pod.volumes).toEqual([{ name: 'backups', persistentVolumeClaim: { claimName: pvc!.metadata.name } }]);
    const container = pod.containers[0];
    expect(container.volumeMounts).toEqual([{ name: 'backups', mountPath: '/backups' }]);
    expect(container.image).toBe('postgres:15.8');
    // The password from the Secret, never in the manifest.
    expect(container.env).toContainEqual({ name: 'PGPASSWORD', valueFrom: { secretKeyRef: { name: 'postgres-secret', key: 'password' } } });
    expect(container.env).toContainEqual({ name: 'PGDATABASE', value: 'shop' });
    expect(container.env).toContainEqual({ name: 'PGPORT', value: '5432' });
    const script: string = container.command[2];
    expect(container.command.slice(0, 2)).toEqual(['bash', '-c']);
    expect(script).toContain('set -euo pipefail');
    expect(script).toContain('pg_dump --format=custom --no-password --file="$tmp"');
    expect(script).toContain('pg_restore --file=/dev/null "$tmp"');
    expect(script).toContain('ln "$tmp" "$name"');
    const pattern = `shop_full_${'[0-9]'.repeat(8)}_${'[0-9]'.repeat(6)}.dump`;
    expect(script).toContain(`find . -maxdepth 1 -type f -name '${pattern}' ! -name "$name" -mtime +6 -print -delete`);
  });

  it('kubectl reads it as Kubernetes objects (offline: --local)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pgtop-cronjob-'));
    try {
      const file = join(dir, 'cronjob.yaml');
      writeFileSync(file, cronJobManifest(OPTIONS));
      const out = execFileSync(findKubectl(), ['annotate', '--local', '-f', file, 'checked=yes', '--dry-run=client', '-o', 'name'], { encoding: 'utf8', timeout: 20_000 });
      const kinds = out.trim().split('\n');
      expect(kinds).toEqual(['persistentvolumeclaim/postgres-backups', 'cronjob.batch/pgtop-backup-shop-db-full']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('plain SQL pipes through gzip with pipefail and checks the completion marker; no --keep-days keeps everything', () => {
    const manifest = cronJobManifest({ ...OPTIONS, plan: planFor('plain', 'shop'), keepDays: null, passwordSecret: null });
    const [, cron] = loadAllYaml(manifest) as Record<string, any>[];
    expect(schemaProblems(cron)).toEqual([]);
    const container = cron!.spec.jobTemplate.spec.template.spec.containers[0];
    const script: string = container.command[2];
    expect(script).toContain('pg_dump --format=plain --no-password | gzip -6 > "$tmp"');
    expect(script).toContain("grep -q 'PostgreSQL database dump complete'");
    expect(script).toContain('# no --keep-days: every backup is kept');
    expect(container.env.map((e: { name: string }) => e.name)).not.toContain('PGPASSWORD');
  });

  it('the schema check catches a misspelt or misplaced field (it can fail)', () => {
    const [, cron] = loadAllYaml(cronJobManifest(OPTIONS)) as Record<string, any>[];
    cron!.spec.jobTemplate.spec.template.spec.restartpolicy = 'Never';
    cron!.spec.schedule = 3;
    expect(schemaProblems(cron).sort()).toEqual([
      'CronJob.spec.jobTemplate.spec.template.spec.restartpolicy: no such field in V1PodSpec',
      'CronJob.spec.schedule: expected a string, got 3',
    ]);
  });
});
