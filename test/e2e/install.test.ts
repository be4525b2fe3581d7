// pgtop as it is installed where you SSH (docs/install.md): the standalone
// executable (npm run package) run from an empty directory with no `node` on
// PATH and an empty HOME — --version, --help, --once --json, the dashboard in
// tmux, -k through the fake API server — and the npm tarball installed with
// `npm install -g --prefix`, whose pgtop runs --once.
import { execFile, execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serverArgs } from '../support/binary.js';
import { postgresTemplate, startFakeCluster, type FakeCluster } from '../support/fake-kube/index.js';
import { pgInfo } from '../support/pg.js';
import { startTmux, type TmuxSession } from '../support/tmux.js';

const ROOT = join(import.meta.dirname, '..', '..');
const NAME = `pgtop-${process.platform}-${process.arch}`;
let dir: string;
let exe: string;
let emptyPath: string;
let home: string;
let cluster: FakeCluster | undefined;
let session: TmuxSession | undefined;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** A program of pgtop's, in a directory and an environment of the test's choosing (nothing of this process's). */
function runFile(file: string, args: string[], cwd: string, env: Record<string, string>): Promise<Run> {
  return new Promise((resolve) => {
    execFile(file, args, { cwd, env, timeout: 30_000, encoding: 'utf8' }, (error, stdout, stderr) =>
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr }),
    );
  });
}

/** The standalone executable with nothing of this machine's environment: no node on PATH, an empty HOME, in an empty directory. */
function standalone(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return runFile(exe, args, emptyPath, { PATH: emptyPath, HOME: home, ...env });
}

beforeAll(async () => {
  // What `npm run package` runs after the build (npm test has built already).
  execFileSync(process.execPath, [join(ROOT, 'src/release/standalone.mjs')], { cwd: ROOT, stdio: 'pipe', timeout: 240_000 });
  dir = mkdtempSync(join(tmpdir(), 'pgtop-install-'));
  emptyPath = join(dir, 'empty');
  home = join(dir, 'home');
  mkdirSync(emptyPath);
  mkdirSync(home);
  exe = join(dir, 'pgtop');
  copyFileSync(join(ROOT, 'dist/release', NAME), exe);
  execFileSync('chmod', ['+x', exe]);
}, 300_000);

