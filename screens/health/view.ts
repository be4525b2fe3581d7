// The health screen: the administration session's checks at a glance, each
// green / amber / red with the number behind it, and charts of TPS,
// connections, cache hit ratio and database size over the session (drawn by
// HealthScreen from store.data.history). Pure: --once prints the checks.
import { wraparoundLevel, XID_WRAPAROUND, type Level } from '../../src/model/bloat.js';
import { ordinaryLimit, type ConnectionSlots, type HealthSnapshot, type SlotHolder } from '../../src/model/health.js';
import { replicationAlarms } from '../../src/model/replication.js';
import { holderAge, holderName, holderRemedy, horizonLevel, oldestHolder } from '../../src/model/horizon.js';
import { horizonBackendRequest } from '../bloat/view.js';
import { compactNumber, duration, percent } from '../../src/format/format.js';
import { bytes } from '../../src/format/size.js';
import type { ScreenView } from '../../src/render/screen-view.js';
import { memoizeLast, type CellTone, type Column } from '../../src/render/table.js';
import type { HistorySample } from '../../src/store/history.js';
import type { PgtopState } from '../../src/store/store.js';

export type CheckLevel = Level | 'unknown';

export interface HealthCheck {
  id: string;
  name: string;
  level: CheckLevel;
  /** The number behind the verdict: "12/100 (12%)". */
  value: string;
  /** What the thresholds are and what to do. */
  advice: string;
}

// The administration session checks long queries from 30 s and treats 5 min as trouble.
const LONG_WARN_SECONDS = 30;
const LONG_ALARM_SECONDS = 300;

function byThreshold(value: number | null, warn: number, alarm: number): CheckLevel {
  if (value === null) return 'ok';
  return value >= alarm ? 'alarm' : value >= warn ? 'warn' : 'ok';
}

/**
 * How close ordinary roles are to refusal. They are refused at max_connections
 * less superuser_reserved_connections (and reserved_connections on 16+), not
 * at max_connections: with the slots query, that is the limit; before it
 * lands, the header's count against max_connections.
 */
function connectionsCheck(state: PgtopState): HealthCheck {
  const header = state.data.header;
  const slots: ConnectionSlots | undefined = state.data.results.connectionSlots?.rows[0];
  const levelOf = (used: number): CheckLevel => (used >= 0.9 ? 'alarm' : used >= 0.75 ? 'warn' : 'ok');
  if (slots) {
    const limit = ordinaryLimit(slots);
    const used = slots.clientBackends / Math.max(1, limit);
    const reserves = `superuser_reserved_connections ${slots.superuserReserved}${slots.reserved ? `, reserved_connections ${slots.reserved}` : ''}`;
    const top = (holders: SlotHolder[]) => holders.map((h) => `${h.name || '(none)'} ${h.count}`).join(', ') || '–';
    return {
      id: 'connections',
      name: 'connections',
      level: levelOf(used),
      value: `${slots.clientBackends} of ${limit} for ordinary roles (${percent(used, 0)}; max_connections ${slots.maxConnections} less ${reserves}); most by user: ${top(slots.topUsers)}; by application: ${top(slots.topApplications)}`,
      advice: `Amber from 75 %, red from 90 % of the slots ordinary roles may use: at ${limit} they get "remaining connection slots are reserved", superusers at ${slots.maxConnections} "too many clients". Pool connections (PgBouncer), end idle ones, or raise max_connections (restart).`,
    };
  }
  const used = header ? header.connections / Math.max(1, header.maxConnections) : null;
  return {
    id: 'connections',
    name: 'connections',
    level: header ? levelOf(used!) : 'unknown',
    value: header ? `${header.connections} of max_connections ${header.maxConnections} (${percent(used, 0)})` : '–',
    advice: 'Amber from 75 % of max_connections, red from 90 %: new clients get "too many clients" at 100 %. Pool connections (PgBouncer) or raise max_connections (restart).',
  };
}

