// pgtop alone, without a terminal: (1) how long the activity screen takes to
// draw a refresh of 10 000 backends (synthetic rows put into the store, the
// App rendered by Ink to a 200x50 fake terminal, as startDashboard renders
// it), and (2) whether memory stays flat over an hour of 1 s refreshes: the
// real scheduler against the benchmark's server (BENCH_PG), 3 600 refreshes as
// fast as they go, the App drawing meanwhile, heap measured after a full GC.
// bench/dashboard.ts bundles it as the build bundles pgtop (src/bundle-options.mjs:
// React's production build, Ink's faster output) and runs it with
// `node --expose-gc`; it prints one JSON line.
import { EventEmitter } from 'node:events';
import { Writable } from 'node:stream';
import { render } from 'ink';
import { App, DASHBOARD_RENDER_OPTIONS } from '../../screens/App.js';
import { SCREEN_ORDER } from '../../screens/index.js';
import { openConnection } from '../../src/db/connection.js';
import { resolveConnection } from '../../src/db/connection-options.js';
import type { Backend } from '../../src/model/activity.js';
import type { KeyServices } from '../../src/keys/dispatch.js';
import { DashboardScheduler } from '../../src/cli/dashboard-scheduler.js';
import { createPgtopStore, setData, type PgtopStore } from '../../src/store/store.js';
import type { SyntheticResult } from './report.js';

// BENCH_FRAME_BACKENDS=300: the frame at the large scale's session count (when profiling what a refresh costs).
const BACKENDS = Number(process.env.BENCH_FRAME_BACKENDS ?? 10_000);
const FRAMES = 60;
const WARMUP = 10;
const HOUR = Number(process.env.BENCH_HOUR_REFRESHES ?? 3_600);

class FakeTerminal extends Writable {
  readonly isTTY = true;
  columns = 200;
  rows = 50;
  bytes = 0;
  private waiting: ((at: number) => void) | null = null;
  override _write(chunk: Buffer | string, _encoding: BufferEncoding, done: () => void): void {
    this.bytes += chunk.length;
    const resolve = this.waiting;
    this.waiting = null;
    resolve?.(performance.now());
    done();
  }
  /** When the next write lands. */
  nextWrite(): Promise<number> {
    return new Promise((resolve) => (this.waiting = resolve));
  }
}

class FakeKeyboard extends EventEmitter {
  readonly isTTY = true;
  setEncoding() {}
  setRawMode() {}
  resume() {}
  pause() {}
  ref() {}
  unref() {}
  read() {
    return null;
  }
}

const services: KeyServices = {
  quit: () => {},
  requestAction: () => {},
  answerInput: () => {},
  confirmAction: () => {},
  dismissAction: () => {},
};

function mount(store: PgtopStore) {
  const stdout = new FakeTerminal();
  // The activity screen is a table: no screen component to load.
  const instance = render(<App store={store} services={services} color screens={SCREEN_ORDER} />, {
    ...DASHBOARD_RENDER_OPTIONS,
    stdout: stdout as unknown as NodeJS.WriteStream,
    stdin: new FakeKeyboard() as unknown as NodeJS.ReadStream,
    stderr: new FakeTerminal() as unknown as NodeJS.WriteStream,
  });
  return { stdout, instance };
}

const STATES = ['active', 'idle', 'idle', 'idle', 'idle in transaction', 'active'] as const;

/** 10 000 sessions as the mapper makes them, one refresh later each time (durations grow; a session keeps its state, as most do from one second to the next). */
function backends(refresh: number): Backend[] {
  const rows: Backend[] = new Array(BACKENDS);
  for (let i = 0; i < BACKENDS; i += 1) {
    const state = STATES[i % STATES.length]!;
    // Under 20 minutes: the visible (longest) durations show their seconds, so every refresh draws a new frame.
    const seconds = ((i * 7919) % 600) + refresh;
    rows[i] = {
      pid: 100_000 + i,
      user: `app_${i % 17}`,
      database: `shop_${i % 5}`,
      application: `service-${i % 23}`,
      client: `10.0.${(i >> 8) & 255}.${i & 255}:${40_000 + (i % 20_000)}`,
      backendType: 'client backend',
      state,
      waitEventType: i % 50 === 0 ? 'Lock' : i % 13 === 0 ? 'IO' : state === 'idle' ? 'Client' : null,
      waitEvent: i % 50 === 0 ? 'transactionid' : i % 13 === 0 ? 'DataFileRead' : state === 'idle' ? 'ClientRead' : null,
      xactSeconds: state === 'idle' ? null : seconds,
      querySeconds: seconds,
      stateSeconds: seconds / 2,
      backendSeconds: seconds * 3,
      backendXid: null,
      backendXmin: null,
      xminAge: null,
      leaderPid: null,
      blockedBy: i % 50 === 0 ? [100_000 + ((i + 1) % BACKENDS)] : [],
      query: `SELECT o.id, o.total FROM orders o JOIN customers c ON c.id = o.customer_id WHERE c.id = ${i} AND o.created_at > now() - interval '${i % 30} days'`,
      hidden: false,
    };
  }
  return rows;
}

