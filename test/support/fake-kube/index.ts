// The fake Kubernetes API server and what tests need around it: a pod
// template that reaches the throwaway PostgreSQL, kubectl on this machine,
// and a temporary directory with a kubeconfig.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import type { PodTemplate } from './model.js';
import { FakeKube, type FakeKubeOptions, type KubeconfigOptions } from './server.js';
import { enableSpdyPortForward } from './spdy.js';

export { FakeKube } from './server.js';
export type { FakePod, PodTemplate } from './model.js';

export interface PostgresAddress {
  host: string;
  port: number;
  user: string;
  password: string;
}

/** A pod that runs "PostgreSQL": its port 5432 is this server, and its env what the postgres image gets. */
export function postgresTemplate(pg: PostgresAddress, labels: Record<string, string> = { app: 'postgres' }): PodTemplate {
  return {
    labels,
    ports: { 5432: { host: pg.host, port: pg.port } },
    env: {
      POSTGRES_USER: pg.user,
      POSTGRES_PASSWORD: pg.password,
      // Inside a real pod pg_dump reaches the server through the local socket; here through TCP.
      PGHOST: pg.host,
      PGPORT: String(pg.port),
      PGUSER: pg.user,
      PGPASSWORD: pg.password,
    },
  };
}

export interface FakeCluster {
  kube: FakeKube;
  dir: string;
  /** A kubeconfig with the admin client certificate (namespace as given). */
  kubeconfig: string;
  writeKubeconfig(name: string, options?: KubeconfigOptions): string;
  stop(): Promise<void>;
}

export async function startFakeCluster(options: FakeKubeOptions & { namespace?: string } = {}): Promise<FakeCluster> {
  const kube = await FakeKube.start(options);
  enableSpdyPortForward(kube);
  const dir = mkdtempSync(join(tmpdir(), 'fake-kube-'));
  const writeKubeconfig = (name: string, o: KubeconfigOptions = {}) => kube.writeKubeconfig(join(dir, name), o);
  return {
    kube,
    dir,
    kubeconfig: writeKubeconfig('kubeconfig', { namespace: options.namespace }),
    writeKubeconfig,
    async stop() {
      await kube.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** kubectl on PATH, or where Debian's kubernetes-client puts it. */
export function findKubectl(): string {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir && existsSync(join(dir, 'kubectl'))) return join(dir, 'kubectl');
  }
  for (const path of ['/usr/bin/kubectl', '/usr/local/bin/kubectl']) if (existsSync(path)) return path;
  throw new Error('kubectl not found: install it (Debian: apt-get install kubernetes-client)');
}

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs kubectl against a kubeconfig, with a discovery cache of its own (it is keyed by host:port and outlives runs). */
export function kubectl(kubeconfig: string, cacheDir: string, args: string[], env: Record<string, string> = {}, timeoutMs = 20_000): Promise<CommandResult> {
  return new Promise((resolve) => {
    execFile(
      findKubectl(),
      ['--kubeconfig', kubeconfig, '--cache-dir', cacheDir, ...args],
      { env: { ...process.env, ...env }, timeout: timeoutMs, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr });
      },
    );
  });
}
