// `pgtop backup`: one backup without the UI, for cron. Exit 0 only when the
// backup is complete and verified (then --keep-days prunes); any failure is
// one line on stderr and exit 1, with no file left that looks like a backup.
// `--print-cronjob` prints the same backup as a Kubernetes CronJob instead.
import { runBackup } from '../backup/backup.js';
import { cronJobManifest, dnsLabel } from '../backup/cronjob.js';
import { listBackups } from '../backup/listing.js';
import { kindPart, planFor, type BackupPlan } from '../model/backup-names.js';
import { applyRetention } from '../backup/retention.js';
import { passwordOf, planForRole, serverMajorOf, toolset } from '../backup/toolset.js';
import type { PgConnection } from '../db/connection.js';
import { EXIT_OK, PgtopError, UsageError } from '../errors.js';
import { duration } from '../format/format.js';
import { bytes } from '../format/size.js';
import { chooseServerContainer } from '../k8s/server-container.js';
import { terminalText } from '../render/terminal-text.js';
import type { K8sTarget } from '../target/kubernetes.js';
import type { BackupOptions, BackupSettings } from './backup-options.js';
import { backupDirFor } from './learn.js';
import type { ConnectionTarget } from '../target/target.js';

export interface BackupIo {
  out(text: string): void;
  err(text: string): void;
  /** Progress on stderr only on a terminal: cron mail stays clean. */
  progress: boolean;
}

const defaultIo: BackupIo = {
  out: (t) => process.stdout.write(t),
  err: (t) => process.stderr.write(t),
  progress: !!process.stderr.isTTY,
};

export function planFromOptions(options: BackupSettings, database: string): BackupPlan {
  if (options.table) return { database, kind: 'table', table: options.table, format: options.format === 'plain' ? 'plain' : 'custom', gzip: options.format === 'plain' };
  return planFor(options.format, database);
}

export async function runBackupCommand(cli: BackupOptions, target: ConnectionTarget, monitor: PgConnection, io: BackupIo = defaultIo): Promise<number> {
  try {
    return await backupOnce(cli, target, monitor, io);
  } finally {
    await monitor.close();
  }
}

