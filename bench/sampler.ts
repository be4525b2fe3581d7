// What the pod's sampler costs the watched server: it runs in the database's
// container, on its CPU quota, once per refresh. This starts a throwaway
// cluster, opens N idle connections (N server processes), runs each variant
// of the script under dash and busybox ash as the fake API server's exec
// runs it (locally, with PGDATA), asks it for samples and reports the CPU of
// the sh process tree (utime + stime + cutime + cstime of /proc/PID/stat:
// the shell and the df/head it waited for) per sample and per server
// process, the wall time of a sample and the bytes of a record.
//   npm run bench:sampler   (BENCH_CONNECTIONS=50,300  BENCH_OUT=…)
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { startLocalCluster, stopAllOnExit, type LocalCluster } from '../src/localcluster/cluster.js';
import { RecordFramer } from '../src/host/parse.js';
import { requestLine, SAMPLER_SCRIPT } from '../src/host/sampler-script.js';
import { machineDescription } from './dashboard/proc.js';
import { LOOP_SCRIPT } from './sampler/loop-script.js';

const connectionCounts = (process.env.BENCH_CONNECTIONS ?? '50,300').split(',').map(Number);
const root = path.join(import.meta.dirname, '..');
const outFile = process.env.BENCH_OUT ?? path.join(root, 'bench', 'results', 'sampler.md');
/** Samples until this much wall time has passed (at least MIN_SAMPLES), so 10 ms clock ticks add up to a figure. */
const MIN_WALL_MS = 3_000;
const MIN_SAMPLES = 10;
const MAX_SAMPLES = 300;

// The shipped script's one head, swapped for an alternative that was measured against it.
const HEAD_LINE = '    head -c 4096 /proc/[0-9]*/stat /proc/[0-9]*/io 2>/dev/null ;;\n';
if (!SAMPLER_SCRIPT.includes(HEAD_LINE)) throw new Error('bench/sampler.ts: the shipped script no longer has its head line');
const GREP_LINES =
  "    grep -H '' /proc/[0-9]*/stat 2>/dev/null\n    grep -H -e ^read_bytes -e ^write_bytes /proc/[0-9]*/io 2>/dev/null ;;\n";
/** What a refresh of the activity screen asks of the shipped script (the loop script reads any line as one sample). */
const FULL_SAMPLE = requestLine({ processes: true, container: true, filesystem: true });

const VARIANTS: { name: string; script: string }[] = [
  { name: 'before: a read loop per process (main 13421e7)', script: LOOP_SCRIPT },
  { name: 'shipped: one head of stat, io', script: SAMPLER_SCRIPT },
  { name: 'alternative: head of stat only (no I/O columns)', script: SAMPLER_SCRIPT.replace(HEAD_LINE, HEAD_LINE.replace(' /proc/[0-9]*/io', '')) },
  { name: 'alternative: grep -H of stat; of io read/write_bytes', script: SAMPLER_SCRIPT.replace(HEAD_LINE, GREP_LINES) },
];
const SHELLS: [string, string[]][] = [
  ['dash', ['dash']],
  ['busybox ash', ['busybox', 'sh']],
];

interface Result {
  connections: number;
  serverProcesses: number;
  procEntries: number;
  variant: string;
  shell: string;
  samples: number;
  cpuMsPerSample: number;
  wallMsPerSample: number;
  bytesPerSample: number;
}

/** The processes in /proc, and those whose comm is postgres (what the parser keeps). */
function processCounts(): { procEntries: number; serverProcesses: number } {
  let procEntries = 0;
  let serverProcesses = 0;
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    procEntries += 1;
    try {
      if (readFileSync(`/proc/${name}/comm`, 'utf8').trim() === 'postgres') serverProcesses += 1;
    } catch {
      // gone since the listing
    }
  }
  return { procEntries, serverProcesses };
}

/** utime + stime + cutime + cstime of a process, in ticks (children counted once waited for). */
function treeTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return [11, 12, 13, 14].reduce((sum, i) => sum + Number(fields[i]), 0);
}

