// Sizes and query times as the statements, sizes and health screens show
// them: short enough for an 8-column cell, precise where it matters.
import { duration } from './format.js';

const BYTE_UNITS = ['B', 'kB', 'MB', 'GB', 'TB', 'PB'];

/** 0 B, 512 B, 8.0 kB, 456 MB, 1.2 GB; "" for null. */
export function bytes(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '';
  let n = Math.max(0, value);
  let unit = 0;
  while (n >= 1024 && unit < BYTE_UNITS.length - 1) {
    n /= 1024;
    unit += 1;
  }
  if (unit === 0) return `${Math.round(n)} B`;
  return `${n < 10 ? n.toFixed(1) : Math.round(n)} ${BYTE_UNITS[unit]}`;
}

/** Milliseconds of query time: 0.42ms, 12ms, 1.23s, 4m05s; "" for null. */
export function millis(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '';
  if (ms < 10) return `${ms.toFixed(2)}ms`;
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 10_000) return `${(ms / 1000).toFixed(2)}s`;
  return duration(ms / 1000);
}

/** Seconds ago as "3m05s ago", or "never". */
export function ago(seconds: number | null | undefined): string {
  return seconds === null || seconds === undefined ? 'never' : `${duration(seconds)} ago`;
}
