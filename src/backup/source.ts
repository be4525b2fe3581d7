// Where pg_dump, pg_dumpall, pg_restore and psql run: a "tool source" runs
// one of them against the server, streams its stdout into a Writable (with
// backpressure: a multi-gigabyte dump never sits in memory), feeds its stdin,
// and resolves only when the program exited 0. Two kinds:
//   - local: the programs on this machine (tools.ts picks one at least as new
//     as the server), connecting where pgtop connects;
//   - pod (-k): the programs in the database's pod, over the exec
//     subresource, so their version is the server's.
// Everything that can go wrong becomes one ToolError line.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { PassThrough, Readable, type Writable } from 'node:stream';
import type { ResolvedConnection } from '../db/connection-options.js';
import type { ExecOptions, ExecResult } from '../k8s/exec.js';
import { findLocalTool, ToolError, type ToolName } from './tools.js';

export interface ToolRun {
  tool: ToolName;
  /** Program arguments; the source adds where to connect (user, database). */
  args: string[];
  /** The database to connect to; undefined for programs that take a file only (pg_restore --list). */
  database?: string;
  /** Receives stdout (not ended by the source). Without it stdout is discarded. */
  stdout?: Writable;
  /** Fed to the program's stdin (a file to restore). */
  stdin?: Readable;
  signal?: AbortSignal;
}

export interface ToolSource {
  kind: 'local' | 'pod';
  /** Where the programs run, for messages ("pod development/postgres-7d9f…", "local /usr/lib/postgresql/15/bin"). */
  where(tool: ToolName): string;
  /** The command as it will run, without any password. */
  display(run: Omit<ToolRun, 'stdout' | 'stdin' | 'signal'>): string;
  /** Runs it; resolves with its stderr when it exited 0, else rejects with a ToolError naming the program's last error line. */
  run(run: ToolRun): Promise<{ stderr: string }>;
}

/** How a command runs in a pod: K8sTarget.exec, which finds the current pod. */
export type PodExec = (options: Omit<ExecOptions, 'namespace' | 'pod'>) => Promise<ExecResult>;

const STDERR_LIMIT = 64 * 1024;

