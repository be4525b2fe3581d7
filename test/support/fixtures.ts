// Rows as the mappers produce them, for screen tests that need no server.
import type { Backend } from '../../src/model/activity.js';
import type { HeaderSample } from '../../src/model/header.js';
import type { LockParticipant } from '../../src/model/locks.js';
import type { PgtopState } from '../../src/store/store.js';

export function backend(overrides: Partial<Backend> & { pid: number }): Backend {
  return {
    user: 'app', database: 'shop', application: 'web', client: '10.0.0.7:51234', backendType: 'client backend',
    state: 'active', waitEventType: null, waitEvent: null, xactSeconds: 1.5, querySeconds: 1.5, stateSeconds: 1.5,
    backendSeconds: 600, backendXid: null, backendXmin: null, xminAge: null, leaderPid: null, blockedBy: [], query: 'SELECT 1', hidden: false,
    ...overrides,
  };
}

export function participant(overrides: Partial<LockParticipant> & { pid: number }): LockParticipant {
  return {
    kind: 'backend', blockedByPrepared: [], blockedByUnknown: false, prepared: null,
    user: 'app', database: 'shop', application: 'psql', state: 'active', waitEvent: null, blockedBy: [], lockType: null,
    mode: null, relation: null, waitSeconds: null, xactSeconds: 30, stateSeconds: 30, query: 'UPDATE t SET v = 1', hidden: false,
    ...overrides,
  };
}

export const header: HeaderSample = {
  database: 'shop', user: 'postgres', uptimeSeconds: 3 * 86400, connections: 12, maxConnections: 100, xacts: 1000,
  blocksHit: 990, blocksRead: 10, sampledAt: 1_700_000_000, inRecovery: false,
};

/** A connected dashboard showing these backends and lock participants. */
export function connectedWith(backends: Backend[], locks: LockParticipant[] = [], ownPids: number[] = []) {
  return (s: PgtopState) => {
    s.connection = { ...s.connection, state: 'connected', serverVersion: '15.18', serverVersionNum: 150018, ownPids };
    s.data.header = header;
    s.data.rates = { tps: 42.5, cacheHitRatio: 0.991 };
    s.data.results = {
      activity: { rows: backends, updatedAt: Date.now(), error: null, disabled: null },
      locks: { rows: locks, updatedAt: Date.now(), error: null, disabled: null },
    };
  };
}
