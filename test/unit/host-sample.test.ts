// The sampler's records, parsed (src/host/parse.ts) from real /proc text,
// cgroup v2 and v1 file contents and df -Pk output, and the pure functions
// that turn two samples into CPU%, MEM, I/O rates, the container's usage and
// the data volume's projection (src/model/host-sample.ts).
import { describe, expect, it } from 'vitest';
import { ExecError } from '../../src/k8s/exec.js';
import { K8sError } from '../../src/k8s/errors.js';
import { unavailableReason } from '../../src/host/exec-sampler.js';
import { parseCgroup, parseDf, parseRecord, parseStat, RecordFramer } from '../../src/host/parse.js';
import { addUsedPoint, containerUsageBetween, fullInSeconds, processUsageBetween, type HostSample } from '../../src/model/host-sample.js';

// A real postgres backend's /proc/PID/stat (PostgreSQL 15 on Linux 6.1), its status' VmRSS and its io.
const BACKEND_STAT =
  '41207 (postgres) R 41190 41190 41190 0 -1 4194304 1042 0 0 0 1520 37 0 0 20 0 1 0 2137893 231792640 6101 18446744073709551615 1 1 0 0 0 0 4194304 19935232 84487 0 0 0 17 1 0 0 0 0 0 0 0 0 0 0 0 0 0';
const POSTMASTER_STAT =
  '41190 (postgres) S 1 41190 41190 0 -1 4194560 1730 1042 0 0 3 9 60 22 20 0 1 0 2136570 231219200 7347 18446744073709551615 1 1 0 0 0 0 0 19935232 84487 0 0 0 17 0 0 0 0 0 0 0 0 0 0 0 0 0 0';

function record(uptime: string, backendStat: string, readBytes: number, extra: string[] = []): string[] {
  return [
    'k 100',
    'm 24683548',
    'v 1',
    'p /var/lib/postgresql/data',
    `t ${uptime}`,
    `s ${POSTMASTER_STAT}`,
    'r 29388 kB',
    'i read_bytes: 0',
    'i write_bytes: 8192',
    `s ${backendStat}`,
    'r 24404 kB',
    `i read_bytes: ${readBytes}`,
    'i write_bytes: 0',
    // cgroup v1, as this machine's /sys/fs/cgroup/{memory,cpuacct,cpu} hold them
    'c memory/memory.usage_in_bytes 536870912',
    'c memory/memory.limit_in_bytes 1073741824',
    'c cpuacct/cpuacct.usage 31111866934948',
    'c cpu/cpu.cfs_quota_us 200000',
    'c cpu/cpu.cfs_period_us 100000',
    'c cpu/cpu.stat nr_periods 100',
    'c cpu/cpu.stat nr_throttled 5',
    'c cpu/cpu.stat throttled_time 1234567',
    'd Filesystem     1024-blocks     Used Available Capacity Mounted on',
    'd /dev/vda         264212084 27414616  78976296      26% /',
    ...extra,
  ];
}

