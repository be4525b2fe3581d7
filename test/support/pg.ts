// Helpers for tests that talk to the run's throwaway PostgreSQL cluster,
// which test/support/global-setup.ts starts and provides as 'pg'.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';

/** What global setup tells the tests about the cluster (plain data: it crosses processes). */
export interface PgInfo {
  host: string;
  port: number;
  user: string;
  password: string;
  database: string;
  binDir: string;
  dataDir: string;
  logFile: string;
  majorVersion: number;
  serverVersionNum: number;
}

declare module 'vitest' {
  export interface ProvidedContext {
    pg: PgInfo;
  }
}

export function pgInfo(): PgInfo {
  return inject('pg');
}

export interface ConnectOptions {
  database?: string;
  user?: string;
  /** Default: the superuser's password. */
  password?: string;
  applicationName?: string;
}

/** A connected client over TCP (scram); the caller ends it. */
export async function connect(options: ConnectOptions = {}): Promise<pg.Client> {
  const info = pgInfo();
  const client = new pg.Client({
    host: info.host,
    port: info.port,
    user: options.user ?? info.user,
    password: options.password ?? info.password,
    database: options.database ?? info.database,
    application_name: options.applicationName ?? 'pgtop-test',
  });
  return connected(client);
}

/** Connects a client made elsewhere (another server, another role); the caller ends it. */
export async function connected(client: pg.Client): Promise<pg.Client> {
  // Tests terminate backends on purpose. A query's own error reaches its
  // promise; without a listener, an idle client's would crash the worker.
  client.on('error', () => {});
  try {
    await client.connect();
  } catch (error) {
    await client.end().catch(() => {});
    throw error;
  }
  return client;
}

export interface ScratchDatabase {
  name: string;
  /** Drops it, disconnecting anyone still in it; safe to call twice. */
  drop(): Promise<void>;
}

/** A fresh database named `<prefix>_<random>`, so parallel tests never share one. */
export async function createScratchDatabase(prefix: string): Promise<ScratchDatabase> {
  if (!/^[a-z_][a-z0-9_]{0,40}$/.test(prefix)) {
    throw new Error(`Scratch database prefix must be a short lower-case identifier, got "${prefix}"`);
  }
  const name = `${prefix}_${randomBytes(4).toString('hex')}`;
  await withAdmin((admin) => admin.query(`CREATE DATABASE ${admin.escapeIdentifier(name)}`));
  return { name, drop: () => dropDatabases([name]) };
}

/** Drops databases a test made (scratch ones, restores), if they are there. */
export function dropDatabases(names: readonly string[]): Promise<void> {
  return withAdmin(async (admin) => {
    // WITH (FORCE) (PostgreSQL 13+) ends sessions a test left behind.
    const force = pgInfo().serverVersionNum >= 130000 ? ' WITH (FORCE)' : '';
    for (const name of names) await admin.query(`DROP DATABASE IF EXISTS ${admin.escapeIdentifier(name)}${force}`);
  });
}

async function withAdmin<T>(fn: (admin: pg.Client) => Promise<T>): Promise<T> {
  const admin = await connect({ applicationName: 'pgtop-test-admin' });
  try {
    return await fn(admin);
  } finally {
    await admin.end();
  }
}

export interface WaitForOptions {
  /** Named in the timeout error, e.g. 'the blocked session to appear'. */
  what: string;
  timeoutMs?: number;
  intervalMs?: number;
}

/**
 * Polls `fn` until it returns something other than undefined or false.
 * A throw counts as "not yet" (the server may be restarting); the last one
 * is attached to the timeout error as its cause.
 */
export async function waitFor<T>(
  fn: () => Promise<T | undefined | false>,
  { what, timeoutMs = 10_000, intervalMs = 100 }: WaitForOptions,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await fn();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() >= deadline) {
      const detail = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}${detail}`, { cause: lastError });
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
