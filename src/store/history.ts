// What the health screen's charts draw: one sample per refresh, the newest
// last, at most HISTORY_SIZE of them (a ring: the oldest falls off). The
// header source (src/db/sources.ts) appends one from the header (TPS,
// connections, cache hit) and, when the health query ran in the same
// refresh, the database size.
export interface HistorySample {
  /** Epoch ms (server clock) of the header sample. */
  at: number;
  tps: number | null;
  connections: number;
  /** 0..1 over the last interval. */
  cacheHitRatio: number | null;
  /** Size of the connected database; null when not measured this refresh. */
  databaseBytes: number | null;
}

export const HISTORY_SIZE = 120;

/** A new array with the sample appended and the oldest dropped beyond `size`. */
export function appendSample(history: readonly HistorySample[], sample: HistorySample, size = HISTORY_SIZE): HistorySample[] {
  const next = history.length >= size ? history.slice(history.length - size + 1) : [...history];
  next.push(sample);
  return next;
}