describe('the sampler record parser', () => {
  it('reads /proc/PID/stat after the last parenthesis (comm may hold spaces and parentheses)', () => {
    expect(parseStat(BACKEND_STAT)).toEqual({ pid: 41207, ppid: 41190, cpuTicks: 1557, startTicks: 2137893 });
    // A process that named itself "x) R 1 2 3": the fields are still the kernel's.
    const sly = '500 (x) R 1 2 3) S 7 500 500 0 -1 0 0 0 0 0 11 22 0 0 20 0 1 0 999 0 0';
    expect(parseStat(sly)).toEqual({ pid: 500, ppid: 7, cpuTicks: 33, startTicks: 999 });
    expect(parseStat('garbage')).toBeNull();
    expect(parseStat('12 (postgres) R 1 2')).toBeNull();
  });

  it('reads a whole record: processes with RSS and I/O, cgroup v1, df', () => {
    const sample = parseRecord(record('21836.19', BACKEND_STAT, 4096))!;
    expect(sample.uptimeSeconds).toBe(21836.19);
    expect(sample.clockTicks).toBe(100);
    expect(sample.memTotalBytes).toBe(24683548 * 1024);
    expect(sample.path).toBe('/var/lib/postgresql/data');
    expect(sample.processes).toEqual([
      { pid: 41190, ppid: 1, cpuTicks: 12, startTicks: 2136570, rssBytes: 29388 * 1024, readBytes: 0, writeBytes: 8192 },
      { pid: 41207, ppid: 41190, cpuTicks: 1557, startTicks: 2137893, rssBytes: 24404 * 1024, readBytes: 4096, writeBytes: 0 },
    ]);
    expect(sample.cgroup).toEqual({
      version: 1,
      memoryBytes: 536870912,
      memoryLimitBytes: 1073741824,
      cpuSeconds: 31111.866934948,
      cpuLimitCores: 2,
      periods: 100,
      throttledPeriods: 5,
    });
    expect(sample.filesystem).toEqual({ sizeBytes: 264212084 * 1024, usedBytes: 27414616 * 1024, availableBytes: 78976296 * 1024 });
  });

  it('cgroup v1 without limits: the root cgroup (2^63 rounded to a page, quota -1) means none', () => {
    const files = new Map([
      ['memory.usage_in_bytes', '3536760832\n'],
      ['memory.limit_in_bytes', '9223372036854771712\n'],
      ['cpuacct.usage', '31111866934948\n'],
      ['cpu.cfs_quota_us', '-1\n'],
      ['cpu.cfs_period_us', '100000\n'],
      ['cpu.stat', 'nr_periods 0\nnr_throttled 0\nthrottled_time 0\nnr_bursts 0\nburst_time 0\n'],
    ]);
    expect(parseCgroup(1, files)).toEqual({ version: 1, memoryBytes: 3536760832, memoryLimitBytes: null, cpuSeconds: 31111.866934948, cpuLimitCores: null, periods: 0, throttledPeriods: 0 });
  });

  it('cgroup v2: memory.current, memory.max, cpu.max and cpu.stat as the kernel writes them', () => {
    const cpuStat = 'usage_usec 8512940\nuser_usec 6012345\nsystem_usec 2500595\nnr_periods 4211\nnr_throttled 312\nthrottled_usec 10593844\nnr_bursts 0\nburst_usec 0\n';
    const limited = new Map([
      ['memory.current', '402653184\n'],
      ['memory.max', '536870912\n'],
      ['cpu.max', '50000 100000\n'],
      ['cpu.stat', cpuStat],
    ]);
    expect(parseCgroup(2, limited)).toEqual({ version: 2, memoryBytes: 402653184, memoryLimitBytes: 536870912, cpuSeconds: 8.51294, cpuLimitCores: 0.5, periods: 4211, throttledPeriods: 312 });
    const unlimited = new Map([
      ['memory.current', '402653184\n'],
      ['memory.max', 'max\n'],
      ['cpu.max', 'max 100000\n'],
      ['cpu.stat', 'usage_usec 8512940\nuser_usec 6012345\nsystem_usec 2500595\n'],
    ]);
    expect(parseCgroup(2, unlimited)).toMatchObject({ memoryLimitBytes: null, cpuLimitCores: null, periods: null, throttledPeriods: null });
    // Through a record, as the sampler sends them.
    const sample = parseRecord(['t 10.5', 'v 2', 'c memory.current 402653184', 'c memory.max max', 'c cpu.max 50000 100000', ...cpuStat.trim().split('\n').map((l) => `c cpu.stat ${l}`)])!;
    expect(sample.cgroup).toMatchObject({ version: 2, memoryBytes: 402653184, memoryLimitBytes: null, cpuLimitCores: 0.5, periods: 4211 });
  });

  it('df -Pk with spaces in the device and mount point; nonsense is no filesystem', () => {
    expect(parseDf(['Filesystem 1024-blocks Used Available Capacity Mounted on', 'my fs 65536 1024 64512 2% /mnt/a b'])).toEqual({
      sizeBytes: 65536 * 1024,
      usedBytes: 1024 * 1024,
      availableBytes: 64512 * 1024,
    });
    expect(parseDf(['df: /nope: No such file or directory'])).toBeNull();
  });

  it('leaves out what does not parse: hostile numbers, lines without a process, a record without a clock', () => {
    const sample = parseRecord(['t 1.5', 'r 12 kB', 'i read_bytes: 5', 's 9 (postgres) R 1 2 3 4 5 6 7 8 9 10 1e9 5 0 0 0 0 0 0 7', 'c memory.current -5', 'v 2'])!;
    expect(sample.processes).toEqual([]);
    expect(sample.cgroup?.memoryBytes).toBeNull();
    expect(parseRecord(['k 100', 's ' + BACKEND_STAT])).toBeNull();
  });
});

