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

// A real postgres backend's /proc/PID/stat (PostgreSQL 15 on Linux 6.1; its rss field: 6101 pages) and its postmaster's (7347 pages).
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
    // head's files last, as the script writes them
    '==> /proc/41190/stat <==',
    POSTMASTER_STAT,
    '',
    '==> /proc/41207/stat <==',
    backendStat,
    '',
    '==> /proc/41190/io <==',
    'read_bytes: 0',
    'write_bytes: 8192',
    '',
    '==> /proc/41207/io <==',
    `read_bytes: ${readBytes}`,
    'write_bytes: 0',
  ];
}

describe('the sampler record parser', () => {
  it('reads /proc/PID/stat after the last parenthesis (comm may hold spaces and parentheses)', () => {
    expect(parseStat(BACKEND_STAT)).toEqual({ pid: 41207, ppid: 41190, cpuTicks: 1557, startTicks: 2137893, rssPages: 6101 });
    // A process that named itself "x) R 1 2 3": the fields are still the kernel's.
    const sly = '500 (x) R 1 2 3) S 7 500 500 0 -1 0 0 0 0 0 11 22 0 0 20 0 1 0 999 0 0';
    expect(parseStat(sly)).toEqual({ pid: 500, ppid: 7, cpuTicks: 33, startTicks: 999, rssPages: 0 });
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
      { pid: 41190, ppid: 1, cpuTicks: 12, startTicks: 2136570, rssBytes: 7347 * 4096, readBytes: 0, writeBytes: 8192 },
      { pid: 41207, ppid: 41190, cpuTicks: 1557, startTicks: 2137893, rssBytes: 6101 * 4096, readBytes: 4096, writeBytes: 0 },
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
    const sample = parseRecord(['t 1.5', 'c memory.current -5', 'v 2', '==> /proc/9/stat <==', '9 (postgres) R 1 2 3 4 5 6 7 8 9 10 1e9 5 0 0 0 0 0 0 7', '==> /proc/9/io <==', 'read_bytes: -5'])!;
    expect(sample.processes).toEqual([]);
    expect(sample.cgroup?.memoryBytes).toBeNull();
    expect(parseRecord(['k 100', '==> /proc/41207/stat <==', BACKEND_STAT])).toBeNull();
    // A sample that did not ask for the cgroup (or the processes, or df) has none.
    expect(parseRecord(['t 1.5', 'v 2'])).toMatchObject({ cgroup: null, processes: [], filesystem: null });
  });
});

// A record as the shipped script writes it (dash, PostgreSQL 15 on Linux 6.1, this machine's cgroup v1): the
// tagged lines, then df's and head's output. 13699 is a postmaster, 13932 a backend, 14544 the head itself (not postgres).
const HEAD_RECORD = `k 100
z 4096
m 24683548
v 1
p /var/lib/postgresql/data
t 26563.52
c memory/memory.usage_in_bytes 536870912
c memory/memory.limit_in_bytes 9223372036854771712
==> df <==
Filesystem     1024-blocks     Used Available Capacity Mounted on
/dev/vda         264212084 27414616  78976296      26% /
==> /proc/13699/stat <==
13699 (postgres) S 1 13699 13699 0 -1 4194304 6717 2921 0 0 7 8 3 10 20 0 1 0 2651504 238690304 10163 18446744073709551615 94924397641728 94924403055017 140732656784336 0 0 0 0 24129536 84487 1 0 0 17 1 0 0 0 0 0 94924405520560 94924405737866 94924766011392 140732656788514 140732656788584 140732656788584 140732656791508 0

==> /proc/13932/stat <==
13932 (postgres) S 13699 13932 13932 0 -1 4194368 472 0 0 0 1 0 0 0 20 0 1 0 2652855 240992256 3320 18446744073709551615 94786073739264 94786079152553 140727248411776 0 0 0 4194304 24123392 536896135 1 0 0 17 0 0 0 0 0 0 94786081618096 94786081835402 94786794016768 140727248417813 140727248417883 140727248417883 140727248420820 0

==> /proc/14544/stat <==
14544 (head) R 14254 14254 14254 0 -1 4194304 98 0 0 0 0 0 0 0 20 0 1 0 2653046 5578752 224 18446744073709551615 94583474540544 94583474559217 140726226369904 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0 94583474571856 94583474573352 94583497338880 140726226374555 140726226374608 140726226374608 140726226378729 0

==> /proc/13699/io <==
rchar: 2139174
wchar: 273261
syscr: 395
syscw: 129
read_bytes: 0
write_bytes: 270336
cancelled_write_bytes: 53248

==> /proc/13932/io <==
rchar: 191171
wchar: 0
syscr: 52
syscw: 0
read_bytes: 4096
write_bytes: 0
cancelled_write_bytes: 0

==> /proc/14544/io <==
rchar: 3990
wchar: 0
syscr: 9
syscw: 0
read_bytes: 0
write_bytes: 0
cancelled_write_bytes: 0
`.split('\n');
const FIRST_FILE = HEAD_RECORD.indexOf('==> /proc/13699/stat <==');

