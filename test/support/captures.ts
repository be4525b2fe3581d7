// Pane captures for the docs: a scenario test saves what its terminal shows
// at the end as plain text when PGTOP_CAPTURES_DIR is set (`npm run
// docs:captures` sets it to docs/captures); otherwise nothing happens. The
// window may be resized first, so the docs show a terminal of ordinary size
// whatever width the test's assertions needed.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { TmuxSession } from './tmux.js';

export interface CaptureOptions {
  /** Resize the window to this first (pgtop needs 80x24 at least; it redraws at once); the capture is taken after it did. */
  size?: { cols: number; rows: number };
  /** What the redrawn screen must show before it is taken (default: anything after 1.5 s). */
  waitFor?: string | RegExp;
}

/** Saves the pane as docs/captures/NAME.txt (trailing spaces and blank lines dropped) when PGTOP_CAPTURES_DIR is set. */
export async function saveCapture(session: TmuxSession, name: string, options: CaptureOptions = {}): Promise<void> {
  const dir = process.env.PGTOP_CAPTURES_DIR;
  if (!dir) return;
  if (options.size) {
    await session.command('resize-window', '-t', 'main', '-x', String(options.size.cols), '-y', String(options.size.rows));
    await new Promise((resolve) => setTimeout(resolve, 1_500));
  }
  const screen = options.waitFor ? await session.waitForText(options.waitFor, 10_000) : await session.capture();
  const text = screen
    .split('\n')
    .map((line) => line.trimEnd())
    .join('\n')
    .replace(/\n+$/, '');
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, `${name}.txt`), `${text}\n`);
}