describe('the record framer', () => {
  it('cuts records across chunks, ignores text outside them, and drops a record past the limit with one message', () => {
    const records: string[][] = [];
    const dropped: string[] = [];
    const framer = new RecordFramer((lines) => records.push(lines), (message) => dropped.push(message), 100);
    framer.push('noise\n@pgtop-sample 1\nt 1');
    framer.push('.5\nk 100\n@pgtop-end 1\n@pgtop-sample 2\n');
    expect(records).toEqual([['t 1.5', 'k 100']]);
    framer.push(`${'x'.repeat(60)}\n${'y'.repeat(60)}\n${'z'.repeat(300)}`);
    framer.push('\n@pgtop-end 2\n@pgtop-sample 3\nt 2\n@pgtop-end 3\n');
    expect(dropped).toEqual(['a sample larger than 0 KiB was dropped']);
    expect(records).toEqual([['t 1.5', 'k 100'], ['t 2']]);
  });
});

describe('rates between two samples', () => {
  const first = parseRecord(record('100.00', BACKEND_STAT, 4096))!;
  // One second later the backend used 95 more ticks (of 100 a second) and read 1 MiB.
  const busier = BACKEND_STAT.replace(' 1520 37 ', ' 1615 37 ');
  const second = parseRecord(record('101.00', busier, 4096 + 1024 * 1024))!;

  it('CPU% of one core, MEM of the limit, READ/s and WRITE/s; nothing but memory on the first sample', () => {
    const usage = processUsageBetween(first, second, 1073741824);
    const backend = usage.find((u) => u.pid === 41207)!;
    expect(backend.cpuPercent).toBeCloseTo(95, 5);
    expect(backend.readBytesPerSecond).toBe(1024 * 1024);
    expect(backend.writeBytesPerSecond).toBe(0);
    expect(backend.rssBytes).toBe(24404 * 1024);
    expect(backend.memPercent).toBeCloseTo(((24404 * 1024) / 1073741824) * 100, 5);
    const alone = processUsageBetween(null, first, null).find((u) => u.pid === 41207)!;
    expect(alone).toMatchObject({ cpuPercent: null, readBytesPerSecond: null });
    // Without a limit, MEM is of the machine's memory.
    expect(alone.memPercent).toBeCloseTo(((24404 * 1024) / (24683548 * 1024)) * 100, 5);
  });

  it('a reused pid (another start time) is a new process: no rate across it', () => {
    const reused = parseRecord(record('101.00', busier.replace(' 2137893 ', ' 2137999 '), 0))!;
    expect(processUsageBetween(first, reused, null).find((u) => u.pid === 41207)!.cpuPercent).toBeNull();
  });

  it("the container's CPU cores and throttled share over the interval", () => {
    const later: HostSample = { ...second, cgroup: { ...second.cgroup!, cpuSeconds: first.cgroup!.cpuSeconds! + 1.5, periods: 110, throttledPeriods: 9 } };
    expect(containerUsageBetween(first, later, 5)).toEqual({
      source: 'cgroup v1',
      memoryBytes: 536870912,
      memoryLimitBytes: 1073741824,
      cpuCores: 1.5,
      cpuLimitCores: 2,
      throttledRatio: 0.4,
      at: 5,
    });
    expect(containerUsageBetween(null, first, 5)).toMatchObject({ cpuCores: null, throttledRatio: null });
    expect(containerUsageBetween(first, { ...second, cgroup: null }, 5)).toBeNull();
  });
});