function connectedStore(): PgtopStore {
  return createPgtopStore({ target: 'direct 127.0.0.1:5432', screen: 'activity', intervalMs: 1_000 }, (s) => {
    s.connection = { ...s.connection, state: 'connected', serverVersion: '15.18', serverVersionNum: 150018, ownPids: [100_000] };
  });
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc');

async function frameTimes(): Promise<SyntheticResult['frame']> {
  const store = connectedStore();
  const { stdout, instance } = mount(store);
  const times: number[] = [];
  let bytes = 0;
  let cpuMs = 0;
  for (let refresh = 0; refresh < WARMUP + FRAMES; refresh += 1) {
    const rows = backends(refresh);
    await sleep(120); // more than Ink's frame interval, so each refresh draws at once
    const written = stdout.nextWrite();
    const bytesBefore = stdout.bytes;
    const cpuBefore = process.cpuUsage();
    const start = performance.now();
    setData(store, {
      header: { database: 'shop_0', user: 'postgres', uptimeSeconds: 86_400 + refresh, connections: BACKENDS, maxConnections: 12_000, xacts: 1e6 + refresh * 500, blocksHit: 1e9, blocksRead: 1e6, sampledAt: 1.7e9 + refresh, inRecovery: false },
      rates: { tps: 500, cacheHitRatio: 0.99 },
      results: { activity: { rows, updatedAt: Date.now(), error: null, disabled: null } },
      lastRefresh: { queries: 2, ms: 5 },
    });
    // A refresh that draws nothing new writes nothing: say so rather than wait forever (the process would end with no result).
    const end = await Promise.race([written, sleep(5_000).then(() => Promise.reject(new Error(`refresh ${refresh} wrote no frame: the synthetic rows must change what is visible`)))]);
    await sleep(60); // what else the refresh writes (Ink throttles to maxFps)
    const cpu = process.cpuUsage(cpuBefore);
    if (refresh >= WARMUP) {
      times.push(end - start);
      bytes += stdout.bytes - bytesBefore;
      cpuMs += (cpu.user + cpu.system) / 1000;
    }
  }
  const rssMb = process.memoryUsage().rss / 1024 / 1024;
  instance.unmount();
  const sorted = [...times].sort((a, b) => a - b);
  return {
    backends: BACKENDS, frames: FRAMES, medianMs: percentile(sorted, 0.5), p95Ms: percentile(sorted, 0.95), maxMs: sorted[sorted.length - 1]!, rssMb,
    bytesPerFrame: bytes / FRAMES, cpuMsPerFrame: cpuMs / FRAMES,
  };
}

async function anHour(): Promise<SyntheticResult['hour']> {
  const pg = JSON.parse(process.env.BENCH_PG ?? 'null') as { host: string; port: number; user: string; password: string; database: string } | null;
  if (!pg) throw new Error('BENCH_PG (the server to poll) is not set');
  const connection = resolveConnection({ host: pg.host, port: String(pg.port), username: pg.user, dbname: pg.database }, { PGPASSWORD: pg.password });
  const store = createPgtopStore({ target: `direct ${pg.host}:${pg.port}`, screen: 'activity', intervalMs: 1_000 });
  const open = () => openConnection(connection, { purpose: 'monitor' });
  const scheduler = new DashboardScheduler({ store, connect: open, initialSession: await open() });
  const { instance } = mount(store);
  const heapMb: SyntheticResult['hour']['heapMb'] = [];
  const heapNow = () => {
    gc!();
    return process.memoryUsage().heapUsed / 1024 / 1024;
  };
  let rssStartMb = 0;
  const started = performance.now();
  try {
    for (let tick = 1; tick <= HOUR; tick += 1) {
      await scheduler.refresh();
      // The health screen's history is full after 120 refreshes: measure from there.
      if (tick === 120 || tick % 600 === 0) {
        await sleep(60); // let the last refresh draw
        heapMb.push({ tick, mb: heapNow() });
        if (tick === 120) rssStartMb = process.memoryUsage().rss / 1024 / 1024;
      }
    }
  } finally {
    instance.unmount();
    await scheduler.stop();
  }
  return { ticks: HOUR, seconds: (performance.now() - started) / 1000, heapMb, rssStartMb, rssEndMb: process.memoryUsage().rss / 1024 / 1024 };
}

const frame = await frameTimes();
// BENCH_HOUR_REFRESHES=0: the frame alone (when profiling it).
const hour = HOUR > 0 ? await anHour() : { ticks: 0, seconds: 0, heapMb: [], rssStartMb: 0, rssEndMb: 0 };
// Written, then exit: the Ink instances are unmounted, but their timers may hold the process.
process.stdout.write(`${JSON.stringify({ frame, hour } satisfies SyntheticResult)}\n`, () => process.exit(0));
