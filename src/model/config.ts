// Server settings, and their values in units people read.

export interface Setting {
  name: string;
  /** As pg_settings has it, in `unit`. */
  setting: string;
  unit: string | null;
  category: string;
  description: string;
  /** postmaster (restart), sighup (reload), user, superuser… */
  context: string;
  type: string;
  /** default, configuration file, command line, environment variable… */
  source: string;
  defaultValue: string | null;
  resetValue: string | null;
  minValue: string | null;
  maxValue: string | null;
  choices: string | null;
  sourceFile: string | null;
  sourceLine: number | null;
  /** Changed in the configuration file, but needs a restart to apply. */
  pendingRestart: boolean;
  /** One of the settings the administration session checks. */
  key: boolean;
  /** Differs from the built-in default. */
  changed: boolean;
}

const BYTES_PER: Record<string, number> = { B: 1, kB: 1024, MB: 1024 ** 2, GB: 1024 ** 3, TB: 1024 ** 4, '8kB': 8192, '16kB': 16384, '32kB': 32768, '16MB': 16 * 1024 ** 2 };

const MS_PER: Record<string, number> = { us: 0.001, ms: 1, s: 1000, min: 60_000, h: 3_600_000, d: 86_400_000 };

/** A setting's value as a person reads it: 128MB, 4GB, 1min, 200ms, on; the raw text otherwise. */
export function readableValue(setting: string, unit: string | null): string {
  const n = Number(setting);
  if (!unit || setting === '' || !Number.isFinite(n)) return setting;
  // -1 and 0 usually mean "use another setting" or "off", not a size or a time.
  if (n < 0) return setting;
  const bytes = BYTES_PER[unit];
  if (bytes !== undefined) return readableBytes(n * bytes);
  const ms = MS_PER[unit];
  if (ms !== undefined) return n === 0 ? '0' : readableMs(n * ms);
  return `${setting}${unit}`;
}

/** Exact when it divides evenly (128MB, 1GB), otherwise one decimal (1.5GB). */
export function readableBytes(bytes: number): string {
  const units: [string, number][] = [['TB', 1024 ** 4], ['GB', 1024 ** 3], ['MB', 1024 ** 2], ['kB', 1024]];
  for (const [name, size] of units) {
    if (bytes >= size) {
      const value = bytes / size;
      return `${Number.isInteger(value) ? value : value.toFixed(1)}${name}`;
    }
  }
  return `${bytes}B`;
}

export function readableMs(ms: number): string {
  const units: [string, number][] = [['d', 86_400_000], ['h', 3_600_000], ['min', 60_000], ['s', 1000], ['ms', 1]];
  for (const [name, size] of units) {
    if (ms >= size && Number.isInteger(ms / size)) return `${ms / size}${name}`;
  }
  return ms >= 1000 ? `${(ms / 1000).toFixed(1)}s` : `${ms}ms`;
}
