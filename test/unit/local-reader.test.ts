// Direct mode's reading of this host's /proc (src/host/local-reader.ts), on a
// copy of /proc: which processes it reads (the postmaster's children from its
// task's children file, the whole of /proc only without it), which files (stat
// and io, nothing else), and the page size it works out.
import { describe, expect, it } from 'vitest';
import { localProcesses, pageBytes, type ProcFiles } from '../../src/host/local-reader.js';

const stat = (pid: number, ppid: number, comm = 'postgres', rssPages = 100) =>
  `${pid} (${comm}) S ${ppid} ${pid} ${pid} 0 -1 4194304 1 0 0 0 ${pid} 3 0 0 20 0 1 0 ${5000 + pid} 2000000 ${rssPages} 18446744073709551615\n`;
const io = (read: number) => `rchar: 1\nwchar: 2\nsyscr: 3\nsyscw: 4\nread_bytes: ${read}\nwrite_bytes: 8192\ncancelled_write_bytes: 0\n`;

function fakeProc(files: Record<string, string>): ProcFiles & { reads: string[] } {
  const reads: string[] = [];
  return {
    reads,
    read: (path) => {
      reads.push(path);
      const text = files[path];
      if (text === undefined) throw new Error(`ENOENT: ${path}`);
      return text;
    },
    list: () => [...new Set(Object.keys(files).map((path) => path.split('/')[0]!))].filter((name) => /^\d+$/.test(name)),
    statfs: () => ({ sizeBytes: 0, availableBytes: 0, freeBytes: 0 }),
  };
}

const HOST = {
  '100/stat': stat(100, 1),
  '100/io': io(0),
  '101/stat': stat(101, 100),
  '101/io': io(4096),
  '102/stat': stat(102, 100, 'sh'), // archive_command's shell: not a server process
  '102/io': io(0),
  '103/stat': stat(103, 100),
  // 103's io is unreadable (another user's process)
  '500/stat': stat(500, 1, 'postgres'), // another server's postmaster on the same host
  '500/io': io(0),
};

describe("direct mode's /proc reading", () => {
  it("reads the postmaster's children from its children file: stat and io of each, nobody else's", () => {
    const proc = fakeProc({ ...HOST, '100/task/100/children': '101 102 103 ' });
    const processes = localProcesses(100, 4096, proc);
    expect(processes.map((p) => [p.pid, p.rssBytes, p.readBytes])).toEqual([
      [100, 100 * 4096, 0],
      [101, 100 * 4096, 4096],
      [103, 100 * 4096, null],
    ]);
    expect(proc.reads.filter((path) => path.startsWith('500'))).toEqual([]);
    expect(new Set(proc.reads.map((path) => path.split('/').slice(1).join('/')))).toEqual(new Set(['stat', 'io', 'task/100/children']));
  });

  it('without the children file (a kernel without CONFIG_PROC_CHILDREN) it finds them by their parent; a process gone since is left out', () => {
    const { '101/stat': _gone, ...rest } = HOST;
    const processes = localProcesses(100, 4096, fakeProc(rest));
    expect(processes.map((p) => p.pid)).toEqual([100, 103]);
  });

  it('works out the page size from one process seen in pages and in kB', () => {
    expect(pageBytes(fakeProc({ 'self/statm': '1000 250 10 1 0 5 0\n', 'self/status': 'Name:\tnode\nVmRSS:\t    1000 kB\n' }))).toBe(4096);
    expect(pageBytes(fakeProc({ 'self/statm': '1000 250 10 1 0 5 0\n', 'self/status': 'VmRSS:\t   16000 kB\n' }))).toBe(65536);
    expect(pageBytes(fakeProc({}))).toBe(4096);
  });
});
