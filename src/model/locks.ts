// Who waits for whom: lock participants, and the blocking tree built from them.

/**
 * A session in a lock conflict (waiting, blocking, or both), a prepared
 * transaction (it holds its locks with no session), or a holder pgtop cannot
 * name (pg_blocking_pids() gave a pid it cannot see, or 0 with no prepared
 * transaction to match): never left out, so its waiters are never roots.
 */
export interface LockParticipant {
  kind: 'backend' | 'prepared' | 'unknown';
  /** The backend; 0 for a prepared transaction or a holder without one. */
  pid: number;
  user: string | null;
  database: string | null;
  application: string;
  state: string | null;
  waitEvent: string | null;
  /** Sessions this one waits for (pg_blocking_pids); empty for a pure blocker. */
  blockedBy: number[];
  /** Prepared transactions (their gids) this one waits for: pg_blocking_pids() says 0 for them. */
  blockedByPrepared: string[];
  /** pg_blocking_pids() said 0 and no prepared transaction holds what it wants. */
  blockedByUnknown: boolean;
  /** The lock it waits for, when it waits. */
  lockType: string | null;
  mode: string | null;
  relation: string | null;
  waitSeconds: number | null;
  xactSeconds: number | null;
  stateSeconds: number | null;
  query: string;
  hidden: boolean;
  /** A prepared transaction's gid and transaction ID. */
  prepared: { gid: string; xid: string } | null;
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
export function blockingTree(given: readonly LockParticipant[]): LockTreeRow[] {
  // The participants come anew each refresh, but mostly as they were: the same
  // sessions waiting for the same blockers, their durations a second longer.
  // Then the tree has the same shape, and only its participants are new.
  const fingerprint = treeFingerprint(given);
  if (lastTree?.fingerprint === fingerprint) {
    const byId = new Map(given.map((p) => [participantId(p), p]));
    // Unknown holders are made here from a pid alone: the last ones serve.
    return lastTree.rows.map((r) => ({ ...r, participant: byId.get(participantId(r.participant)) ?? r.participant }));
  }
  treeBuilds += 1;
  const rows = buildTree(given);
  lastTree = { fingerprint, rows };
  return rows;
}

let lastTree: { fingerprint: string; rows: LockTreeRow[] } | null = null;
let treeBuilds = 0;

/** How many times a tree was built rather than its last shape reused (for tests and the bench). */
export function blockingTreeBuilds(): number {
  return treeBuilds;
}

/**
 * What decides the tree's shape and order: who each participant is and
 * waits for, and where it comes in the two orders the tree sorts by (longest
 * wait first among waiters, longest transaction first among roots). The sorts
 * are stable, so a participant's place in them over all participants decides
 * its place among any of them; the unknown holders sort with durations of 0,
 * so each duration's sign is part of it too.
 */
function treeFingerprint(given: readonly LockParticipant[]): string {
  let fingerprint = '';
  for (const p of given) {
    // Gids (server text) as JSON, which escapes control characters: the separators stay unambiguous.
    const gids = p.blockedByPrepared.length ? JSON.stringify(p.blockedByPrepared) : '';
    fingerprint += `${safeId(p)}\u0001${p.blockedBy.join(',')}\u0001${gids}\u0001${p.blockedByUnknown ? 1 : 0}${Math.sign(p.waitSeconds ?? 0)}${Math.sign(p.xactSeconds ?? 0)}\u0000`;
  }
  const ids = (sorted: LockParticipant[]) => sorted.map(safeId).join('\u0000');
  return `${fingerprint}\u0003${ids([...given].sort(longestWaitFirst))}\u0003${ids([...given].sort(longestTransactionFirst))}`;
}

function safeId(p: LockParticipant): string {
  return p.kind === 'prepared' ? JSON.stringify(participantId(p)) : participantId(p);
}

function buildTree(given: readonly LockParticipant[]): LockTreeRow[] {
  const known = new Set(given.map(participantId));
  const participants = [...given, ...unknownHolders(given, known)];
  const blockersOf = new Map(participants.map((p) => [participantId(p), blockerIds(p, known).filter((b) => b !== participantId(p))]));
  const ancestors = transitive((id) => blockersOf.get(id) ?? []);
  const waitersOf = new Map<string, LockParticipant[]>();
  for (const p of participants) {
    const blockers = blockersOf.get(participantId(p))!;
    // Left out: a blocker that another blocker of p waits behind (unless they wait for each other: a cycle).
    const direct = blockers.filter((b) => !blockers.some((o) => o !== b && ancestors(o).has(b) && !ancestors(b).has(o)));
    for (const blocker of direct) {
      const list = waitersOf.get(blocker) ?? [];
      list.push(p);
      waitersOf.set(blocker, list);
    }
  }
  for (const list of waitersOf.values()) list.sort(longestWaitFirst);
  const behind = transitive((id) => (waitersOf.get(id) ?? []).map(participantId));

  const rows: LockTreeRow[] = [];
  const shown = new Set<string>();
  const visit = (p: LockParticipant, depth: number, path: string[]): void => {
    const id = participantId(p);
    const onPath = new Set(path).add(id);
    let waiterCount = 0;
    for (const other of behind(id)) if (!onPath.has(other)) waiterCount += 1;
    rows.push({ key: [...path, id].join('/'), depth, participant: p, waiterCount });
    shown.add(id);
    for (const waiter of waitersOf.get(id) ?? []) {
      if (!onPath.has(participantId(waiter))) visit(waiter, depth + 1, [...path, id]);
    }
  };

  const isRoot = (p: LockParticipant) => blockersOf.get(participantId(p))!.length === 0;
  const roots = participants.filter(isRoot).sort(longestTransactionFirst);
  for (const root of roots) visit(root, 0, []);
  // Whatever is left sits in a cycle.
  for (const p of [...participants].sort((a, b) => a.pid - b.pid)) {
    if (!shown.has(participantId(p))) visit(p, 0, []);
  }
  return rows;
}

/** How the tree names a participant: a backend by its pid, a prepared transaction by its gid. */
export function participantId(p: LockParticipant): string {
  if (p.kind === 'prepared') return `prepared:${p.prepared?.gid ?? ''}`;
  if (p.kind === 'unknown') return `unknown:${p.pid}`;
  return String(p.pid);
}

/** Who a participant waits for, by id; a blocker not among the rows is an unknown holder ("unknown:<pid>", "unknown:0"). */
function blockerIds(p: LockParticipant, known: ReadonlySet<string>): string[] {
  const ids = [
    ...p.blockedBy.map((pid) => (known.has(String(pid)) ? String(pid) : `unknown:${pid}`)),
    ...p.blockedByPrepared.map((gid) => (known.has(`prepared:${gid}`) ? `prepared:${gid}` : 'unknown:0')),
    ...(p.blockedByUnknown ? ['unknown:0'] : []),
  ];
  return [...new Set(ids)];
}

/**
 * The holders waiters name but the rows do not hold (a pid gone from
 * pg_stat_activity or not visible, a prepared transaction gone since,
 * pg_blocking_pids()' 0 with no match): an "unknown holder" row each, so
 * their waiters sit under something instead of passing for roots.
 */
function unknownHolders(participants: readonly LockParticipant[], known: ReadonlySet<string>): LockParticipant[] {
  const holders = new Map<string, LockParticipant>();
  for (const p of participants) {
    for (const id of blockerIds(p, known)) {
      if (id.startsWith('unknown:') && !holders.has(id)) holders.set(id, unknownHolder(Number(id.slice('unknown:'.length))));
    }
  }
  return [...holders.values()];
}

function unknownHolder(pid: number): LockParticipant {
  return {
    kind: 'unknown', pid, user: null, database: null, application: '', state: null, waitEvent: null,
    blockedBy: [], blockedByPrepared: [], blockedByUnknown: false, lockType: null, mode: null, relation: null,
    waitSeconds: null, xactSeconds: null, stateSeconds: null, query: '', hidden: false, prepared: null,
  };
}

/** Every participant reachable through `next` (memoized; a cycle stops where it closes). */
function transitive(next: (id: string) => readonly string[]): (id: string) => Set<string> {
  const memo = new Map<string, Set<string>>();
  const visiting = new Set<string>();
  const reach = (id: string): Set<string> => {
    const known = memo.get(id);
    if (known) return known;
    const result = new Set<string>();
    if (visiting.has(id)) return result;
    visiting.add(id);
    for (const n of next(id)) {
      result.add(n);
      for (const m of reach(n)) result.add(m);
    }
    visiting.delete(id);
    memo.set(id, result);
    return result;
  };
  return reach;
}

function longestWaitFirst(a: LockParticipant, b: LockParticipant): number {
  return (b.waitSeconds ?? 0) - (a.waitSeconds ?? 0) || a.pid - b.pid;
}

function longestTransactionFirst(a: LockParticipant, b: LockParticipant): number {
  return (b.xactSeconds ?? 0) - (a.xactSeconds ?? 0);
}
