// Which tool source does what, for the dashboard's actions and `pgtop backup`
// alike: with -k, pg_dump, pg_restore and psql run in the database's pod (its
// version is the server's); directly, the local programs. A custom archive is
// verified by a local pg_restore when there is one new enough (the file is
// here already), else in the pod with the file sent over stdin.
import type { ResolvedConnection } from '../db/connection-options.js';
import type { BackupPlan } from '../model/backup-names.js';
import { localSource, podSource, type PodExec, type ToolSource } from './source.js';
import { findLocalTool } from './tools.js';

export interface ToolsetOptions {
  connection: ResolvedConnection;
  serverMajor: number;
  /** The password pgtop connected with, when it knows it (never shown, never in argv). */
  password: string | undefined;
  podExec?: PodExec;
  podLabel?: () => string;
}

export interface Toolset {
  /** pg_dump, pg_dumpall, and the restore programs. */
  main: ToolSource;
  /** pg_restore for verifying a custom archive. */
  verifier(): ToolSource;
}

export function toolset(options: ToolsetOptions): Toolset {
  const local = localSource(options.connection, options.serverMajor, options.password);
  const pod = options.podExec ? podSource(options.podExec, options.podLabel ?? (() => 'the pod'), options.connection.user, options.password) : null;
  return {
    main: pod ?? local,
    verifier() {
      if (!pod) return local;
      try {
        findLocalTool('pg_restore', options.serverMajor);
        return local;
      } catch {
        return pod;
      }
    },
  };
}

/** The password a connected pg client used (also one typed at the prompt or read from ~/.pgpass), when it is a plain string. */
export function passwordOf(client: unknown, fallback?: string): string | undefined {
  if (fallback !== undefined) return fallback;
  const password = (client as { password?: unknown } | null)?.password;
  return typeof password === 'string' && password !== '' ? password : undefined;
}

export function serverMajorOf(serverVersionNum: number): number {
  return Math.floor(serverVersionNum / 10000);
}

/** The plan as this role can run it: a roles backup by a role that may not read pg_authid leaves the passwords out. */
export async function planForRole(client: { query<R>(sql: string): Promise<{ rows: R[] }> }, plan: BackupPlan): Promise<BackupPlan> {
  if (plan.kind !== 'globals') return plan;
  const r = await client.query<{ superuser: boolean }>('SELECT rolsuper AS superuser FROM pg_roles WHERE rolname = current_user');
  return r.rows[0]?.superuser ? plan : { ...plan, withoutRolePasswords: true };
}
