// A throwaway PostgreSQL cluster on 127.0.0.1: every test run gets one, and
// so will `pgtop --demo`. It lives in a fresh temporary directory, listens on
// a random free port, and is tuned for speed, not durability.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';

import { findServerBinaries } from './binaries.js';
import { chownTree, LocalClusterError, logTail, run, runSync, serverVersionText, unprivilegedUser } from './os.js';
import type { RunAs } from './os.js';

export { findServerBinaries, hydrateEmbeddedSymlinks } from './binaries.js';
export type { ServerBinaries, ServerBinariesSource } from './binaries.js';
export { LocalClusterError } from './os.js';

export interface LocalClusterOptions {
  /** Directory holding initdb, pg_ctl and postgres; default: findServerBinaries(). */
  binDir?: string;
  /** shared_preload_libraries; default ['pg_stat_statements']. */
  preloadLibraries?: string[];
  /** Extra postgresql.conf settings, appended last so they win. */
  settings?: Record<string, string>;
  /** Password of the `postgres` superuser; default: random (a standby takes its primary's). */
  superuserPassword?: string;
  /**
   * Make a streaming standby of this server instead of a new cluster:
   * `pg_basebackup -R` copies its data directory and writes primary_conninfo,
   * then the copy starts in recovery on its own port (hot_standby on).
   */
  standbyOf?: StandbySource;
}

/** The server a standby copies and streams from (a LocalCluster will do). */
export interface StandbySource {
  host: string;
  port: number;
  user: string;
  password: string;
  /** A physical slot the copy creates on the primary and the standby streams through; none by default. */
  slot?: string;
}

export interface LocalCluster {
  host: '127.0.0.1';
  port: number;
  user: 'postgres';
  password: string;
  database: 'postgres';
  binDir: string;
  dataDir: string;
  logFile: string;
  majorVersion: number;
  serverVersionNum: number;
  /** Stops the server (immediate) and deletes its directory; safe to call twice. */
  stop(): Promise<void>;
  /** Fast shutdown, then start again on the same port. */
  restart(): Promise<void>;
  stopServer(mode?: 'fast' | 'immediate'): Promise<void>;
  startServer(): Promise<void>;
}

// The synchronous teardown of each cluster, for stopAllOnExit(); kept out of
// the public shape so callers see one way to stop.
const syncStoppers = new WeakMap<LocalCluster, () => void>();

// A Unix socket path must fit in sun_path (108 bytes on Linux).
const MAX_SOCKET_PATH = 100;
const START_ATTEMPTS = 3;

export async function startLocalCluster(options: LocalClusterOptions = {}): Promise<LocalCluster> {
  const binDir = options.binDir ?? findServerBinaries().binDir;
  const runAs = unprivilegedUser();
  serverVersionText(binDir, runAs); // fails early, and clearly, on unreadable binaries
  const password = options.standbyOf?.password ?? options.superuserPassword ?? randomBytes(24).toString('base64url');

  const dir = await mkdtemp(path.join(os.tmpdir(), 'pgtop-cluster-'));
  const dataDir = path.join(dir, 'data');
  const logFile = path.join(dir, 'server.log');
  const pgCtl = path.join(binDir, 'pg_ctl');
  let port = await freePort();

  let removed = false;
  const stopSync = (): void => {
    if (removed) return;
    removed = true;
    if (fs.existsSync(path.join(dataDir, 'postmaster.pid'))) {
      runSync(pgCtl, ['-D', dataDir, '-w', '-t', '30', 'stop', '-m', 'immediate'], runAs, dir);
    }
    fs.rmSync(dir, { recursive: true, force: true });
  };

  const startServer = async (): Promise<void> => {
    const result = await run(pgCtl, ['-D', dataDir, '-l', logFile, '-w', '-t', '30', 'start'], runAs, dir);
    if (result.code !== 0) throw serverError('start', result.stderr || result.stdout, logFile);
  };

  const stopServer = async (mode: 'fast' | 'immediate' = 'fast'): Promise<void> => {
    if (!fs.existsSync(path.join(dataDir, 'postmaster.pid'))) return; // not running
    const result = await run(pgCtl, ['-D', dataDir, '-w', '-t', '30', 'stop', '-m', mode], runAs, dir);
    if (result.code !== 0) throw serverError('stop', result.stderr || result.stdout, logFile);
  };

  try {
    if (options.standbyOf) await baseBackup(binDir, dir, dataDir, options.standbyOf, runAs);
    else await initdb(binDir, dir, dataDir, password, runAs);
    const settings = serverSettings(dir, port, options);
    await writeFile(path.join(dataDir, 'postgresql.conf'), settings, { flag: 'a' });

    // The free port may be taken between our probe and the server's bind
    // (other test runs do the same dance); a new port usually fixes that.
    for (let attempt = 1; ; attempt++) {
      try {
        await startServer();
        break;
      } catch (error) {
        if (attempt >= START_ATTEMPTS || !/could not bind|Address already in use/i.test(logTail(logFile))) throw error;
        port = await freePort();
        await writeFile(path.join(dataDir, 'postgresql.conf'), `port = ${port}\n`, { flag: 'a' });
      }
    }
    const serverVersionNum = await queryServerVersionNum(port, password);

    let stopping: Promise<void> | undefined;
    const cluster: LocalCluster = {
      host: '127.0.0.1',
      port,
      user: 'postgres',
      password,
      database: 'postgres',
      binDir,
      dataDir,
      logFile,
      majorVersion: Math.floor(serverVersionNum / 10000),
      serverVersionNum,
      stop: () =>
        (stopping ??= (async () => {
          if (removed) return;
          try {
            await stopServer('immediate');
          } finally {
            removed = true;
            await rm(dir, { recursive: true, force: true });
          }
        })()),
      restart: async () => {
        await stopServer('fast');
        await startServer();
      },
      stopServer,
      startServer,
    };
    syncStoppers.set(cluster, stopSync);
    return cluster;
  } catch (error) {
    stopSync();
    throw error;
  }
}

