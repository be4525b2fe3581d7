// The memory a runtime takes before a monitor does anything: the peak RSS of
// an idle `node` and an idle `python3` after a second. pgtop cannot go below
// Node's, nor pg_activity below Python's; the report shows both.
import { spawn } from 'node:child_process';
import { statusKb } from './proc.js';

async function idlePeakMb(command: string, args: string[]): Promise<number> {
  const child = spawn(command, args, { stdio: 'ignore' });
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  const kb = child.pid ? statusKb(child.pid, 'VmHWM') : 0;
  child.kill();
  return kb / 1024;
}

export async function floorRssMb(): Promise<{ node: number; python: number }> {
  return {
    node: await idlePeakMb(process.execPath, ['-e', 'setTimeout(() => {}, 5000)']),
    python: await idlePeakMb('python3', ['-c', 'import time; time.sleep(5)']),
  };
}