afterAll(async () => {
  await session?.kill();
  await cluster?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('the standalone executable', () => {
  it('is one file with its sha256, and says its version and commit, and its help, with no node on PATH', async () => {
    const sum = readFileSync(join(ROOT, 'dist/release', `${NAME}.sha256`), 'utf8');
    expect(sum).toBe(`${execFileSync('sha256sum', [exe], { encoding: 'utf8' }).split(' ')[0]}  ${NAME}\n`);
    const version = await standalone(['--version']);
    expect(version.code, version.stderr).toBe(0);
    expect(version.stdout.trim()).toMatch(/^pgtop \d+\.\d+\.\d+ \(commit ([0-9a-f]{12}(-dirty)?|unknown)\)$/);
    expect(version.stderr).toBe('');
    const help = await standalone(['--help']);
    expect(help.stdout).toMatch(/Usage: pgtop \[OPTIONS\][\s\S]*-k, --k8s <type\/name>[\s\S]*learn \[options\]/);
    expect((await standalone(['lean', '--bogus'])).stderr).toBe("pgtop: unknown option '--bogus' (see pgtop --help)\n");
  });

  it('prints a screen with --once --json from the SQL it carries', async () => {
    const { args, env } = serverArgs();
    const run = await standalone([...args, '--once', '--json', '--screen', 'activity'], env);
    expect(run.code, run.stderr).toBe(0);
    const json = JSON.parse(run.stdout) as { rows: { application: string }[] };
    expect(json.rows.some((r) => r.application === 'pgtop')).toBe(true);
    const sizes = await standalone([...args, '--once', '--screen', 'config'], env);
    expect(sizes.code, sizes.stderr).toBe(0);
    expect(sizes.stdout).toMatch(/max_connections/);
  });

  it('runs the dashboard in a terminal: activity, :locks, q', { timeout: 60_000 }, async () => {
    const { args, env } = serverArgs();
    const clean = ['/usr/bin/env', '-i', `PATH=${emptyPath}`, `HOME=${home}`, 'TERM=xterm-256color', ...Object.entries(env).map(([k, v]) => `${k}=${v}`)];
    session = await startTmux({ command: [...clean, exe, ...args, '-i', '1'], cwd: emptyPath, cols: 140, rows: 40 });
    await session.waitForText(/connected[\s\S]*\*\d+ postgres/);
    await session.sendText(':locks');
    await session.sendKey('Enter');
    await session.waitForText(/no session is waiting on a lock|blocks \d/);
    await session.sendText('q');
    expect(await session.waitForExit(10_000)).toBe(0);
  });

  it('reaches a pod with -k through its own port-forward', { timeout: 60_000 }, async () => {
    cluster = await startFakeCluster({ namespace: 'development' });
    cluster.kube.addDeployment('development', 'postgres', postgresTemplate(pgInfo()));
    const run = await standalone(['-k', 'deployment/postgres', '-n', 'development', '-U', pgInfo().user, '--once'], {
      KUBECONFIG: cluster.kubeconfig,
      PGPASSWORD: pgInfo().password,
    });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/k8s development\/deployment\/postgres → pod\/postgres-/);
  });

  it('runs --demo on the system PostgreSQL (it carries no server of its own), or says in one line what to install', { timeout: 60_000 }, async () => {
    // The system's programs (id, the server) but still no node_modules anywhere near.
    const run = await standalone(['--demo', '--once'], { PATH: '/usr/sbin:/usr/bin:/sbin:/bin' });
    if (existsSync('/usr/lib/postgresql') || existsSync('/usr/bin/pg_config')) {
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).toMatch(/^pgtop {2}PostgreSQL \d+\.\d+ \(primary\) {2}db demo .* demo 127\.0\.0\.1:\d+ \(throwaway, removed on quit\)/);
    } else {
      expect(run.stderr).toMatch(/^pgtop: No PostgreSQL server found for --demo: install one \(e\.g\. `apt-get install postgresql`\)/);
      expect(run.code).toBe(1);
    }
  });
});

describe('the npm package', () => {
  it('installs with npm install -g --prefix and its pgtop runs --once, with the man page', { timeout: 240_000 }, async () => {
    const packDir = join(dir, 'pack');
    const prefix = join(dir, 'prefix');
    mkdirSync(packDir);
    // Built already (npm test builds first): no prepare script run again.
    const tarball = execFileSync('npm', ['pack', '--ignore-scripts', '--silent', '--pack-destination', packDir], { cwd: ROOT, encoding: 'utf8' }).trim().split('\n').pop()!;
    execFileSync('npm', ['install', '-g', '--prefix', prefix, '--prefer-offline', '--no-audit', '--no-fund', join(packDir, tarball)], { cwd: dir, stdio: 'pipe', timeout: 200_000 });
    expect(existsSync(join(prefix, 'share/man/man1/pgtop.1'))).toBe(true);
    // Only what the package needs at run time (the demo's embedded server): no dev dependency (Ink, React, the Kubernetes client are in the bundle).
    const installed = join(prefix, 'lib/node_modules/pgtop/node_modules');
    for (const dev of ['ink', 'react', 'zustand', '@kubernetes/client-node', 'vitest', 'typescript', 'esbuild']) expect(existsSync(join(installed, dev)), dev).toBe(false);
    const { args, env } = serverArgs();
    const run = await runFile(join(prefix, 'bin/pgtop'), [...args, '--once'], dir, { PATH: process.env.PATH ?? '', HOME: home, ...env });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^pgtop {2}PostgreSQL \d+/);
  });
});