async function measure(cluster: LocalCluster, shell: string[], script: string): Promise<Omit<Result, 'connections' | 'variant' | 'shell' | 'procEntries' | 'serverProcesses'>> {
  const child = spawn(shell[0]!, [...shell.slice(1), '-c', script, 'pgtop-sampler'], {
    env: { PATH: process.env.PATH, PGDATA: cluster.dataDir },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  let records = 0;
  let bytes = 0;
  const framer = new RecordFramer(
    () => (records += 1),
    (message) => console.error(message),
  );
  child.stdout.on('data', (chunk: Buffer) => {
    bytes += chunk.length;
    framer.push(chunk.toString('utf8'));
  });
  const sample = async () => {
    const want = records + 1;
    child.stdin.write(FULL_SAMPLE);
    while (records < want) await new Promise((resolve) => setTimeout(resolve, 1));
  };
  await sample(); // warm-up: the script's start (getconf, meminfo) is not a sample's cost
  const ticks0 = treeTicks(child.pid!);
  const bytes0 = bytes;
  const t0 = performance.now();
  let samples = 0;
  while ((samples < MIN_SAMPLES || performance.now() - t0 < MIN_WALL_MS) && samples < MAX_SAMPLES) {
    await sample();
    samples += 1;
  }
  const wall = performance.now() - t0;
  const ticks = treeTicks(child.pid!) - ticks0;
  child.stdin.end();
  await new Promise((resolve) => child.on('close', resolve));
  return { samples, cpuMsPerSample: (ticks * 10) / samples, wallMsPerSample: wall / samples, bytesPerSample: (bytes - bytes0) / samples };
}

const cluster = await startLocalCluster();
stopAllOnExit(cluster);
const results: Result[] = [];
const started = new Date();
try {
  for (const connections of connectionCounts) {
    const clients: pg.Client[] = [];
    for (let i = 0; i < connections; i++) {
      const client = new pg.Client({ host: cluster.host, port: cluster.port, user: cluster.user, password: cluster.password, database: cluster.database });
      await client.connect();
      clients.push(client);
    }
    try {
      for (const variant of VARIANTS) {
        for (const [shell, argv] of SHELLS) {
          const result = { connections, ...processCounts(), variant: variant.name, shell, ...(await measure(cluster, argv, variant.script)) };
          console.error(`${connections} connections, ${variant.name}, ${shell}: ${result.cpuMsPerSample.toFixed(1)} ms CPU, ${Math.round(result.bytesPerSample)} bytes a sample`);
          results.push(result);
        }
      }
    } finally {
      await Promise.all(clients.map((client) => client.end()));
    }
  }
} finally {
  await cluster.stop();
}

const kb = (bytes: number) => `${(bytes / 1000).toFixed(1)} kB`;
const lines = [
  '# What the sampler costs the watched server',
  '',
  `\`npm run bench:sampler\` (bench/sampler.ts) — ${started.toISOString().slice(0, 10)} on ${machineDescription()}, shared with other`,
  `work (load average ${loadavg()[0]!.toFixed(1)}), PostgreSQL ${cluster.majorVersion}, dash and ${readFileSync('/proc/version', 'utf8').split(' ').slice(0, 3).join(' ')}, busybox from the test machine.`,
  'N idle connections to a throwaway cluster; the script run locally as the fake API server\'s exec runs it (PGDATA set), one',
  `sample after another for at least ${MIN_WALL_MS / 1000} s (${MIN_SAMPLES}–${MAX_SAMPLES} samples) after one warm-up sample. CPU: utime + stime of the sh`,
  'and of the df/head it waited for (/proc/PID/stat, 10 ms ticks), per sample and per server process; bytes: of one record.',
  'Here /proc also holds the machine\'s other processes (the "/proc" column), which a container does not: a head variant',
  'reads all of them, the loop reads their comm.',
  '',
  '| N | server processes | /proc | variant | shell | samples | CPU ms / sample | CPU µs / server process | wall ms / sample | bytes / sample |',
  '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  ...results.map(
    (r) =>
      `| ${r.connections} | ${r.serverProcesses} | ${r.procEntries} | ${r.variant} | ${r.shell} | ${r.samples} | ${r.cpuMsPerSample.toFixed(1)} | ${Math.round((r.cpuMsPerSample * 1000) / Math.max(1, r.serverProcesses))} | ${r.wallMsPerSample.toFixed(1)} | ${kb(r.bytesPerSample)} |`,
  ),
  '',
  'What to read in it: "before" is the shell loop pgtop shipped until 13421e7 (read of comm, stat, statm and io per process,',
  'which dash and busybox ash take a byte per system call); "shipped" is src/host/sampler-script.ts. The alternatives were',
  'measured to choose: dropping io saves little CPU for the loss of the I/O columns; grep -H sends fewer bytes for more CPU',
  '(it matches every line). The grep variant is not parsed by pgtop: its figures are its cost only.',
  '',
];
writeFileSync(outFile, lines.join('\n'));
console.error(`written to ${path.relative(root, outFile)}`);
