import { describe, expect, it } from 'vitest';
import { blockingTree, type LockParticipant } from '../../src/db/queries/locks/map.js';

function p(pid: number, blockedBy: number[] = [], waitSeconds: number | null = null): LockParticipant {
  return {
    pid, user: 'u', database: 'd', application: '', state: blockedBy.length ? 'active' : 'idle in transaction', waitEvent: null,
    blockedBy, lockType: blockedBy.length ? 'transactionid' : null, mode: blockedBy.length ? 'ShareLock' : null, relation: null,
    waitSeconds, xactSeconds: 10, stateSeconds: 1, query: `q${pid}`, hidden: false,
  };
}

const shape = (rows: ReturnType<typeof blockingTree>) => rows.map((r) => `${'  '.repeat(r.depth)}${r.participant.pid}(${r.waiterCount})`);

describe('blockingTree', () => {
  it('puts each waiter under its blocker, longest wait first, and counts waiters transitively', () => {
    const rows = blockingTree([p(3, [2], 5), p(1), p(2, [1], 9), p(4, [1], 12)]);
    expect(shape(rows)).toEqual(['1(3)', '  4(0)', '  2(1)', '    3(0)']);
  });

  it('shows a waiter with two blockers under both, with distinct keys', () => {
    const rows = blockingTree([p(1), p(2), p(3, [1, 2], 1)]);
    expect(shape(rows)).toEqual(['1(1)', '  3(0)', '2(1)', '  3(0)']);
    expect(new Set(rows.map((r) => r.key)).size).toBe(rows.length);
  });

  it('cuts a deadlock cycle instead of recursing forever', () => {
    const rows = blockingTree([p(5, [6], 1), p(6, [5], 1)]);
    expect(shape(rows)).toEqual(['5(1)', '  6(0)']);
  });

  it('ignores blockers that are not in the result (ended meanwhile)', () => {
    expect(shape(blockingTree([p(7, [99], 1)]))).toEqual(['7(0)']);
  });
});
