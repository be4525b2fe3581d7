// Who waits for whom: lock participants, and the blocking tree built from them.

/** A session in a lock conflict: waiting, blocking, or both. */
export interface LockParticipant {
  pid: number;
  user: string | null;
  database: string | null;
  application: string;
  state: string | null;
  waitEvent: string | null;
  /** Sessions this one waits for (pg_blocking_pids); empty for a pure blocker. */
  blockedBy: number[];
  /** The lock it waits for, when it waits. */
  lockType: string | null;
  mode: string | null;
  relation: string | null;
  waitSeconds: number | null;
  xactSeconds: number | null;
  stateSeconds: number | null;
  query: string;
  hidden: boolean;
}

/** One line of the blocking tree: a session at a depth under its blocker. */
export interface LockTreeRow {
  /** The path of pids from the root, unique even when a waiter has two blockers. */
  key: string;
  depth: number;
  participant: LockParticipant;
  /** How many sessions wait behind this one, directly or not. */
  waiterCount: number;
}

/**
 * The blocking tree: each root blocker (a session that blocks but does not
 * wait) with its waiters under it, depth first. A waiter sits under the
 * sessions it waits for directly: pg_blocking_pids() also names everyone
 * ahead of it in the lock's queue (the tenth session queued on a row lock
 * lists all nine before it), and showing it under each of those would repeat
 * every queue 2^n times (512 rows, and as many "blocks", for 10 sessions on
 * one row). So a blocker that another of its blockers already waits behind
 * is left out; a waiter blocked by two unrelated sessions still appears
 * under both. Deadlock cycles (rare: the server breaks them within
 * deadlock_timeout) are cut where they close, and a cycle with no root is
 * shown from its lowest pid.
 */
export function blockingTree(participants: readonly LockParticipant[]): LockTreeRow[] {
  const byPid = new Map(participants.map((p) => [p.pid, p]));
  const blockersOf = new Map(participants.map((p) => [p.pid, p.blockedBy.filter((b) => b !== p.pid && byPid.has(b))]));
  const ancestors = transitive((pid) => blockersOf.get(pid) ?? []);
  const waitersOf = new Map<number, LockParticipant[]>();
  for (const p of participants) {
    const blockers = blockersOf.get(p.pid)!;
    // Left out: a blocker that another blocker of p waits behind (unless they wait for each other: a cycle).
    const direct = blockers.filter((b) => !blockers.some((o) => o !== b && ancestors(o).has(b) && !ancestors(b).has(o)));
    for (const blocker of direct) {
      const list = waitersOf.get(blocker) ?? [];
      list.push(p);
      waitersOf.set(blocker, list);
    }
  }
  for (const list of waitersOf.values()) list.sort(longestWaitFirst);
  const behind = transitive((pid) => (waitersOf.get(pid) ?? []).map((w) => w.pid));

  const rows: LockTreeRow[] = [];
  const shown = new Set<number>();
  const visit = (p: LockParticipant, depth: number, path: number[]): void => {
    const onPath = new Set(path).add(p.pid);
    let waiterCount = 0;
    for (const pid of behind(p.pid)) if (!onPath.has(pid)) waiterCount += 1;
    rows.push({ key: [...path, p.pid].join('/'), depth, participant: p, waiterCount });
    shown.add(p.pid);
    for (const waiter of waitersOf.get(p.pid) ?? []) {
      if (!onPath.has(waiter.pid)) visit(waiter, depth + 1, [...path, p.pid]);
    }
  };

  const isRoot = (p: LockParticipant) => blockersOf.get(p.pid)!.length === 0;
  const roots = participants.filter(isRoot).sort((a, b) => (b.xactSeconds ?? 0) - (a.xactSeconds ?? 0));
  for (const root of roots) visit(root, 0, []);
  // Whatever is left sits in a cycle.
  for (const p of [...participants].sort((a, b) => a.pid - b.pid)) {
    if (!shown.has(p.pid)) visit(p, 0, []);
  }
  return rows;
}

/** Every pid reachable through `next` (memoized; a cycle stops where it closes). */
function transitive(next: (pid: number) => readonly number[]): (pid: number) => Set<number> {
  const memo = new Map<number, Set<number>>();
  const visiting = new Set<number>();
  const reach = (pid: number): Set<number> => {
    const known = memo.get(pid);
    if (known) return known;
    const result = new Set<number>();
    if (visiting.has(pid)) return result;
    visiting.add(pid);
    for (const n of next(pid)) {
      result.add(n);
      for (const m of reach(n)) result.add(m);
    }
    visiting.delete(pid);
    memo.set(pid, result);
    return result;
  };
  return reach;
}

function longestWaitFirst(a: LockParticipant, b: LockParticipant): number {
  return (b.waitSeconds ?? 0) - (a.waitSeconds ?? 0) || a.pid - b.pid;
}
