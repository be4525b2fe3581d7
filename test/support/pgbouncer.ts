// PgBouncer in front of a PostgreSQL server, for the tests of pgtop behind
// a pooler: Debian's pgbouncer, its defaults (so ignore_startup_parameters
// is empty and a startup parameter it does not know refuses the login),
// transaction or session pooling, on a free port, as an unprivileged OS user
// when we are root (pgbouncer refuses to run as root). The server's
// superuser is also the admin console's user (SHOW VERSION on the database
// `pgbouncer`). stop() ends it and removes its directory.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

import { chownTree, unprivilegedUser } from '../../src/localcluster/os.js';

export interface PgBouncerServer {
  host: string;
  port: number;
  user: string;
  password: string;
}

export interface PgBouncer {
  host: '127.0.0.1';
  port: number;
  mode: 'transaction' | 'session';
  /** What pgbouncer logged (why it refused a login). */
  log(): string;
  stop(): Promise<void>;
}

const BINARIES = ['/usr/sbin/pgbouncer', '/usr/bin/pgbouncer'];

export function pgbouncerBinary(): string | undefined {
  return BINARIES.find((file) => existsSync(file));
}

/** "1.18.0": what `pgbouncer --version` says, as SHOW VERSION will. */
export function pgbouncerVersion(): string {
  const out = execFileSync(pgbouncerBinary() ?? 'pgbouncer', ['--version'], { encoding: 'utf8' });
  return /PgBouncer (\S+)/.exec(out)?.[1] ?? '?';
}

export async function startPgBouncer(server: PgBouncerServer, mode: 'transaction' | 'session'): Promise<PgBouncer> {
  const binary = pgbouncerBinary();
  if (!binary) throw new Error('pgbouncer is not installed: apt-get install pgbouncer (test/support/install-tools.sh does it)');
  const runAs = unprivilegedUser();
  const dir = await mkdtemp(path.join(os.tmpdir(), 'pgtop-pgbouncer-'));
  const logFile = path.join(dir, 'pgbouncer.log');
  const port = await freePort();
  // A plain-text password in the auth file lets pgbouncer answer the
  // client's md5 (Debian's auth_type) and the server's SCRAM.
  await writeFile(path.join(dir, 'userlist.txt'), `"${server.user}" "${server.password.replaceAll('"', '""')}"\n`, { mode: 0o600 });
  const ini = [
    '[databases]',
    `* = host=${server.host} port=${server.port}`,
    '[pgbouncer]',
    `logfile = ${logFile}`,
    `pidfile = ${path.join(dir, 'pgbouncer.pid')}`,
    'listen_addr = 127.0.0.1',
    `listen_port = ${port}`,
    `unix_socket_dir = ${dir}`,
    'auth_type = md5',
    `auth_file = ${path.join(dir, 'userlist.txt')}`,
    `admin_users = ${server.user}`,
    `pool_mode = ${mode}`,
    '',
  ].join('\n');
  const iniFile = path.join(dir, 'pgbouncer.ini');
  await writeFile(iniFile, ini);
  if (runAs) chownTree(dir, runAs);

  const child: ChildProcess = spawn(binary, [iniFile], {
    cwd: dir,
    stdio: 'ignore',
    env: { ...process.env, LC_ALL: 'C' },
    ...(runAs ? { uid: runAs.uid, gid: runAs.gid } : {}),
  });
  const log = () => (existsSync(logFile) ? readFileSync(logFile, 'utf8') : '');
  let exited = false;
  child.on('exit', () => (exited = true));
  const stop = async () => {
    if (!exited) {
      const gone = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await Promise.race([gone, new Promise((resolve) => setTimeout(resolve, 3_000))]);
      if (!exited) child.kill('SIGKILL');
    }
    await rm(dir, { recursive: true, force: true });
  };
  // Listening once a TCP connection is accepted.
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (exited) {
      const text = log();
      await stop();
      throw new Error(`pgbouncer exited at start:\n${text}`);
    }
    if (await accepts(port)) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`pgbouncer did not listen on ${port}:\n${log()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { host: '127.0.0.1', port, mode, log, stop };
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.unref();
    probe.on('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => (address && typeof address === 'object' ? resolve(address.port) : reject(new Error('no free port'))));
    });
  });
}