describe("the sampler's head of /proc", () => {
  it('reads the postgres processes of a real record: stat (its rss field in pages), read/write_bytes of io; the rest left out', () => {
    const sample = parseRecord(HEAD_RECORD)!;
    expect(sample.uptimeSeconds).toBe(26563.52);
    expect(sample.processes).toEqual([
      { pid: 13699, ppid: 1, cpuTicks: 15, startTicks: 2651504, rssBytes: 10163 * 4096, readBytes: 0, writeBytes: 270336 },
      { pid: 13932, ppid: 13699, cpuTicks: 1, startTicks: 2652855, rssBytes: 3320 * 4096, readBytes: 4096, writeBytes: 0 },
    ]);
    expect(sample.cgroup).toMatchObject({ version: 1, memoryBytes: 536870912, memoryLimitBytes: null });
    expect(sample.filesystem?.sizeBytes).toBe(264212084 * 1024);
  });

  it('a page size other than 4 kB; a process gone between the glob and the read: left out, or without what vanished', () => {
    const vanished = HEAD_RECORD.map((line) => line.replace('z 4096', 'z 65536'));
    // 14544 exited before its stat was read; 13932's io went with it (head prints the header, then nothing).
    const statAt = vanished.indexOf('==> /proc/14544/stat <==');
    vanished.splice(statAt + 1, 1);
    const ioAt = vanished.indexOf('==> /proc/13932/io <==');
    vanished.splice(ioAt + 1, 7);
    const sample = parseRecord(vanished)!;
    expect(sample.processes.map((p) => [p.pid, p.rssBytes, p.readBytes])).toEqual([
      [13699, 10163 * 65536, 0],
      [13932, 3320 * 65536, null],
    ]);
  });

  it("a comm with newlines (15 bytes of anything) is read whole and cannot forge a marker or another process's files", () => {
    // prctl(PR_SET_NAME) names: each fits the kernel's 15 bytes, and stat prints them raw.
    const forgers = ['x\n@pgtop-sample', '\n==> /proc/1/io', '\n@pgtop-end 1\n'];
    for (const comm of forgers) expect(comm.length).toBeLessThanOrEqual(15);
    const text = [
      '@pgtop-sample 7',
      ...HEAD_RECORD.slice(0, FIRST_FILE),
      ...forgers.flatMap((comm, i) => [`==> /proc/${900 + i}/stat <==`, ...`${900 + i} (${comm}) S 1 2 3 0 -1 0 0 0 0 0 5 5 0 0 20 0 1 0 77 0 0`.split('\n'), '']),
      ...HEAD_RECORD.slice(FIRST_FILE),
      '',
      '@pgtop-sample-end 7',
      '',
    ].join('\n');
    const records: string[][] = [];
    const framer = new RecordFramer((lines) => records.push(lines), () => records.push(['dropped']));
    framer.push(text);
    expect(records).toHaveLength(1);
    const sample = parseRecord(records[0]!)!;
    expect(sample.processes.map((p) => p.pid)).toEqual([13699, 13932]);
    expect(sample.processes[0]!.readBytes).toBe(0);
    // The same process named postgres with a newline is no postgres; named postgres it is, its stat read whole.
    expect(parseRecord(['t 1', '==> /proc/5/stat <==', '5 (postgres) S 1 2 3 0 -1 0 0 0 0 0 5 5 0 0 20 0 1 0 77 0 0'])!.processes).toHaveLength(1);
    expect(parseRecord(['t 1', '==> /proc/5/stat <==', '5 (post', 'gres) S 1 2 3 0 -1 0 0 0 0 0 5 5 0 0 20 0 1 0 77 0 0'])!.processes).toEqual([]);
    // A stat under another pid's header is not believed.
    expect(parseRecord(['t 1', '==> /proc/6/stat <==', '5 (postgres) S 1 2 3 0 -1 0 0 0 0 0 5 5 0 0 20 0 1 0 77 0 0'])!.processes).toEqual([]);
  });
});

describe('the record framer', () => {
  it('cuts records across chunks, ignores text outside them, and drops a record past the limit with one message', () => {
    const records: string[][] = [];
    const dropped: string[] = [];
    const framer = new RecordFramer((lines) => records.push(lines), (message) => dropped.push(message), 100);
    framer.push('noise\n@pgtop-sample 1\nt 1');
    framer.push('.5\nk 100\n@pgtop-sample-end 1\n@pgtop-sample 2\n');
    expect(records).toEqual([['t 1.5', 'k 100']]);
    framer.push(`${'x'.repeat(60)}\n${'y'.repeat(60)}\n${'z'.repeat(300)}`);
    framer.push('\n@pgtop-sample-end 2\n@pgtop-sample 3\nt 2\n@pgtop-sample-end 3\n');
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
    expect(backend.rssBytes).toBe(6101 * 4096);
    expect(backend.memPercent).toBeCloseTo(((6101 * 4096) / 1073741824) * 100, 5);
    const alone = processUsageBetween(null, first, null).find((u) => u.pid === 41207)!;
    expect(alone).toMatchObject({ cpuPercent: null, readBytesPerSecond: null });
    // Without a limit, MEM is of the machine's memory.
    expect(alone.memPercent).toBeCloseTo(((6101 * 4096) / (24683548 * 1024)) * 100, 5);
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