/** Every check, from the header, the connection and the health query. */
export function healthChecks(state: PgtopState): HealthCheck[] {
  const { connection, data } = state;
  const header = data.header;
  const snapshot: HealthSnapshot | undefined = data.results.health?.rows[0];
  const partial = snapshot && !snapshot.seesAll ? ' (only this role\'s sessions: grant pg_monitor to see all)' : '';
  const checks: HealthCheck[] = [];

  checks.push({
    id: 'connectivity',
    name: 'connectivity',
    level: connection.state === 'connected' ? 'ok' : connection.state === 'connecting' ? 'unknown' : 'alarm',
    value:
      connection.state === 'connected'
        ? `connected, last refresh ${data.lastRefresh ? `${data.lastRefresh.ms} ms for ${data.lastRefresh.queries} queries` : '–'}`
        : `${connection.state}${connection.lastError ? `: ${connection.lastError}` : ''}`,
    advice: "SELECT 'Database connection OK': pgtop runs it every refresh; red while reconnecting.",
  });

  checks.push(connectionsCheck(state));

  const hit = data.rates.cacheHitRatio;
  checks.push({
    id: 'cacheHit',
    name: 'cache hit ratio',
    level: hit === null ? 'unknown' : hit >= 0.99 ? 'ok' : hit >= 0.9 ? 'warn' : 'alarm',
    value: percent(hit, 2),
    advice: 'Blocks found in shared_buffers over the last refresh (else since the stats reset). Amber below 99 %, red below 90 %: a working set larger than shared_buffers, or big scans.',
  });

  checks.push({
    id: 'longQueries',
    name: 'long-running queries',
    level: snapshot ? byThreshold(snapshot.longestQuerySeconds, LONG_WARN_SECONDS, LONG_ALARM_SECONDS) : 'unknown',
    value: snapshot
      ? `${snapshot.longQueries} active over ${LONG_WARN_SECONDS}s${snapshot.longestQuerySeconds !== null ? `, longest ${duration(snapshot.longestQuerySeconds)}` : ''}${partial}`
      : '–',
    advice: `Amber from ${LONG_WARN_SECONDS} s, red from ${LONG_ALARM_SECONDS / 60} min. The activity screen (1) sorts by time: c cancels, K terminates.`,
  });

  checks.push({
    id: 'idleInTransaction',
    name: 'idle in transaction',
    level: snapshot ? byThreshold(snapshot.longestIdleSeconds, LONG_WARN_SECONDS, LONG_ALARM_SECONDS) : 'unknown',
    value: snapshot
      ? `${snapshot.idleInTransaction} session(s)${snapshot.longestIdleSeconds !== null ? `, longest ${duration(snapshot.longestIdleSeconds)}` : ''}${partial}`
      : '–',
    advice: 'An open transaction holds its locks and stops VACUUM from removing dead tuples. Amber from 30 s, red from 5 min; set idle_in_transaction_session_timeout.',
  });

  checks.push({
    id: 'lockWaits',
    name: 'lock waits',
    level: snapshot ? (snapshot.lockWaits === 0 ? 'ok' : (snapshot.longestLockWaitSeconds ?? 0) >= LONG_WARN_SECONDS ? 'alarm' : 'warn') : 'unknown',
    value: snapshot
      ? `${snapshot.lockWaits} session(s) waiting${snapshot.lockWaits && snapshot.longestLockWaitSeconds !== null ? ` (up to ${duration(snapshot.longestLockWaitSeconds)})` : ''}${partial}`
      : '–',
    advice: 'Amber while anyone waits for a lock, red when a wait passes 30 s. The locks screen (2) shows who blocks whom.',
  });

  checks.push(horizonCheck(state));

  const age = snapshot?.oldestXidAge ?? null;
  checks.push({
    id: 'wraparound',
    name: 'XID wraparound',
    level: age === null ? 'unknown' : wraparoundLevel(age),
    value:
      age === null
        ? '–'
        : `${snapshot!.oldestXidDatabase ?? '?'}: age ${compactNumber(age)}, ${percent(age / XID_WRAPAROUND, 2)} of wraparound (${percent(age / snapshot!.freezeMaxAge, 0)} of autovacuum_freeze_max_age)`,
    advice: 'Amber from 50 %, red from 75 % of the 2^31 transaction IDs. Past autovacuum_freeze_max_age autovacuum forces a freeze: the bloat screen (5) shows it.',
  });

  checks.push(...replicationChecks(state));

  if (snapshot?.databaseBytes !== null && snapshot?.databaseBytes !== undefined) {
    checks.push({
      id: 'size',
      name: 'database size',
      level: 'ok',
      value: `${header?.database ?? ''} ${bytes(snapshot.databaseBytes)}`,
      advice: 'pg_database_size of the connected database; the sizes screen (4) says where it goes.',
    });
  }
  return checks;
}

