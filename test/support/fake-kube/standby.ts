// A streaming standby of a throwaway cluster (pg_basebackup -R), so a fake
// StatefulSet can hold a primary and a replica, and a test can fail over by
// stopping the primary and promoting the standby.
import { appendFile, chmod, mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LocalCluster } from '../../../src/localcluster/cluster.js';
import { chownTree, run, unprivilegedUser } from '../../../src/localcluster/os.js';

export interface Standby {
  host: '127.0.0.1';
  port: number;
  promote(): Promise<void>;
  stop(): Promise<void>;
}

export async function startStandby(primary: LocalCluster): Promise<Standby> {
  const runAs = unprivilegedUser();
  const dir = await mkdtemp(join(tmpdir(), 'pgtop-standby-'));
  await chmod(dir, 0o700);
  if (runAs) chownTree(dir, runAs);
  const dataDir = join(dir, 'data');
  const logFile = join(dir, 'server.log');
  const bin = (name: string) => join(primary.binDir, name);
  const must = async (file: string, args: string[]) => {
    const result = await run(file, args, runAs, dir);
    if (result.code !== 0) throw new Error(`${file} ${args[0]} failed: ${result.stderr || result.stdout}`);
  };
  const port = await freePort();
  try {
    await must(bin('pg_basebackup'), [
      '-d', `host=${primary.host} port=${primary.port} user=${primary.user} password=${primary.password}`,
      '-D', dataDir, '-R', '-X', 'stream', '-c', 'fast',
    ]);
    // Its own port, and no Unix socket next to the primary's.
    await appendFile(join(dataDir, 'postgresql.conf'), `\nport = ${port}\nunix_socket_directories = ''\n`);
    await must(bin('pg_ctl'), ['-D', dataDir, '-l', logFile, '-w', '-t', '30', 'start']);
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  let stopped = false;
  return {
    host: '127.0.0.1',
    port,
    promote: () => must(bin('pg_ctl'), ['-D', dataDir, '-w', '-t', '30', 'promote']),
    async stop() {
      if (stopped) return;
      stopped = true;
      await run(bin('pg_ctl'), ['-D', dataDir, '-w', '-t', '30', 'stop', '-m', 'immediate'], runAs, dir).catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
