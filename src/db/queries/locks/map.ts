import { intArray, num, str, type RawRow } from '../row.js';

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

export function mapLockParticipant(row: RawRow): LockParticipant {
  const query = str(row, 'query');
  const hidden = query === '<insufficient privilege>';
  return {
    pid: num(row, 'pid') ?? 0,
    user: str(row, 'user_name'),
    database: str(row, 'database'),
    application: str(row, 'application_name') ?? '',
    state: str(row, 'state'),
    waitEvent: str(row, 'wait_event'),
    blockedBy: intArray(row, 'blocked_by'),
    lockType: str(row, 'locktype'),
    mode: str(row, 'mode'),
    relation: str(row, 'relation'),
    waitSeconds: num(row, 'wait_seconds'),
    xactSeconds: num(row, 'xact_seconds'),
    stateSeconds: num(row, 'state_seconds'),
    query: hidden ? '' : (query ?? ''),
    hidden,
  };
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
 * wait) with its waiters under it, depth first. A waiter blocked by two
 * sessions appears under both. Deadlock cycles (rare: the server breaks them
 * within deadlock_timeout) are cut where they close, and a cycle with no root
 * is shown from its lowest pid.
 */
export function blockingTree(participants: readonly LockParticipant[]): LockTreeRow[] {
  const byPid = new Map(participants.map((p) => [p.pid, p]));
  const waitersOf = new Map<number, LockParticipant[]>();
  for (const p of participants) {
    for (const blocker of p.blockedBy) {
      if (!byPid.has(blocker)) continue;
      const list = waitersOf.get(blocker) ?? [];
      list.push(p);
      waitersOf.set(blocker, list);
    }
  }
  for (const list of waitersOf.values()) list.sort(longestWaitFirst);

  const rows: LockTreeRow[] = [];
  const shown = new Set<number>();
  const countWaiters = (pid: number, path: Set<number>): number =>
    (waitersOf.get(pid) ?? [])
      .filter((w) => !path.has(w.pid))
      .reduce((sum, w) => sum + 1 + countWaiters(w.pid, new Set(path).add(w.pid)), 0);
  const visit = (p: LockParticipant, depth: number, path: number[]): void => {
    const onPath = new Set(path);
    rows.push({ key: [...path, p.pid].join('/'), depth, participant: p, waiterCount: countWaiters(p.pid, onPath.add(p.pid)) });
    shown.add(p.pid);
    for (const waiter of waitersOf.get(p.pid) ?? []) {
      if (!onPath.has(waiter.pid)) visit(waiter, depth + 1, [...path, p.pid]);
    }
  };

  const isRoot = (p: LockParticipant) => !p.blockedBy.some((b) => byPid.has(b));
  const roots = participants.filter(isRoot).sort((a, b) => (b.xactSeconds ?? 0) - (a.xactSeconds ?? 0));
  for (const root of roots) visit(root, 0, []);
  // Whatever is left sits in a cycle.
  for (const p of [...participants].sort((a, b) => a.pid - b.pid)) {
    if (!shown.has(p.pid)) visit(p, 0, []);
  }
  return rows;
}

function longestWaitFirst(a: LockParticipant, b: LockParticipant): number {
  return (b.waitSeconds ?? 0) - (a.waitSeconds ?? 0) || a.pid - b.pid;
}