/** Replication's alarms (src/model/replication.ts), or one line saying why they could not be checked. */
function replicationChecks(state: PgtopState): HealthCheck[] {
  const result = state.data.results.replicationOverview;
  const overview = result?.rows[0];
  if (overview) return replicationAlarms(overview, { bytes, duration });
  const why = result?.disabled ?? result?.error;
  return [
    {
      id: 'replication',
      name: 'replication and WAL',
      level: 'unknown',
      value: why ? `not checked: ${why}` : '–',
      advice: 'Standby lag, replay, inactive slots and archiving: pg_ls_waldir() needs pg_monitor (GRANT pg_monitor TO the role pgtop uses).',
    },
  ];
}

/** Who holds the oldest xmin on the server, and for how long: what VACUUM cannot clean up after. */
function horizonCheck(state: PgtopState): HealthCheck {
  const result = state.data.results.horizon;
  const holder = oldestHolder(result?.rows, 'server');
  const known = result !== undefined && !result.error && !result.disabled;
  return {
    id: 'horizon',
    name: 'vacuum horizon',
    level: !known ? 'unknown' : holder ? horizonLevel(holder) : 'ok',
    // How old first: the column is cut at the terminal's width.
    value: !known ? '–' : holder ? `${holderAge(holder)} old: ${holderName(holder)}` : 'nothing holds an old xmin',
    advice: `The oldest xmin anything holds (a session's snapshot or transaction, a prepared transaction, a replication slot, a standby's feedback): VACUUM cannot remove what was deleted after it, so tables bloat behind it. Amber from 30 s or a million transaction IDs, red from 5 min or 100 million.${holder ? ` Now: ${holderRemedy(holder)}.` : ''}`,
  };
}

const LEVEL_TEXT: Record<CheckLevel, string> = { ok: 'OK', warn: 'WARN', alarm: 'ALARM', unknown: '…' };
const LEVEL_TONE: Record<CheckLevel, CellTone> = { ok: 'good', warn: 'warn', alarm: 'alert', unknown: 'dim' };

export const healthColumns: readonly Column<HealthCheck>[] = [
  { id: 'level', title: 'STATUS', width: 6, text: (c) => LEVEL_TEXT[c.level], tone: (c) => LEVEL_TONE[c.level] },
  { id: 'name', title: 'CHECK', width: 21, text: (c) => c.name },
  { id: 'value', title: 'NOW', width: 'flex', minWidth: 20, text: (c) => c.value },
];

const memoChecks = memoizeLast((connection: PgtopState['connection'], data: PgtopState['data']) => healthChecks({ connection, data } as PgtopState));

export const healthView: ScreenView<HealthCheck> = {
  rows: (state) => memoChecks(state.connection, state.data),
  rowKey: (c) => c.id,
  columns: healthColumns,
  actions: {
    // K on the horizon check: the session holding it.
    terminateBackend: (c, state) => (c?.id === 'horizon' ? horizonBackendRequest(state, 'server') : null),
  },
  detail: (c) => [
    ['check', c.name],
    ['status', LEVEL_TEXT[c.level]],
    ['now', c.value],
    ['what it means', c.advice],
  ],
  json: (c) => c,
  emptyText: () => 'waiting for the first refresh',
};

/** One chart's series from the history: the last `points` values, gaps carried over from the value before. */
export function chartSeries(history: readonly HistorySample[], pick: (s: HistorySample) => number | null, points: number): number[] {
  const values: number[] = [];
  let last: number | null = null;
  for (const sample of history.slice(-points)) {
    const v = pick(sample);
    if (v !== null && Number.isFinite(v)) last = v;
    if (last !== null) values.push(last);
  }
  return values;
}

export interface ChartSpec {
  id: string;
  title: string;
  pick(s: HistorySample): number | null;
  /** How a value reads on the axis (8 characters). */
  format(value: number): string;
}

export const HEALTH_CHARTS: readonly ChartSpec[] = [
  { id: 'tps', title: 'TPS', pick: (s) => s.tps, format: (v) => compactNumber(v) },
  { id: 'connections', title: 'connections', pick: (s) => s.connections, format: (v) => String(Math.round(v)) },
  { id: 'cacheHit', title: 'cache hit %', pick: (s) => (s.cacheHitRatio === null ? null : s.cacheHitRatio * 100), format: (v) => v.toFixed(1) },
  { id: 'size', title: 'database size', pick: (s) => s.databaseBytes, format: (v) => bytes(v) },
];
