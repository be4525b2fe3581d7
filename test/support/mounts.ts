// Real file-system failures for backup tests: a tiny tmpfs that fills up
// (ENOSPC) and a read-only bind mount (EROFS). Both need root (CI runs as
// root); without it the callers fall back to what a normal user can do and
// say which they used.
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';

export interface Mounted {
  dir: string;
  unmount(): void;
}

function mount(args: string[], dir: string): Mounted | null {
  mkdirSync(dir, { recursive: true });
  try {
    execFileSync('mount', [...args, dir], { stdio: 'ignore', timeout: 10_000 });
  } catch {
    rmSync(dir, { recursive: true, force: true });
    return null;
  }
  return {
    dir,
    unmount() {
      try {
        execFileSync('umount', [dir], { stdio: 'ignore', timeout: 10_000 });
      } catch {
        execFileSync('umount', ['-l', dir], { stdio: 'ignore', timeout: 10_000 });
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A tmpfs of `size` (e.g. "256k") at dir, or null when mounting is not allowed. */
export function mountTmpfs(dir: string, size: string): Mounted | null {
  return mount(['-t', 'tmpfs', '-o', `size=${size},mode=0700`, 'tmpfs'], dir);
}

/** `source` bound read-only at dir, or null when mounting is not allowed. */
export function mountReadOnly(source: string, dir: string): Mounted | null {
  return mount(['--bind', '-o', 'ro', source], dir);
}