describe('the data volume projection', () => {
  const MB = 1024 * 1024;
  it('full in available / growth rate, over the window; null when it does not grow or too little was watched', () => {
    // 1 MB a second for a minute, 100 MB left: full in 100 s.
    const history = [
      { at: 0, usedBytes: 0 },
      { at: 30_000, usedBytes: 30 * MB },
      { at: 60_000, usedBytes: 60 * MB },
    ];
    expect(fullInSeconds(history, 100 * MB)).toBeCloseTo(100, 5);
    expect(fullInSeconds([{ at: 0, usedBytes: 0 }, { at: 2_000, usedBytes: MB }], 100 * MB)).toBeNull();
    expect(fullInSeconds([{ at: 0, usedBytes: 60 * MB }, { at: 60_000, usedBytes: 10 * MB }], 100 * MB)).toBeNull();
    expect(fullInSeconds([], 100 * MB)).toBeNull();
  });

  it('only the last hour counts: older growth is forgotten', () => {
    const hour = 3_600_000;
    const history = [
      { at: 0, usedBytes: 0 },
      { at: hour, usedBytes: 500 * MB },
      { at: 2 * hour, usedBytes: 500 * MB },
    ];
    expect(fullInSeconds(history, 100 * MB)).toBeNull();
    expect(fullInSeconds(history, 100 * MB, 3 * hour)).toBeCloseTo(100 / (500 / 7200), 3);
  });

  it('the history drops what left the window and stays bounded, keeping its ends', () => {
    let history: { at: number; usedBytes: number }[] = [];
    for (let i = 0; i < 1000; i++) history = addUsedPoint(history, { at: i * 1000, usedBytes: i }, 600_000, 50);
    expect(history.length).toBeLessThanOrEqual(50);
    expect(history.length).toBeGreaterThan(20);
    // Still spanning most of the window of 600 s (older parts at a coarser resolution).
    expect(history[0]!.at).toBeGreaterThanOrEqual(399_000);
    expect(history[0]!.at).toBeLessThan(520_000);
    expect(history[history.length - 1]!.at).toBe(999_000);
  });
});

describe('which exec failures switch the sampler off for good', () => {
  it('no sh, no create pods/exec, several containers: for good; a dropped stream or a failed script: tried again', () => {
    const noShell = new ExecError(
      'sh in pod pg-0 failed: OCI runtime exec failed: exec failed: unable to start container process: exec: "sh": executable file not found in $PATH: unknown',
      undefined,
      '',
      false,
    );
    expect(unavailableReason(noShell)).toBe('the server container has no sh');
    expect(unavailableReason(new K8sError('forbidden: create pods/exec in db', 'forbidden', 403))).toMatch(/^needs create pods\/exec/);
    expect(unavailableReason(new K8sError('a container name must be specified for pod pg-0, choose one of: [postgres exporter]', 'other', 400))).toMatch(/^the pod has several containers/);
    expect(unavailableReason(new ExecError('sh in pod pg-0: the stream ended without an exit status (WebSocket 1006); the output is incomplete', undefined, '', true))).toBeNull();
    expect(unavailableReason(new ExecError('sh in pod pg-0 exited with code 2', 2, '', false))).toBeNull();
  });
});