/** libpq conninfo quoting: 'value' with \ and ' escaped (works for any database or user name). */
export function conninfoValue(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** The last meaningful line a program wrote to stderr ("pg_dump: error: …"). */
export function lastErrorLine(stderr: string): string {
  const lines = stderr.split('\n').map((l) => l.trim()).filter(Boolean);
  const errors = lines.filter((l) => /\b(error|fatal|FATAL|ERROR)\b/.test(l));
  return (errors.at(-1) ?? lines.at(-1) ?? '').replace(/^(pg_dump|pg_dumpall|pg_restore|psql):\s*/, '').replace(/^error:\s*/, '');
}

function shellWord(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** The programs on this machine, connecting as pgtop does (host, port, user, TLS mode, password when known). */
export function localSource(connection: ResolvedConnection, serverMajor: number, password: string | undefined, env: NodeJS.ProcessEnv = process.env): ToolSource {
  const toolEnv = (database: string | undefined): NodeJS.ProcessEnv => {
    const e: NodeJS.ProcessEnv = {
      ...env,
      PGHOST: connection.host,
      PGPORT: String(connection.port),
      PGUSER: connection.user,
      PGSSLMODE: connection.sslMode,
      PGAPPNAME: 'pgtop-backup',
      PGCONNECT_TIMEOUT: '10',
      // Messages in English, so the last error line reads the same everywhere.
      LC_MESSAGES: 'C',
    };
    // PGDATABASE is taken literally (never parsed as a connection string), whatever the name holds.
    // The same TLS files pgtop used (a URI's sslcert… too; libpq would look in ~/.postgresql itself).
    if (connection.sslRootCert) e.PGSSLROOTCERT = connection.sslRootCert;
    if (connection.sslCert) e.PGSSLCERT = connection.sslCert;
    if (connection.sslKey) e.PGSSLKEY = connection.sslKey;
    if (database !== undefined) e.PGDATABASE = database;
    else delete e.PGDATABASE;
    // The environment of a child process is readable only by this user; never argv.
    if (password !== undefined) e.PGPASSWORD = password;
    return e;
  };
  return {
    kind: 'local',
    where: (tool) => `local ${path.dirname(findLocalTool(tool, serverMajor, env).file)}`,
    display: (run) =>
      [run.tool, '-h', connection.host, '-p', String(connection.port), '-U', connection.user, ...run.args, ...(run.database !== undefined ? [run.database] : [])]
        .map(shellWord)
        .join(' '),
    run(run) {
      const tool = findLocalTool(run.tool, serverMajor, env);
      return new Promise((resolve, reject) => {
        // pg_restore connects only with --dbname; a conninfo with just dbname takes any name literally (host, user… come from the environment).
        const args = run.database !== undefined && run.tool !== 'pg_dumpall' ? [...run.args, `--dbname=dbname=${conninfoValue(run.database)}`] : run.args;
        const child = spawn(tool.file, args, { env: toolEnv(run.database), stdio: [run.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'] });
        let stderr = '';
        let settled = false;
        const fail = (error: Error) => {
          if (settled) return;
          settled = true;
          child.kill('SIGTERM');
          reject(error);
        };
        child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
          stderr = (stderr + chunk).slice(-STDERR_LIMIT);
        });
        if (run.stdout) {
          const out = run.stdout;
          child.stdout!.pipe(out, { end: false });
          out.once('error', (error) => fail(error));
        } else child.stdout!.resume();
        if (run.stdin && child.stdin) {
          // The program may stop reading early (pg_restore --list reads only the table of contents).
          child.stdin.on('error', () => undefined);
          run.stdin.on('error', (error) => fail(error));
          run.stdin.pipe(child.stdin);
        }
        const onAbort = () => fail(new ToolError(`${run.tool} was stopped`));
        if (run.signal?.aborted) onAbort();
        run.signal?.addEventListener('abort', onAbort, { once: true });
        child.on('error', (error) => fail(new ToolError(`cannot run ${tool.file}: ${error.message}`)));
        child.on('close', (code, signal) => {
          run.signal?.removeEventListener('abort', onAbort);
          // What the program did not read is not needed (and the file must be closed).
          run.stdin?.destroy();
          if (settled) return;
          settled = true;
          if (code === 0) resolve({ stderr });
          else {
            const why = lastErrorLine(stderr) || (signal ? `killed by ${signal}` : `exit code ${code}`);
            reject(new ToolError(`${run.tool} failed: ${why}`));
          }
        });
      });
    },
  };
}

/**
 * The programs in the database's pod. They connect the pod's own way (its
 * local socket, or what PGHOST/PGPORT in the container say) as pgtop's user.
 * The password never goes into argv (the API server's audit log records the
 * exec's command): a small sh wrapper reads it from the first line of stdin,
 * exports it, and execs the program, which then reads the rest of stdin.
 */
export function podSource(exec: PodExec, podLabel: () => string, user: string, password: string | undefined): ToolSource {
  const WRAPPER = 'IFS= read -r PGPASSWORD; if [ -n "$PGPASSWORD" ]; then export PGPASSWORD; else unset PGPASSWORD; fi; exec "$@"';
  const connArgs = (database: string | undefined) =>
    database !== undefined ? [`--dbname=user=${conninfoValue(user)} dbname=${conninfoValue(database)} application_name=pgtop-backup`] : [];
  const argv = (run: Omit<ToolRun, 'stdout' | 'stdin' | 'signal'>) =>
    // pg_dumpall names its database with -l; the others take --dbname (a conninfo: any name is safe).
    run.tool === 'pg_dumpall'
      ? [run.tool, '--username', user, ...(run.database !== undefined ? ['-l', run.database] : []), ...run.args]
      : [run.tool, ...run.args, ...connArgs(run.database)];
  return {
    kind: 'pod',
    where: () => podLabel(),
    display: (run) => `${argv(run).map(shellWord).join(' ')}   (in ${podLabel()})`,
    async run(run) {
      // First line: the password (empty: the pod's own way, e.g. local trust); then the file, if any.
      const lines = Readable.from(
        (async function* () {
          yield Buffer.from(`${password ?? ''}\n`);
          if (run.stdin) yield* run.stdin;
        })(),
      );
      const stdout = run.stdout ?? new PassThrough().resume();
      try {
        const result = await exec({
          command: ['sh', '-c', WRAPPER, 'pgtop', ...argv(run)],
          stdout,
          endStdout: false,
          stdin: lines,
          stderrLimit: STDERR_LIMIT,
          signal: run.signal,
        });
        return { stderr: result.stderr };
      } catch (error) {
        throw podFailure(run.tool, error);
      } finally {
        lines.destroy();
        run.stdin?.destroy();
      }
    },
  };
}

function podFailure(tool: ToolName, error: unknown): ToolError {
  const e = error as { stderr?: string; truncated?: boolean; commandExitCode?: number; message?: string };
  if (e.truncated) {
    const said = e.stderr ? `; it said: ${lastErrorLine(e.stderr)}` : '';
    return new ToolError(`${tool} in the pod: the stream broke before ${tool} finished (no exit status: the pod stopped or the connection to the API server dropped${said})`);
  }
  if (e.commandExitCode === 127) return new ToolError(`${tool} is not in the pod's container: use an image with the PostgreSQL client programs (postgres:<version> has them)`);
  if (e.commandExitCode !== undefined) return new ToolError(`${tool} failed in the pod: ${lastErrorLine(e.stderr ?? '') || `exit code ${e.commandExitCode}`}`);
  return new ToolError(`${tool} in the pod: ${e.message ?? String(error)}`);
}
