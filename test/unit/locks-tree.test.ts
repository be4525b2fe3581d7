import { describe, expect, it } from 'vitest';
import { blockingTree, blockingTreeBuilds, type LockParticipant } from '../../src/model/locks.js';

function p(pid: number, blockedBy: number[] = [], waitSeconds: number | null = null): LockParticipant {
  return {
    kind: 'backend', blockedByPrepared: [], blockedByUnknown: false, prepared: null,
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

  it('queues on one row as a chain, each waiter once: pg_blocking_pids names everyone ahead in the queue', () => {
    // 1 holds the row; 2 holds its tuple lock and waits for 1; 3.. wait behind all before them.
    const queue = [p(1), p(2, [1], 9), p(3, [2], 8), p(4, [2, 3], 7), p(5, [2, 3, 4], 6), p(6, [4, 2, 5, 3], 5)];
    const rows = blockingTree(queue);
    expect(shape(rows)).toEqual(['1(5)', '  2(4)', '    3(3)', '      4(2)', '        5(1)', '          6(0)']);
    // Twelve sessions on one row: 12 rows, not 2^10.
    const twelve = [p(1), ...Array.from({ length: 11 }, (_, i) => p(i + 2, Array.from({ length: i + 1 }, (_, j) => j + 1).slice(i === 0 ? 0 : 1)))];
    expect(blockingTree(twelve)).toHaveLength(12);
    expect(blockingTree(twelve)[0]!.waiterCount).toBe(11);
  });

  it('cuts a deadlock cycle instead of recursing forever', () => {
    const rows = blockingTree([p(5, [6], 1), p(6, [5], 1)]);
    expect(shape(rows)).toEqual(['5(1)', '  6(0)']);
  });

  it('puts a waiter whose blocker is not in the result under an unknown holder, never at the root', () => {
    const rows = blockingTree([p(7, [99], 1), p(8, [99], 2)]);
    expect(rows.map((r) => `${'  '.repeat(r.depth)}${r.participant.kind}:${r.participant.pid}(${r.waiterCount})`)).toEqual(['unknown:99(2)', '  backend:8(0)', '  backend:7(0)']);
  });

  it('puts a waiter of a prepared transaction under it, and one blocked by "pid 0" with no match under an unknown holder', () => {
    const prepared: LockParticipant = { ...p(0), kind: 'prepared', user: 'alice', prepared: { gid: 'x', xid: '745' }, xactSeconds: 60 };
    const waiter = { ...p(7, [], 3), blockedByPrepared: ['x'], lockType: 'transactionid', mode: 'ShareLock' };
    const queued = { ...p(8, [7], 1) };
    const orphan = { ...p(9, [], 2), blockedByUnknown: true, lockType: 'transactionid', mode: 'ShareLock' };
    const rows = blockingTree([waiter, queued, prepared, orphan]);
    expect(rows.map((r) => `${'  '.repeat(r.depth)}${r.participant.kind}:${r.participant.prepared?.gid ?? r.participant.pid}(${r.waiterCount})`)).toEqual([
      'prepared:x(2)',
      '  backend:7(1)',
      '    backend:8(0)',
      'unknown:0(1)',
      '  backend:9(0)',
    ]);
    expect(rows.filter((r) => r.depth === 0).every((r) => r.participant.kind !== 'backend')).toBe(true);
  });
});

describe('blockingTree from one refresh to the next', () => {
  const queue = (tick: number, last: number[] = [1, 2, 3]) => [p(1), p(2, [1], 9 + tick), p(3, [2], 8 + tick), p(4, last, 7 + tick), p(5, [4], 2 + tick)];

  it('builds the tree again only when who waits for whom or the order changed', () => {
    const first = blockingTree(queue(0));
    const builds = blockingTreeBuilds();
    // A second later: the same sessions wait for the same blockers, longer.
    const later = blockingTree(queue(1));
    expect(blockingTreeBuilds()).toBe(builds);
    expect(shape(later)).toEqual(shape(first));
    // The rows carry this refresh's participants (their durations), not the last ones.
    expect(later.map((r) => r.participant.waitSeconds)).toEqual([null, 10, 9, 8, 3]);
    expect(later.map((r) => r.key)).toEqual(first.map((r) => r.key));
    // 4 now waits for 1 alone: a new shape.
    const moved = blockingTree(queue(2, [1]));
    expect(blockingTreeBuilds()).toBe(builds + 1);
    expect(shape(moved)).toEqual(['1(4)', '  2(1)', '    3(0)', '  4(1)', '    5(0)']);
    // 5 now waited longer than 2: the waiters' order changes, so does the tree.
    const reordered = [p(1), p(2, [1], 9), p(3, [1], 30)];
    expect(shape(blockingTree(reordered))).toEqual(['1(2)', '  3(0)', '  2(0)']);
    expect(shape(blockingTree([p(1), p(2, [1], 31), p(3, [1], 30)]))).toEqual(['1(2)', '  2(0)', '  3(0)']);
  });

  it('gives the same rows as a tree built afresh, for unknown holders and prepared transactions too', () => {
    const prepared: LockParticipant = { ...p(0), kind: 'prepared', prepared: { gid: 'g\u0001x', xid: '7' } };
    const world = (tick: number) => [prepared, { ...p(2, [], 3 + tick), blockedByPrepared: ['g\u0001x'] }, p(3, [99], 1 + tick), p(4, [3], tick)];
    blockingTree(world(0));
    const reused = blockingTree(world(1));
    const fresh = blockingTree([...world(1), p(50)]).filter((r) => r.participant.pid !== 50);
    expect(reused.map((r) => [r.key, r.depth, r.waiterCount, r.participant])).toEqual(fresh.map((r) => [r.key, r.depth, r.waiterCount, r.participant]));
  });
});
