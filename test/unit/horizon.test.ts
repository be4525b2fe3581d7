// The vacuum horizon's model: which holder is the oldest for the server and
// for this database's tables, how much it matters, and how each kind is named
// (the standby's is checked here only: a real standby is the replication
// harness's, see test/e2e on the replication branch).
import { describe, expect, it } from 'vitest';
import { holderName, horizonLevel, oldestHolder, type HorizonHolder } from '../../src/model/horizon.js';

function holder(overrides: Partial<HorizonHolder>): HorizonHolder {
  return {
    kind: 'backend', pid: 1, user: 'alice', database: 'shop', application: 'app', client: null, state: 'active',
    name: null, xmin: '1', xidAge: 10, seconds: 1, holdsHere: true, ...overrides,
  };
}

describe('the vacuum horizon', () => {
  it('takes the oldest for the server, and for this database only what holds back its own tables', () => {
    const slot = holder({ kind: 'catalog slot', pid: null, name: 's1', state: 'inactive', xidAge: 900, seconds: null, holdsHere: false });
    const elsewhere = holder({ pid: 2, database: 'crm', xidAge: 500, holdsHere: false });
    const here = holder({ pid: 3, xidAge: 40 });
    expect(oldestHolder([here, slot, elsewhere], 'server')).toBe(slot);
    expect(oldestHolder([here, slot, elsewhere], 'here')).toBe(here);
    expect(oldestHolder([], 'server')).toBeNull();
    expect(oldestHolder(undefined, 'here')).toBeNull();
  });

  it('warns from 30 s or a million transaction IDs, alarms from 5 min or a hundred million', () => {
    expect(horizonLevel(holder({ seconds: 29, xidAge: 999_999 }))).toBe('ok');
    expect(horizonLevel(holder({ seconds: 30 }))).toBe('warn');
    expect(horizonLevel(holder({ seconds: null, xidAge: 1_000_000 }))).toBe('warn');
    expect(horizonLevel(holder({ seconds: 300 }))).toBe('alarm');
    expect(horizonLevel(holder({ seconds: null, xidAge: 100_000_000 }))).toBe('alarm');
  });

  it('names each kind of holder by what identifies it', () => {
    expect(holderName(holder({ pid: 4711, state: 'idle in transaction' }))).toBe('pid 4711 (alice, shop, app, idle in transaction)');
    expect(holderName(holder({ kind: 'prepared', pid: null, name: 'x', application: null, state: null }))).toBe("prepared transaction 'x' (owner alice, shop)");
    expect(holderName(holder({ kind: 'slot', pid: null, name: 'standby_1', state: 'inactive' }))).toBe('replication slot standby_1 (xmin, inactive)');
    expect(holderName(holder({ kind: 'catalog slot', pid: 77, name: 'cdc', state: 'active' }))).toBe('replication slot cdc (catalog_xmin: system catalogs only, active, pid 77)');
    expect(holderName(holder({ kind: 'standby', pid: 88, application: 'replica1', client: '10.0.0.9', user: 'replicator', database: null }))).toBe(
      'standby replica1 (hot_standby_feedback, 10.0.0.9, walsender pid 88)',
    );
  });
});