/**
 * Installs process 'exit', SIGINT and SIGTERM handlers that stop the server
 * and delete its directory synchronously (an 'exit' handler cannot await).
 * For `pgtop --demo`, whose user may press Ctrl-C at any moment. Returns a
 * function that removes the handlers again.
 */
export function stopAllOnExit(cluster: LocalCluster): () => void {
  const stopSync = syncStoppers.get(cluster);
  if (!stopSync) throw new LocalClusterError('stopAllOnExit() needs a cluster made by startLocalCluster().');

  const onSignal = (signal: NodeJS.Signals): void => {
    uninstall();
    stopSync();
    // Leave exiting to any other handler of this signal; if there is none,
    // re-raise it so the process ends the way it would have without us.
    if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
  };
  const uninstall = (): void => {
    process.off('exit', stopSync);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };
  // First in line: another 'exit' or signal handler that calls
  // process.exit() (vitest's does) ends the process before later handlers run.
  process.prependListener('exit', stopSync);
  process.prependListener('SIGINT', onSignal);
  process.prependListener('SIGTERM', onSignal);
  return uninstall;
}

async function initdb(binDir: string, dir: string, dataDir: string, password: string, runAs: RunAs | undefined) {
  const pwFile = path.join(dir, 'pwfile');
  await writeFile(pwFile, `${password}\n`, { mode: 0o600 });
  // initdb runs as the unprivileged user, who must own the directory it fills.
  if (runAs) chownTree(dir, runAs);
  const args = [
    '-D', dataDir,
    '-U', 'postgres',
    '--auth-local=trust',
    '--auth-host=scram-sha-256',
    `--pwfile=${pwFile}`,
    '-E', 'UTF8',
    '--no-locale',
    '--no-sync', // a throwaway cluster need not survive a power cut
  ];
  const result = await run(path.join(binDir, 'initdb'), args, runAs, dir);
  await rm(pwFile, { force: true });
  if (result.code !== 0) {
    throw new LocalClusterError(`initdb failed (exit ${result.code}):\n${(result.stderr || result.stdout).trim()}`);
  }
}

/** The standby's data directory: a copy of the primary's, with standby.signal and primary_conninfo (-R). */
async function baseBackup(binDir: string, dir: string, dataDir: string, source: StandbySource, runAs: RunAs | undefined) {
  if (runAs) chownTree(dir, runAs);
  const args = [
    '-D', dataDir,
    '-h', source.host,
    '-p', String(source.port),
    '-U', source.user,
    '-R', // standby.signal and primary_conninfo (with the password given here)
    '-X', 'stream',
    '--checkpoint=fast', // do not wait for the primary's next checkpoint
    '--no-sync',
    ...(source.slot ? ['-S', source.slot, '--create-slot'] : []), // -R names it in primary_slot_name
  ];
  const result = await run(path.join(binDir, 'pg_basebackup'), args, runAs, dir, { PGPASSWORD: source.password });
  if (result.code !== 0) {
    throw new LocalClusterError(`pg_basebackup failed (exit ${result.code}):\n${(result.stderr || result.stdout).trim()}`);
  }
}

function serverSettings(dir: string, port: number, options: LocalClusterOptions): string {
  const preload = options.preloadLibraries ?? ['pg_stat_statements'];
  // Long temporary directories (macOS) cannot hold a socket; TCP alone will do.
  const socketDir = dir.length + '/.s.PGSQL.65535'.length <= MAX_SOCKET_PATH ? dir : '';
  const settings: Record<string, string> = {
    listen_addresses: '127.0.0.1',
    port: String(port),
    unix_socket_directories: socketDir,
    shared_preload_libraries: preload.join(','),
    // Speed over durability: the cluster is deleted after the run.
    fsync: 'off',
    synchronous_commit: 'off',
    full_page_writes: 'off',
    max_connections: '400', // benchmarks run 300 clients
    track_io_timing: 'on',
    ...(preload.includes('pg_stat_statements') ? { 'pg_stat_statements.track': 'all' } : {}),
    log_min_messages: 'warning',
    logging_collector: 'off',
    ...options.settings,
  };
  const lines = Object.entries(settings).map(([name, value]) => `${name} = '${value.replaceAll("'", "''")}'`);
  return `\n# Added by pgtop's throwaway cluster\n${lines.join('\n')}\n`;
}

/** Asks the kernel for a free port: listen on port 0, read it, close. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address && typeof address === 'object') resolve(address.port);
        else reject(new LocalClusterError('Could not find a free TCP port.'));
      });
    });
  });
}

/** Connects over TCP with the password, which also proves scram works. */
async function queryServerVersionNum(port: number, password: string): Promise<number> {
  const client = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', password, database: 'postgres' });
  await client.connect();
  try {
    const result = await client.query<{ server_version_num: string }>('SHOW server_version_num');
    return Number(result.rows[0]?.server_version_num);
  } finally {
    await client.end();
  }
}

function serverError(action: 'start' | 'stop', output: string, logFile: string): LocalClusterError {
  return new LocalClusterError(
    `PostgreSQL did not ${action}: ${output.trim()}\nLast lines of the server log:\n${logTail(logFile)}`,
  );
}
