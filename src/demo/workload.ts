// The demo's background traffic: what a small shop's server sees. Five
// connections and one query at a time on each, a few per second on tables
// of a few thousand rows, so it stays a few percent of one core:
//
//   shop-api    (shop_app)        lookups and new orders, every ~0.2 s
//   reports     (shop_reporting)  a heavier aggregate every ~2 s
//   billing-job (shop_app)        BEGIN; UPDATE accounts …; and then nothing:
//                                 idle in transaction, holding the row lock
//   shop-api ×2 (shop_app)        UPDATEs of that row, waiting on it (a tree:
//                                 the second waits on the first's tuple lock)
//
// When someone ends the blocker (K on the locks screen, or an
// idle_in_transaction_session_timeout), the waiters finish; the scenario
// starts over a while later so the locks screen has something to show again.
import pg from 'pg';

export interface WorkloadServer {
  host: string;
  port: number;
  database: string;
}

export interface WorkloadUser {
  user: string;
  password: string;
}

export interface WorkloadOptions {
  app: WorkloadUser;
  reporting: WorkloadUser;
  /** Pause before the lock scenario starts again after its blocker ended. */
  lockRestartMs?: number;
  /** Reports problems the workload cannot fix itself (never thrown). */
  onProblem?: (message: string) => void;
}

export interface Workload {
  /** Resolves once the lock scenario is in place (blocker and both waiters queued). */
  ready: Promise<void>;
  /** Ends every workload connection; safe to call twice. */
  stop(): Promise<void>;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function startWorkload(server: WorkloadServer, options: WorkloadOptions): Workload {
  const clients = new Set<pg.Client>();
  let stopped = false;
  const problem = (message: string) => options.onProblem?.(message);

  const open = async (who: WorkloadUser, applicationName: string): Promise<pg.Client> => {
    const client = new pg.Client({ ...server, user: who.user, password: who.password, application_name: applicationName });
    // A terminated backend must not crash pgtop: the loop that owns the client notices.
    client.on('error', () => undefined);
    clients.add(client);
    client.on('end', () => clients.delete(client));
    await client.connect();
    return client;
  };

  /** One connection running `step` in a loop, reconnecting when its backend is ended. */
  const loop = async (who: WorkloadUser, applicationName: string, pauseMs: () => number, step: (c: pg.Client) => Promise<unknown>) => {
    while (!stopped) {
      let client: pg.Client | undefined;
      try {
        client = await open(who, applicationName);
        while (!stopped) {
          await step(client);
          await sleep(pauseMs());
        }
      } catch (error) {
        if (!stopped) problem(`${applicationName}: ${(error as Error).message}`);
      } finally {
        await client?.end().catch(() => undefined);
      }
      if (!stopped) await sleep(2_000);
    }
  };

  const random = (n: number) => 1 + Math.floor(Math.random() * n);
  let tick = 0;
  const shopStep = async (c: pg.Client) => {
    tick += 1;
    switch (tick % 5) {
      case 0: {
        // A new order: one short transaction, like the application's checkout.
        await c.query('BEGIN');
        try {
          const order = await c.query<{ id: string }>(
            "INSERT INTO orders (customer_id, status, total) VALUES ($1, 'paid', $2) RETURNING id",
            [random(2000), random(300) + 0.99],
          );
          const product = random(200);
          await c.query('INSERT INTO order_items (order_id, product_id, quantity, price) VALUES ($1, $2, 1, 10)', [order.rows[0]!.id, product]);
          await c.query('UPDATE products SET stock = stock - 1 WHERE id = $1', [product]);
          await c.query('COMMIT');
        } catch (error) {
          await c.query('ROLLBACK').catch(() => undefined);
          throw error;
        }
        return;
      }
      case 1:
        return c.query('SELECT id, status, total FROM orders WHERE customer_id = $1 ORDER BY created_at DESC LIMIT 10', [random(2000)]);
      case 2:
        return c.query('SELECT id, name, email FROM customers WHERE email = $1', [`customer${random(2000)}@example.com`]);
      case 3:
        return c.query(
          'SELECT p.name, oi.quantity, oi.price FROM order_items oi JOIN products p ON p.id = oi.product_id WHERE oi.order_id = $1',
          [random(10000)],
        );
      default:
        return c.query("UPDATE orders SET status = 'shipped' WHERE id = $1 AND status = 'paid'", [random(10000)]);
    }
  };
  const reportStep = (c: pg.Client) =>
    c.query(
      `SELECT c.country, count(*) AS orders, sum(o.total) AS revenue
         FROM orders o JOIN customers c ON c.id = o.customer_id
        WHERE o.created_at > now() - interval '30 days'
        GROUP BY c.country ORDER BY revenue DESC`,
    );

  void loop(options.app, 'shop-api', () => 150 + Math.random() * 150, shopStep);
  void loop(options.reporting, 'reports', () => 1_500 + Math.random() * 1_000, reportStep);

  let markReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => (markReady = resolve));
  void lockScenario(open, options.app, () => stopped, options.lockRestartMs ?? 30_000, markReady, problem);

  return {
    ready,
    async stop() {
      stopped = true;
      markReady();
      await Promise.all([...clients].map((c) => c.end().catch(() => undefined)));
    },
  };
}

/** Blocker idle in transaction, two waiters behind it; again after it ends. */
async function lockScenario(
  open: (who: WorkloadUser, applicationName: string) => Promise<pg.Client>,
  app: WorkloadUser,
  isStopped: () => boolean,
  restartMs: number,
  markReady: () => void,
  problem: (message: string) => void,
): Promise<void> {
  while (!isStopped()) {
    const chain: pg.Client[] = [];
    try {
      const blocker = await open(app, 'billing-job');
      chain.push(blocker);
      const ended = new Promise<void>((resolve) => {
        blocker.on('end', resolve);
        blocker.on('error', () => resolve());
      });
      await blocker.query('BEGIN');
      await blocker.query('UPDATE accounts SET balance = balance - 10 WHERE id = 1');
      const waits: Promise<unknown>[] = [];
      for (const amount of [10, 5]) {
        const waiter = await open(app, 'shop-api');
        chain.push(waiter);
        const pid = (await waiter.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
        waits.push(waiter.query('UPDATE accounts SET balance = balance + $1 WHERE id = 1', [amount]).catch(() => undefined));
        await waitUntilWaiting(() => open(app, 'shop-api'), pid);
      }
      markReady();
      // The blocker never commits: the scenario lasts until someone ends it.
      await ended;
      await Promise.all(waits);
    } catch (error) {
      if (!isStopped()) problem(`lock scenario: ${(error as Error).message}`);
    } finally {
      await Promise.all(chain.map((c) => c.end().catch(() => undefined)));
    }
    for (let waited = 0; waited < restartMs && !isStopped(); waited += 250) await sleep(250);
  }
}

/** Until the waiter's UPDATE queues on a lock, so the next waiter queues behind it (a tree, not two siblings). */
async function waitUntilWaiting(openWatcher: () => Promise<pg.Client>, pid: number): Promise<void> {
  // Its own connection: pg_stat_activity is a snapshot per transaction, and the blocker is in one.
  const watcher = await openWatcher();
  try {
    for (let i = 0; i < 100; i++) {
      const r = await watcher.query("SELECT 1 FROM pg_stat_activity WHERE pid = $1 AND wait_event_type = 'Lock'", [pid]);
      if (r.rowCount) return;
      await sleep(20);
    }
  } finally {
    await watcher.end().catch(() => undefined);
  }
}
