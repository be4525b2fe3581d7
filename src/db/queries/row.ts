// Small readers for raw pg rows: a mapper says what it expects, and a NULL or
// a hidden column (a role without pg_read_all_stats) becomes null, not NaN.
export type RawRow = Record<string, unknown>;

export function num(row: RawRow, column: string): number | null {
  const value = row[column];
  if (value === null || value === undefined) return null;
  const n = typeof value === 'number' ? value : Number(value);
  return Number.isFinite(n) ? n : null;
}

export function str(row: RawRow, column: string): string | null {
  const value = row[column];
  return value === null || value === undefined ? null : String(value);
}

export function bool(row: RawRow, column: string): boolean | null {
  const value = row[column];
  return value === null || value === undefined ? null : value === true || value === 't';
}

export function intArray(row: RawRow, column: string): number[] {
  const value = row[column];
  return Array.isArray(value) ? value.map(Number).filter(Number.isFinite) : [];
}

export function strArray(row: RawRow, column: string): string[] {
  const value = row[column];
  return Array.isArray(value) ? value.filter((v) => v !== null && v !== undefined).map(String) : [];
}