async function backupOnce(cli: BackupOptions, target: ConnectionTarget, monitor: PgConnection, io: BackupIo): Promise<number> {
  const options = cli.backup;
  const connection = target.connection;
  const plan = planFromOptions(options, connection.database);
  const serverMajor = serverMajorOf(monitor.serverVersionNum);
  if (options.printCronjob) {
    io.out(await cronJob(cli, options, target, plan, serverMajor));
    return EXIT_OK;
  }
  const asRole = await planForRole(monitor.client, plan);
  const dir = backupDirFor(cli, target);
  const tools = toolset({
    connection,
    serverMajor,
    password: passwordOf(monitor.client, connection.password),
    podExec: target.exec,
    podLabel: () => target.label,
  });
  // Ctrl-C or a kill from cron's timeout: stop pg_dump, remove the temporary file, say so.
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  let shown = false;
  try {
    const result = await runBackup({
      dir,
      plan: asRole,
      at: new Date(),
      source: tools.main,
      verifier: () => tools.verifier(),
      serverVersion: monitor.serverVersion.split(' ')[0],
      signal: stop.signal,
      progress: io.progress
        ? (p) => {
            shown = true;
            io.err(`\r${p.phase === 'verifying' ? 'verifying' : 'backing up'} ${terminalText(p.name)}: ${bytes(p.bytes)}, ${bytes(p.rate)}/s   `);
          }
        : undefined,
    });
    if (shown) io.err('\n');
    const seconds = result.durationMs / 1000;
    const noPasswords = asRole.withoutRolePasswords ? '; without role passwords: only a superuser may read them' : '';
    // File names hold the database's and the table's names, the check pg_restore's words: terminal text.
    io.out(`${terminalText(`backup verified: ${result.file} (${bytes(result.bytes)} in ${duration(seconds)}; ${result.sidecar.check}${noPasswords})`)}\n`);
  } catch (error) {
    if (shown) io.err('\n');
    throw new PgtopError((error as Error).message);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  if (options.keepDays !== undefined) {
    const listing = await listBackups(dir);
    const deleted = await applyRetention(listing.entries, options.keepDays, Date.now());
    for (const name of deleted) io.out(`deleted (older than ${options.keepDays} days): ${terminalText(name)}\n`);
  }
  return EXIT_OK;
}

// ---------------------------------------------------------------------------
// --print-cronjob

/**
 * --print-cronjob for a direct target with --image: nothing to ask the server
 * (the image is given, the address inside the cluster too), so no connection
 * — the database may well be reachable only from inside the cluster.
 */
export function cronJobNeedsNoServer(cli: BackupOptions): boolean {
  return cli.backup.printCronjob && !cli.target.k8s && !!cli.backup.image;
}

export async function printCronJobWithoutServer(cli: BackupOptions, target: ConnectionTarget, io: BackupIo = defaultIo): Promise<number> {
  const options = cli.backup;
  io.out(await cronJob(cli, options, target, planFromOptions(options, target.connection.database), null));
  return EXIT_OK;
}

/** The manifest; serverMajor (null: not asked) picks the default image. */
async function cronJob(cli: BackupOptions, options: BackupSettings, target: ConnectionTarget, plan: BackupPlan, serverMajor: number | null): Promise<string> {
  const connection = target.connection;
  const notes = [
    `pgtop backup as a Kubernetes CronJob: ${plan.kind === 'globals' ? 'roles' : `${kindPart(plan)} backup of ${plan.database}`}, ${options.schedule}, into PVC ${options.pvc}.`,
    'Apply: kubectl apply -f THIS_FILE; run once now: kubectl create job --from=cronjob/NAME NAME-now -n NAMESPACE',
  ];
  let namespace = options.namespace ?? 'default';
  let host = options.dbHost;
  let port = connection.port;
  let image = options.image;
  let secret = options.passwordSecret ?? null;
  const forward = cli.target.k8s;
  if (forward) {
    const k8s = target as ConnectionTarget & K8sTarget;
    namespace = k8s.namespace;
    port = forward.remotePort;
    secret = secret ?? forward.passwordSecret ?? null;
    const pod = await k8s.forwarder.currentPod();
    const spec = await k8s.kube.call({ verb: 'get', resource: 'pods', namespace, name: pod.name }, () => k8s.kube.core.readNamespacedPod({ name: pod.name, namespace }));
    const containers = spec.spec?.containers ?? [];
    // The server's container, as the dashboard's execs choose it (else the first: the manifest is read before it is applied).
    const chosen = chooseServerContainer(spec, pod.port).name;
    const container = containers.find((c) => c.name === chosen) ?? containers[0];
    image = image ?? container?.image;
    if (!secret) {
      const fromEnv = container?.env?.find((e) => e.name === 'POSTGRES_PASSWORD')?.valueFrom?.secretKeyRef;
      if (fromEnv?.name && fromEnv.key) {
        secret = { name: fromEnv.name, key: fromEnv.key };
        notes.push(`Password: the Secret the pod's POSTGRES_PASSWORD comes from (${fromEnv.name}/${fromEnv.key}).`);
      }
    }
    if (!host) {
      if (forward.target.kind === 'service') host = forward.target.name;
      // CloudNativePG's Service for the primary, read-write.
      else if (forward.target.kind === 'cluster') {
        host = `${forward.target.name}-rw`;
        notes.push(`Host: Service ${host}, the read-write Service CloudNativePG makes for the primary.`);
      }
      else {
        const services = await k8s.kube.call({ verb: 'list', resource: 'services', namespace }, () => k8s.kube.core.listNamespacedService({ namespace }));
        const labels = spec.metadata?.labels ?? {};
        const match = services.items.find((s) => {
          const selector = s.spec?.selector;
          return selector && Object.keys(selector).length > 0 && Object.entries(selector).every(([k, v]) => labels[k] === v);
        });
        if (!match?.metadata?.name) {
          throw new UsageError(`no Service in ${namespace} selects pod ${pod.name}: give the database's address inside the cluster with --db-host`);
        }
        host = match.metadata.name;
        // The Service port that leads to the database's port in the pod (a named targetPort is the container port's name).
        const named = new Map(containers.flatMap((c) => (c.ports ?? []).filter((p) => p.name).map((p) => [p.name!, p.containerPort] as const)));
        const ports = match.spec?.ports ?? [];
        const servicePort =
          ports.find((p) => (typeof p.targetPort === 'string' ? named.get(p.targetPort) : (p.targetPort ?? p.port)) === forward.remotePort) ??
          (ports.length === 1 ? ports[0] : undefined);
        if (servicePort) port = servicePort.port;
        notes.push(`Host: Service ${host}, the one that selects pod ${pod.name}.`);
      }
    }
  }
  if (!host) {
    if (connection.host.startsWith('/') || /^(localhost|127\.|::1$)/.test(connection.host)) {
      throw new UsageError(`the job runs inside the cluster, where ${connection.host} is not this database: give its address there with --db-host (a Service name)`);
    }
    host = connection.host;
  }
  if (!image) {
    if (serverMajor === null) throw new UsageError('give the image with pg_dump: --image');
    image = `postgres:${serverMajor}`;
    notes.push(`Image: postgres:${serverMajor}, the server's major version (its pg_dump must not be older than the server).`);
  }
  if (!secret) notes.push('No password Secret known: the job connects without PGPASSWORD (give --password-secret NAME/KEY if the server asks for one).');
  const keepDays = options.keepDays ?? 7;
  if (options.keepDays === undefined) notes.push('Retention: 7 days (the seed\'s), as no --keep-days was given.');
  return cronJobManifest({
    namespace,
    name: dnsLabel(`pgtop-backup-${plan.database}-${kindPart(plan)}`),
    schedule: options.schedule,
    image,
    host,
    port,
    user: connection.user,
    plan,
    keepDays,
    passwordSecret: secret,
    pvc: { name: options.pvc, size: options.pvcSize, storageClass: options.storageClass },
    notes,
  });
}
