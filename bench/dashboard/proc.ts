// What a monitor costs the box, read from Linux's /proc: the CPU time and
// peak resident memory of a process and everything it started. A process
// tree is sampled as a whole because a tool may run helpers (a shell in
// front of it, a child process).
import { readdirSync, readFileSync } from 'node:fs';

const TICKS_PER_SECOND = 100; // USER_HZ: 100 on every Linux Node supports

/** The pid and every descendant still alive (children found through /proc/<pid>/task/<tid>/children). */
export function processTree(root: number): number[] {
  const seen: number[] = [];
  const queue = [root];
  while (queue.length) {
    const pid = queue.shift()!;
    if (seen.includes(pid)) continue;
    seen.push(pid);
    let tasks: string[] = [];
    try {
      tasks = readdirSync(`/proc/${pid}/task`);
    } catch {
      continue; // gone
    }
    for (const tid of tasks) {
      try {
        const children = readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').trim();
        if (children) queue.push(...children.split(/\s+/).map(Number));
      } catch {
        // the task ended meanwhile
      }
    }
  }
  return seen;
}

/**
 * CPU seconds used by the process so far, its waited-for children included
 * (utime + stime + cutime + cstime of /proc/<pid>/stat).
 */
export function cpuSeconds(pid: number): number {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name may hold spaces and parentheses: fields start after the last ')'.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    // Fields 14..17 of stat(5) are at 11..14 once pid and comm are cut off.
    const ticks = [11, 12, 13, 14].reduce((sum, i) => sum + Number(fields[i]), 0);
    return ticks / TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

/** A field of /proc/<pid>/status in kB (VmHWM: peak RSS, VmRSS: now), 0 when gone. */
export function statusKb(pid: number, field: 'VmHWM' | 'VmRSS'): number {
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) : 0;
  } catch {
    return 0;
  }
}

/** The command line of a process, for reports ("node bin/pgtop.js …"). */
export function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
  } catch {
    return '';
  }
}

/** CPU seconds of a whole tree and the sum of its processes' peak RSS (MB). */
export function treeUsage(root: number): { cpuSeconds: number; peakRssMb: number; pids: number[] } {
  const pids = processTree(root);
  return {
    cpuSeconds: pids.reduce((sum, pid) => sum + cpuSeconds(pid), 0),
    peakRssMb: pids.reduce((sum, pid) => sum + statusKb(pid, 'VmHWM'), 0) / 1024,
    pids,
  };
}

/** The machine, for the report: cores, CPU model, memory. */
export function machineDescription(): string {
  const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
  const model = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1]?.trim() ?? 'unknown CPU';
  const cores = (cpuinfo.match(/^processor\s*:/gm) ?? []).length;
  const memKb = Number(/^MemTotal:\s+(\d+) kB/m.exec(readFileSync('/proc/meminfo', 'utf8'))?.[1] ?? 0);
  return `${cores} × ${model}, ${Math.round(memKb / 1024 / 1024)} GiB RAM`;
}
