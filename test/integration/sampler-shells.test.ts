// The sampler script under the shells pods have: dash (Debian's /bin/sh)
// and busybox ash (Alpine's, there with busybox's own head and df and no
// getconf), against the real throwaway server's
// processes: one record per line on stdin, holding what the line asks for
// (the server's backends, the data directory's filesystem, this machine's
// cgroup (v1)), and an exit when stdin ends.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseRecord, RecordFramer } from '../../src/host/parse.js';
import { requestLine, SAMPLER_SCRIPT, type SampleRequest } from '../../src/host/sampler-script.js';
import { connect, pgInfo } from '../support/pg.js';

// An Alpine-like PATH: busybox's applets for what the script starts, nothing else.
const busyboxBin = mkdtempSync(path.join(tmpdir(), 'pgtop-busybox-'));
const busybox = execFileSync('sh', ['-c', 'command -v busybox'], { encoding: 'utf8' }).trim();
for (const applet of ['head', 'df']) symlinkSync(busybox, path.join(busyboxBin, applet));
afterAll(() => rmSync(busyboxBin, { recursive: true, force: true }));

const SHELLS: [string, string[], string | undefined][] = [
  ['dash', ['dash'], process.env.PATH],
  ['busybox ash', ['busybox', 'sh'], process.env.PATH],
  ["busybox ash with busybox's head and df only", [busybox, 'sh'], busyboxBin],
];

async function runSampler(shell: string[], requests: SampleRequest[], PATH: string | undefined): Promise<{ records: string[][]; bytes: number; code: number | null }> {
  const child = spawn(shell[0]!, [...shell.slice(1), '-c', SAMPLER_SCRIPT, 'pgtop-sampler'], {
    env: { PATH, PGDATA: pgInfo().dataDir },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const records: string[][] = [];
  let bytes = 0;
  const framer = new RecordFramer((lines) => records.push(lines), (message) => records.push([`dropped: ${message}`]));
  child.stdout.on('data', (chunk: Buffer) => {
    bytes += chunk.length;
    framer.push(chunk.toString('utf8'));
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  for (const [i, request] of requests.entries()) {
    child.stdin.write(requestLine(request));
    const want = i + 1;
    for (let wait = 0; records.length < want && wait < 100; wait++) await new Promise((resolve) => setTimeout(resolve, 100));
  }
  child.stdin.end();
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  expect(stderr).toBe('');
  return { records, bytes, code };
}

describe('the sampler script', () => {
  for (const [name, shell, PATH] of SHELLS) {
    it(`under ${name}: one record per request with what it asked for, the server's backends in it, an exit at EOF`, { timeout: 30_000 }, async () => {
      const client = await connect();
      try {
        const pid = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
        const all = { processes: true, container: true, filesystem: true };
        const { records, bytes, code } = await runSampler(shell, [all, all, { container: true }], PATH);
        const procEntries = readdirSync('/proc').filter((name) => /^\d+$/.test(name)).length;
        expect(code).toBe(0);
        expect(records).toHaveLength(3);
        const [first, second, containerOnly] = records.map((lines) => parseRecord(lines)!);
        expect(second!.uptimeSeconds).toBeGreaterThan(first!.uptimeSeconds);
        const mine = second!.processes.find((p) => p.pid === pid);
        expect(mine).toMatchObject({ pid });
        expect(mine!.rssBytes).toBeGreaterThan(0);
        // Run as root here, so /proc/PID/io is readable.
        expect(mine!.readBytes).not.toBeNull();
        expect(second!.path).toBe(pgInfo().dataDir);
        expect(second!.filesystem!.sizeBytes).toBeGreaterThan(0);
        expect(second!.cgroup).toMatchObject({ version: 1 });
        expect(second!.cgroup!.memoryBytes).toBeGreaterThan(0);
        expect(second!.clockTicks).toBe(100);
        // Only server processes come out of the parser (this machine's others are in /proc too)…
        expect(second!.processes.length).toBeGreaterThan(0);
        expect(second!.processes.length).toBeLessThan(procEntries);
        // …and the cost is as docs/host-figures.md says it: under 500 bytes per process in /proc.
        const headerOnly = records[2]!.join('\n').length;
        expect((bytes - headerOnly) / 2).toBeLessThan(1_000 + 500 * procEntries);
        // A request for the container's figures alone: no process read, no df started; a few hundred bytes.
        expect(containerOnly).toMatchObject({ processes: [], filesystem: null, cgroup: { version: 1 } });
        expect(containerOnly!.uptimeSeconds).toBeGreaterThanOrEqual(second!.uptimeSeconds);
        expect(headerOnly).toBeLessThan(1_000);
      } finally {
        await client.end();
      }
    });
  }
});
