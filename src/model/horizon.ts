// The vacuum horizon: the oldest transaction ID some holder still needs, so
// that VACUUM leaves every tuple deleted after it ("dead but not yet
// removable"). Who holds it — a session's snapshot or open transaction, a
// prepared transaction, a replication slot, a standby's hot_standby_feedback —
// and how old it is, in transaction IDs and in time where the server knows it.
import { compactNumber, duration } from '../format/format.js';
import type { Level } from './bloat.js';

export type HorizonHolderKind = 'backend' | 'prepared' | 'slot' | 'catalog slot' | 'standby';

/** One holder of an xmin, from the horizon query (src/db/queries/horizon). */
export interface HorizonHolder {
  kind: HorizonHolderKind;
  /** The backend (or a slot's active walsender); null for a prepared transaction or an unused slot. */
  pid: number | null;
  user: string | null;
  database: string | null;
  application: string | null;
  client: string | null;
  /** A session's state ("idle in transaction"); a slot's "active" or "inactive". */
  state: string | null;
  /** A prepared transaction's gid, a slot's name. */
  name: string | null;
  xmin: string | null;
  /** How many transaction IDs old its xmin is (age()). */
  xidAge: number;
  /** How long it has held it: a session's transaction, a prepared transaction's age; null for slots and standbys. */
  seconds: number | null;
  /** Whether it holds back the dead tuples of the connected database's tables (not a catalog_xmin, not a session in another database). */
  holdsHere: boolean;
}

/** The oldest holder of all (the server's horizon), or of the connected database's tables. */
export function oldestHolder(holders: readonly HorizonHolder[] | undefined, scope: 'server' | 'here'): HorizonHolder | null {
  let oldest: HorizonHolder | null = null;
  for (const h of holders ?? []) {
    if (scope === 'here' && !h.holdsHere) continue;
    if (!oldest || h.xidAge > oldest.xidAge) oldest = h;
  }
  return oldest;
}

// As the health screen's idle-in-transaction check: amber from 30 s, red from 5 min; for holders without a time, by transaction IDs.
const WARN_SECONDS = 30;
const ALARM_SECONDS = 300;
const WARN_XIDS = 1_000_000;
const ALARM_XIDS = 100_000_000;

/** How much a holder matters: a session holding its snapshot for 30 s, or a slot a million transactions behind, is worth a warning. */
export function horizonLevel(h: HorizonHolder): Level {
  if ((h.seconds ?? 0) >= ALARM_SECONDS || h.xidAge >= ALARM_XIDS) return 'alarm';
  if ((h.seconds ?? 0) >= WARN_SECONDS || h.xidAge >= WARN_XIDS) return 'warn';
  return 'ok';
}

/** "pid 4711 (alice, idle in transaction)", "prepared transaction 'x' (alice, shop)", "logical slot s1 (catalog_xmin, inactive)". */
export function holderName(h: HorizonHolder): string {
  const who = (parts: (string | null)[]) => parts.filter(Boolean).join(', ');
  switch (h.kind) {
    case 'backend':
      return `pid ${h.pid ?? '?'} (${who([h.user, h.database, h.application, h.state])})`;
    case 'prepared':
      return `prepared transaction '${h.name ?? ''}' (${who([h.user ? `owner ${h.user}` : null, h.database])})`;
    case 'slot':
      return `replication slot ${h.name ?? ''} (xmin, ${who([h.state, h.pid !== null ? `pid ${h.pid}` : null])})`;
    case 'catalog slot':
      return `replication slot ${h.name ?? ''} (catalog_xmin: system catalogs only, ${who([h.state, h.pid !== null ? `pid ${h.pid}` : null])})`;
    case 'standby':
      return `standby ${h.application || '?'} (hot_standby_feedback, ${who([h.client, h.pid !== null ? `walsender pid ${h.pid}` : null])})`;
  }
}

/** "29.9k xids, 2m05s": how old a holder's xmin is. */
export function holderAge(h: HorizonHolder): string {
  return `${compactNumber(h.xidAge)} xids${h.seconds !== null ? `, ${duration(h.seconds)}` : ''}`;
}

/** What ends the hold, said where the holder is named. */
export function holderRemedy(h: HorizonHolder): string {
  switch (h.kind) {
    case 'backend':
      return `K ends pid ${h.pid ?? '?'} (its transaction rolls back)`;
    case 'prepared':
      return 'X on the locks screen rolls it back (ROLLBACK PREPARED), C commits it';
    case 'slot':
    case 'catalog slot':
      return 'its consumer must catch up, or the slot be dropped';
    case 'standby':
      return "the standby's long queries hold it (hot_standby_feedback)";
  }
}

/** "the oldest xmin is held by pid 4711 (alice, idle in transaction): 12 xids, 1m05s old". */
export function horizonText(h: HorizonHolder): string {
  return `the oldest xmin is held by ${holderName(h)}: ${holderAge(h)} old`;
}
