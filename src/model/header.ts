// The header's sample of the server, and the rates between two samples.

/** One sample of the server-wide counters behind the header. */
export interface HeaderSample {
  database: string;
  user: string;
  uptimeSeconds: number;
  connections: number;
  maxConnections: number;
  /** Cumulative commits + rollbacks, all databases. */
  xacts: number;
  blocksHit: number;
  blocksRead: number;
  /** Server clock (epoch seconds) when sampled, so rates use the server's time. */
  sampledAt: number;
  inRecovery: boolean;
}

export type ServerRole = 'primary' | 'standby';

/** What the header, --once and the JSON call the server: a standby is in recovery (pg_is_in_recovery()). */
export function serverRole(sample: HeaderSample | null | undefined): ServerRole | null {
  return sample ? (sample.inRecovery ? 'standby' : 'primary') : null;
}

/** " (primary)", " (standby)", or nothing before the first sample: after the version in the header and --once. */
export function roleText(sample: HeaderSample | null | undefined): string {
  const role = serverRole(sample);
  return role ? ` (${role})` : '';
}

export interface HeaderRates {
  tps: number | null;
  /** 0..1; over the last interval when there was I/O, else since the stats reset. */
  cacheHitRatio: number | null;
}

/** Rates between two samples; counters that went backwards (stats reset, restart) give no rate. */
export function headerRates(previous: HeaderSample | null, current: HeaderSample): HeaderRates {
  const cumulative = ratio(current.blocksHit, current.blocksRead);
  if (!previous) return { tps: null, cacheHitRatio: cumulative };
  const seconds = current.sampledAt - previous.sampledAt;
  const xacts = current.xacts - previous.xacts;
  const hit = current.blocksHit - previous.blocksHit;
  const read = current.blocksRead - previous.blocksRead;
  const tps = seconds > 0 && xacts >= 0 ? xacts / seconds : null;
  const recent = hit >= 0 && read >= 0 && hit + read > 0 ? ratio(hit, read) : null;
  return { tps, cacheHitRatio: recent ?? cumulative };
}

function ratio(hit: number, read: number): number | null {
  return hit + read > 0 ? hit / (hit + read) : null;
}
