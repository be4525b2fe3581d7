// pgtop as the superuser in the worst tenant's database (test/support/hostile-tenant.ts):
// every screen with --once (text and JSON), every action on the tenant's
// weird objects, and `pgtop learn --check` (on a cluster of its own, since the
// guided session's roles are server-wide). Whatever pgtop does there, no plant
// may run, no raw control byte may reach the output, every action must act on
// the object it names, and nothing may hang. The five findings of issue 11
// are reproduced each by its own test, named after it.
import { mkdtempSync, rmSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { activityView } from '../../screens/activity/view.js';
import { backupsView } from '../../screens/backups/view.js';
import { rolesView } from '../../screens/roles/view.js';
import { sizesView } from '../../screens/sizes/view.js';
import type { ActionRequest } from '../../src/actions/action.js';
import { ActionRunner } from '../../src/actions/runner.js';
import { openConnection } from '../../src/db/connection.js';
import { resolveConnection, type ResolvedConnection } from '../../src/db/connection-options.js';
import { LocalReader } from '../../src/host/local-reader.js';
import { DashboardScheduler } from '../../src/cli/dashboard-scheduler.js';
import { neededSources, SCREEN_IDS, type ScreenId } from '../../screens/index.js';
import { createPgtopStore, setUi, type PgtopState, type PgtopStore } from '../../src/store/store.js';
import { startLocalCluster, type LocalCluster } from '../../src/localcluster/cluster.js';
import { runPgtop, type BinaryRun } from '../support/binary.js';
import {
  CLEAR_SCREEN,
  createHostileTenant,
  OSC_TITLE,
  printable,
  RAW_CONTROL,
  summarizeRuns,
  type HostileTenant,
  type TenantLockChain,
  type TenantSession,
} from '../support/hostile-tenant.js';
import { dropDatabases, waitFor, type PgInfo } from '../support/pg.js';

let tenant: HostileTenant;
let backupDir: string;
let longQuery: TenantSession & { done: Promise<unknown>; text: string };
let lockChain: TenantLockChain;
const restored: string[] = [];

beforeAll(async () => {
  backupDir = mkdtempSync(join(tmpdir(), 'pgtop-hostile-backups-'));
  tenant = await createHostileTenant();
  longQuery = await tenant.startLongQuery();
  lockChain = await tenant.startLockChain();
}, 120_000);

afterAll(async () => {
  await dropDatabases(restored).catch(() => undefined);
  await tenant?.drop();
  rmSync(backupDir, { recursive: true, force: true });
});

/** pgtop's command line for the hostile database on this server, as the superuser. */
function pgtopArgs(server: PgInfo, database: string): { args: string[]; env: Record<string, string> } {
  return {
    args: ['-h', server.host, '-p', String(server.port), '-U', server.user, '-d', database],
    env: { PGPASSWORD: server.password, PGPASSFILE: '/nonexistent/pgpass' },
  };
}

function runOnce(screen: ScreenId, json: boolean, database = tenant.database, maxBuffer?: number): Promise<BinaryRun> {
  const { args, env } = pgtopArgs(tenant.server, database);
  return runPgtop([...args, '--once', '--screen', screen, ...(json ? ['--json'] : []), '--backup-dir', backupDir], env, 60_000, maxBuffer ?? 64 * 1024 * 1024);
}

/** Each raw control byte of the output, with what surrounds it, so a failure shows where it came from. */
function rawControls(text: string): string[] {
  const found: string[] = [];
  for (const match of text.matchAll(new RegExp(RAW_CONTROL.source, 'g'))) {
    // JSON.stringify leaves C1 and DEL as they are: spell them out, or the failure would hide them.
    const around = JSON.stringify(text.slice(Math.max(0, match.index - 30), match.index + 10)).replace(/[\x7f-\x9f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
    if (found.length < 5) found.push(around);
  }
  return found;
}

/**
 * The start of a hostile name as the terminal must show it: up to its first
 * control character, which must appear as a visible escape (one to eight
 * printable characters, whichever form pgtop picked), then a little of what follows.
 */
function escapedHead(name: string): RegExp {
  const chars = [...name];
  const first = chars.findIndex((ch) => RAW_CONTROL.test(ch) || ch === '\n');
  const literal = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  if (first < 0) return new RegExp(literal(name));
  const after = /^[^\x00-\x1f\x7f-\x9f]{0,6}/.exec(chars.slice(first + 1).join(''))![0];
  return new RegExp(`${literal(chars.slice(0, first).join(''))}[^\\s]{1,8}?${literal(after)}`);
}

/** Text output shows the name's start, its first control character as a visible escape (failure messages printable). */
function expectShown(text: string, name: string, what: string): void {
  expect(escapedHead(name).test(text), `${what}: ${printable(name)} is not shown escaped in:\n${printable(text.slice(0, 3000))}`).toBe(true);
}

/** Some row has exactly these values (compared here, so that a failure prints the names escaped). */
function expectRow(rows: readonly unknown[] | undefined, wanted: Record<string, unknown>, what: string): void {
  const found = (rows ?? []).some((row) => Object.entries(wanted).every(([key, value]) => isDeepStrictEqual((row as Record<string, unknown>)[key], value)));
  expect(found, `${what}: no row with ${printable(JSON.stringify(wanted))} among ${rows?.length ?? 'no'} rows`).toBe(true);
}

function expectSame(actual: unknown, wanted: unknown, what: string): void {
  expect(isDeepStrictEqual(actual, wanted), `${what}: ${printable(JSON.stringify(actual))}, not ${printable(JSON.stringify(wanted))}`).toBe(true);
}

async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

// ---------------------------------------------------------------------------

describe('the hostile tenant', () => {
  it('plants a look-alike of every catalog function the shipped SQL calls, in public and in a schema of its own, and its recorder sees a run', () => {
    // Derived from the source: a new query's functions are planted by themselves.
    expect(tenant.calledCatalogFunctions).toEqual(expect.arrayContaining(['format', 'pg_relation_size', 'has_table_privilege', 'unnest', 'count']));
    for (const name of tenant.calledCatalogFunctions) {
      const planted = tenant.planted.some((p) => p.startsWith(`public: ${name}(`)) && tenant.planted.some((p) => p.startsWith(`own schema: ${name}(`));
      const skipped = tenant.skipped.some((s) => s.signature.startsWith(`${name}(`));
      expect(planted || skipped, `${name} is neither planted nor said to be skipped`).toBe(true);
    }
    expect(tenant.planted).toEqual(expect.arrayContaining(['public: format(text,name,name)', 'own schema: format(text,name,name)', 'public: operator name !~ name']));
    // What cannot be planted from SQL, and only that: window functions (C only), ordered-set
    // aggregates, enum and range polymorphism, functions taking internal (C only; a word in a
    // message that reads like a call, e.g. "system (", finds those). The server refused no plant.
    expect(tenant.skipped.filter((s) => !/^(window function|ordered-set|enum and range|takes internal)/.test(s.reason))).toEqual([]);
    // As a session with the default search_path, the fixture itself was caught by its plants.
    expect(tenant.selfTest.map((r) => r.plant)).toEqual(expect.arrayContaining(['format(text,name,name)', 'json_agg(name)', 'operator oid = bigint']));
  });
});

describe('every screen with --once, as text and as JSON', () => {
  const runs = new Map<string, BinaryRun>();
  let plantRuns: string[] = [];

  beforeAll(async () => {
    const since = await tenant.checkpoint();
    const jobs = SCREEN_IDS.flatMap((screen) => [false, true].map((json) => ({ screen, json })));
    const done = await mapLimit(jobs, 3, (job) => runOnce(job.screen, job.json));
    jobs.forEach((job, i) => runs.set(`${job.screen} ${job.json ? 'json' : 'text'}`, done[i]!));
    plantRuns = summarizeRuns(await tenant.plantsThatRan(since));
  }, 240_000);

  it('runs no plant, whichever screen it prints', () => {
    expect(plantRuns).toEqual([]);
  });

  it.each(SCREEN_IDS)('%s: exits 0, and its text holds no raw control byte', (screen) => {
    const run = runs.get(`${screen} text`)!;
    expect(run.stderr).toBe('');
    expect(run.code, printable(run.stdout.slice(0, 2000))).toBe(0);
    expect(rawControls(run.stdout)).toEqual([]);
    // The database's name is on the header line, every control character in it shown, none dropped.
    expectShown(run.stdout.split('\n')[0]!, tenant.names.database, 'the database in the header');
  });

  it.each(SCREEN_IDS)('%s: its JSON holds the exact server text, with no raw control byte in the document', (screen) => {
    const run = runs.get(`${screen} json`)!;
    expect(run.code, run.stderr).toBe(0);
    // JSON escapes C0 itself; C1 and DEL it leaves raw: they must be escaped too (\u009b), since JSON is read in terminals.
    expect(rawControls(run.stdout)).toEqual([]);
    const document = JSON.parse(run.stdout) as { screen: string; server: { database: string }; error: string | null } & Record<string, unknown>;
    expect(document.screen).toBe(screen);
    expectSame(document.server.database, tenant.names.database, 'the database in the header');
    expect(document.error).toBeNull();
  });

  it('shows the weird names where they belong: escaped in text, exact in JSON', () => {
    const text = (screen: ScreenId) => runs.get(`${screen} text`)!.stdout;
    const json = (screen: ScreenId) => JSON.parse(runs.get(`${screen} json`)!.stdout) as Record<string, unknown[]>;
    const { names, roles } = tenant;

    expectShown(text('activity'), longQuery.text, 'the long query on the activity screen');
    expectRow(json('activity').rows, { pid: longQuery.pid, user: roles.noPrivilege.name, database: names.database, query: longQuery.text }, 'activity');

    expectRow(json('locks').rows, { pid: lockChain.blocker.pid, user: roles.creator.name, state: 'idle in transaction' }, 'locks, the blocker');
    expectRow(json('locks').rows, { pid: lockChain.waiter.pid, blockedBy: [lockChain.blocker.pid] }, 'locks, the waiter');

    for (const table of Object.values(names.publicTables)) expectRow(json('sizes').tables, { schema: 'public', table }, 'sizes, tables');
    expectShown(text('sizes'), names.publicTables.title, 'a table name with a title sequence');
    // A newline in a name is shown, not obeyed: the name stays on its row.
    expectShown(text('sizes'), names.publicTables.multiline, 'a table name with a newline');
    expectRow(json('sizes').indexes, { schema: names.schema, index: names.index, table: names.bloatTable }, 'sizes, indexes');

    expectRow(json('bloat').rows, { schema: names.schema, table: names.bloatTable, deadTuples: 110_000 }, 'bloat');

    expectRow(json('roles').roles, { name: roles.noPrivilege.name }, 'roles');
    expectRow(json('roles').roles, { name: roles.creator.name }, 'roles');

    // The statistics entries whose texts hold control sequences: exact (a prefix at most, where the text is long).
    const statements = json('statements').rows as { query: string; user: string }[];
    const inserted = statements.find((s) => s.user === roles.creator.name && s.query.startsWith('INSERT INTO'));
    expect(inserted?.query.endsWith(`/* ${OSC_TITLE} inserted ${CLEAR_SCREEN} */`), printable(inserted?.query ?? 'no INSERT of the tenant listed')).toBe(true);
    // The one of megabytes: its names (OSC, C1, a newline) exactly as the server has them, then its comment.
    const megabytes = statements.find((s) => s.user === roles.creator.name && s.query.startsWith('UPDATE'));
    const head = `UPDATE ${pg.escapeIdentifier(names.schema)}.${pg.escapeIdentifier(names.bloatTable)} SET v = v + $1 WHERE id <= $2 /* xxxxxxxx`;
    expect(megabytes?.query.startsWith(head), printable(megabytes?.query.slice(0, 200) ?? 'no UPDATE of the tenant listed')).toBe(true);
  });
});

// ---------------------------------------------------------------------------

function connectionTo(database: string): ResolvedConnection {
  const info = tenant.server;
  return resolveConnection({ host: info.host, port: String(info.port), username: info.user, dbname: database }, { PGPASSWORD: info.password, PGPASSFILE: '/nonexistent/pgpass' });
}

/** One refresh of a screen as the dashboard polls it. */
async function refreshed(store: PgtopStore, connection: ResolvedConnection, backupDir?: string): Promise<PgtopState> {
  // With this host's /proc, as pgtop reads a local server: the activity's processes and their SQL (which server it is) run too.
  const scheduler = new DashboardScheduler({
    store,
    connect: () => openConnection(connection, { purpose: 'monitor' }),
    initialSession: await openConnection(connection, { purpose: 'monitor' }),
    backupDir,
    host: { reader: new LocalReader(), mode: 'local' },
    needed: (state) => [...neededSources(state), 'dataDirectory'],
  });
  try {
    await scheduler.refresh();
    return store.getState();
  } finally {
    await scheduler.stop();
  }
}

/** What a key does on the selected row: the view's request, its questions answered, then y. */
async function press(store: PgtopStore, runner: ActionRunner, request: ActionRequest | null, answers: string[] = []): Promise<NonNullable<PgtopState['ui']['status']>> {
  expect(request, 'the key has something to act on').not.toBeNull();
  runner.request(request!, 'key');
  for (const answer of answers) runner.answer(answer);
  const overlay = store.getState().ui.overlay;
  expect(overlay.kind, JSON.stringify(store.getState().ui.status)).toBe('confirm');
  await runner.confirm();
  return store.getState().ui.status!;
}

async function adminQuery<R extends pg.QueryResultRow>(sql: string, params: unknown[] = [], database = tenant.database): Promise<R[]> {
  const c = await tenant.admin(database);
  try {
    return (await c.query<R>(sql, params)).rows;
  } finally {
    await c.end();
  }
}

describe('every action on the weird objects, through the action runner as the keys start them', () => {
  it('c and K signal exactly the backend the row shows; v, a, F and R act on exactly the weird table and index; nothing else ran', { timeout: 60_000 }, async () => {
    const since = await tenant.checkpoint();
    const connection = connectionTo(tenant.database);
    const store = createPgtopStore({ screen: 'activity' });
    const runner = new ActionRunner(store, () => openConnection(connection, { purpose: 'action' }), { connection });
    try {
      // c on the long query of the role without privileges: its query ends, its session stays.
      let state = await refreshed(store, connection);
      const sleeper = activityView.rows(state).find((b) => b.pid === longQuery.pid);
      expect(sleeper?.query).toBe(longQuery.text);
      expect(await press(store, runner, activityView.actions!.cancelQuery!(sleeper, state))).toEqual({ kind: 'success', text: `cancel sent to pid ${longQuery.pid}` });
      expect(await longQuery.done).toMatchObject({ code: '57014' });
      const after = await adminQuery<{ pid: number; state: string }>('SELECT pid, state FROM pg_stat_activity WHERE pid = ANY($1)', [[longQuery.pid, lockChain.blocker.pid, lockChain.waiter.pid]]);
      expect(after).toHaveLength(3);
      await waitFor(async () => (await adminQuery('SELECT 1 FROM pg_stat_activity WHERE pid = $1 AND state = $2', [longQuery.pid, 'idle'])).length === 1, { what: 'the cancelled backend to be idle' });

      // K on the blocker of the lock chain on the weird table: it is gone, its waiter goes on.
      state = await refreshed(store, connection);
      const blocker = activityView.rows(state).find((b) => b.pid === lockChain.blocker.pid);
      expect(blocker?.state).toBe('idle in transaction');
      expect(await press(store, runner, activityView.actions!.terminateBackend!(blocker, state))).toEqual({ kind: 'success', text: `terminated pid ${lockChain.blocker.pid}` });
      expect(await lockChain.waiterDone).not.toBeInstanceOf(Error);
      const alive = (await adminQuery<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE pid = ANY($1)', [[longQuery.pid, lockChain.blocker.pid, lockChain.waiter.pid]])).map((r) => r.pid);
      expect(alive.sort()).toEqual([longQuery.pid, lockChain.waiter.pid].sort());

      // v, a, F on the weird table; R on the weird index: that relation's statistics and files changed.
      const table = { schema: tenant.names.schema, name: tenant.names.bloatTable };
      const relation = async () =>
        (
          await adminQuery<{ relfilenode: number; last_vacuum: Date | null; last_analyze: Date | null; index_file: number }>(
            `SELECT c.relfilenode, s.last_vacuum, s.last_analyze,
                    (SELECT i.relfilenode FROM pg_class i WHERE i.relname = $3 AND i.relnamespace = c.relnamespace) AS index_file
               FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_stat_user_tables s ON s.relid = c.oid
              WHERE n.nspname = $1 AND c.relname = $2`,
            [table.schema, table.name, tenant.names.index],
          )
        )[0]!;
      const before = await relation();
      expect(before).toMatchObject({ last_vacuum: null, last_analyze: null });
      setUi(store, { screen: 'sizes', screenMode: { sizes: 'tables' } });
      state = await refreshed(store, connection);
      const row = sizesView.rows(state).find((r) => r.kind === 'table' && r.table.schema === table.schema && r.table.table === table.name);
      expect((await press(store, runner, sizesView.actions!.vacuumTable!(row, state))).kind).toBe('success');
      const vacuumed = await waitFor(async () => (await relation()).last_vacuum ?? undefined, { what: 'last_vacuum of the weird table' });
      expect((await press(store, runner, sizesView.actions!.analyzeTable!(row, state))).kind).toBe('success');
      await waitFor(async () => { const r = await relation(); return r.last_analyze !== null && r.last_analyze.getTime() >= vacuumed.getTime(); }, { what: 'last_analyze of the weird table' });
      expect((await press(store, runner, sizesView.actions!.vacuumFull!(row, state))).kind).toBe('success');
      const full = await relation();
      expect(full.relfilenode).not.toBe(before.relfilenode);
      setUi(store, { screenMode: { sizes: 'indexes' } });
      state = await refreshed(store, connection);
      const indexRow = sizesView.rows(state).find((r) => r.kind === 'index' && r.index.schema === table.schema && r.index.index === tenant.names.index);
      expect((await press(store, runner, sizesView.actions!.reindex!(indexRow, state))).kind).toBe('success');
      expect((await relation()).index_file).not.toBe(full.index_file);
    } finally {
      await runner.close();
    }
    expect(summarizeRuns(await tenant.plantsThatRan(since))).toEqual([]);
  });

  it('b backs up the weird database, t verifies it, r restores it with its weird tables; nothing else ran', { timeout: 60_000 }, async () => {
    const since = await tenant.checkpoint();
    const connection = connectionTo(tenant.database);
    const store = createPgtopStore({ screen: 'backups', backupDir });
    const runner = new ActionRunner(store, () => openConnection(connection, { purpose: 'action' }), { connection, backupDir });
    const listed = async () => backupsView.rows(await refreshed(store, connection, backupDir));
    try {
      await listed();
      let state = store.getState();
      expect(state.data.header?.database).toBe(tenant.names.database);
      const backedUp = await press(store, runner, backupsView.actions!.backupNow!(undefined, state), ['custom', tenant.names.database]);
      expect(backedUp.kind, backedUp.text).toBe('success');
      const [entry] = await listed();
      expect(entry).toMatchObject({ database: tenant.names.database, kind: 'full', format: 'custom', madeByPgtop: true });

      state = store.getState();
      expect((await press(store, runner, backupsView.actions!.verifyBackup!(entry, state))).kind).toBe('success');

      // r: into the new database pgtop proposes, then every table's rows side by side with the weird source.
      runner.request(backupsView.actions!.restoreBackup!(entry, store.getState())!, entry!.name);
      const form = store.getState().ui.overlay;
      const into = form.kind === 'form' ? form.input.field.initial ?? '' : '';
      expect(into).toMatch(/_restore_\d{8}_\d{6}$/);
      restored.push(into);
      runner.answer(into);
      expect(store.getState().ui.overlay.kind).toBe('confirm');
      await runner.confirm();
      const status = store.getState().ui.status!;
      expect(status.kind, status.text).toBe('success');
      const box = store.getState().ui.overlay;
      expect(box.kind === 'result' ? box.lines : []).toContainEqual(expect.stringMatching(/: every table matches its source$/));
      const tables = await adminQuery<{ schema: string; table: string; n: number }>(
        `SELECT n.nspname AS schema, c.relname AS table, c.reltuples::int AS n FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE c.relkind = 'r' AND n.nspname IN ('public', $1) ORDER BY 1, 2`,
        [tenant.names.schema],
        into,
      );
      for (const table of Object.values(tenant.names.publicTables)) expect(tables).toContainEqual(expect.objectContaining({ schema: 'public', table }));
      expect(tables).toContainEqual(expect.objectContaining({ schema: tenant.names.schema, table: tenant.names.bloatTable }));
    } finally {
      await runner.close();
    }
    expect(summarizeRuns(await tenant.plantsThatRan(since))).toEqual([]);
  });

  it('P sets the weird role a new password, and that password logs it in; nothing else ran', async () => {
    const since = await tenant.checkpoint();
    const connection = connectionTo(tenant.database);
    const store = createPgtopStore({ screen: 'roles' });
    const runner = new ActionRunner(store, () => openConnection(connection, { purpose: 'action' }), { connection });
    const role = tenant.roles.noPrivilege;
    try {
      const state = await refreshed(store, connection);
      const row = rolesView.rows(state).find((r) => r.kind === 'role' && r.role.name === role.name);
      const password = `new "pässword"; ✓ ${Date.now()}`;
      const status = await press(store, runner, rolesView.actions!.changePassword!(row, state), [password]);
      expect(status.kind, status.text).toBe('success');
      const login = new pg.Client({ host: tenant.server.host, port: tenant.server.port, user: role.name, password, database: tenant.database, application_name: 'hostile-tenant-login' });
      await login.connect();
      expect((await login.query<{ user: string }>('SELECT current_user AS user')).rows[0]!.user).toBe(role.name);
      await login.end();
      role.password = password;
    } finally {
      await runner.close();
    }
    expect(summarizeRuns(await tenant.plantsThatRan(since))).toEqual([]);
  });
});

// ---------------------------------------------------------------------------
// Issue 11's findings, each reproduced: these fail on the commit before the fix.

describe('issue 11, reproduced', () => {
  it('(1) function hijack through search_path: --once --screen sizes and bloat never run the planted public.format(text, name, name) and its COPY … TO PROGRAM', async () => {
    const since = await tenant.checkpoint();
    await runOnce('sizes', false);
    await runOnce('bloat', false);
    const runs = await tenant.plantsThatRan(since);
    expect(runs.filter((r) => r.via === 'marker'), 'COPY … TO PROGRAM ran as the superuser').toEqual([]);
    expect(summarizeRuns(runs.filter((r) => r.plant === 'format(text,name,name)'))).toEqual([]);
    expect(summarizeRuns(runs)).toEqual([]);
  });

  it('(4) statements: six ~30 MB query texts come back as bounded prefixes, each with its whole length', { timeout: 120_000 }, async () => {
    const creator = await tenant.asCreator();
    const big: { queryid: string; sent: number }[] = [];
    const body = `${'y'.repeat(1014)}${OSC_TITLE}`.repeat(30 * 1024);
    try {
      for (let k = 1; k <= 6; k += 1) {
        const table = `${pg.escapeIdentifier(tenant.names.schema)}.${pg.escapeIdentifier(`big ${k}`)}`;
        await creator.query(`CREATE UNLOGGED TABLE ${table} (n int)`);
        // More than a hundred thousand rows: it ranks in the top 50 by rows, so the list has it.
        // 110 001 to 110 006 rows: how the entries are found again without reading 180 MB of text.
        const text = `/* pgtop-hostile-30mb ${k} */ INSERT INTO ${table} SELECT generate_series(1, ${110_000 + k}) /* ${body} */`;
        await creator.query(text);
        big.push({ queryid: '', sent: text.length });
      }
      const entries = await adminQuery<{ queryid: string; rows: string }>(
        `SELECT queryid::text AS queryid, rows::text AS rows FROM public.pg_stat_statements(false)
          WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND rows BETWEEN 110001 AND 110006`,
      );
      for (const e of entries) big[Number(e.rows) - 110_001]!.queryid = e.queryid;
      expect(big.map((b) => b.queryid).filter(Boolean)).toHaveLength(6);

      const run = await runOnce('statements', true, tenant.database, 512 * 1024 * 1024);
      expect(run.code, run.stderr).toBe(0);
      const document = JSON.parse(run.stdout) as { error: string | null; rows: Record<string, unknown>[] };
      expect(document.error).toBeNull();
      for (const b of big) {
        const row = document.rows.find((r) => r.queryId === b.queryid);
        expect(row, `statement ${b.queryid} is listed`).toBeDefined();
        const query = row!.query as string;
        // A few hundred characters, never the 30 MB.
        expect(query.length).toBeLessThanOrEqual(1000);
        const textError = row!.textError as string | null | undefined;
        if (textError) {
          // On a loaded machine the one read of the texts (the server loads all 180 MB of them, holding the lock new
          // statements wait for) may pass the monitor's 3 s: pgtop stops it there and says so on the row.
          expect(textError).toMatch(/statement timeout|canceling statement/);
          continue;
        }
        expect(query.startsWith('/* pgtop-hostile-30mb ')).toBe(true);
        // And the whole length is said (as stored: constants become $1, $2).
        expect(Object.values(row!).filter((v) => typeof v === 'number' && v > b.sent - 100 && v <= b.sent), 'the whole length').toHaveLength(1);
      }
    } finally {
      await creator.end();
      // pg_stat_statements is server-wide: these 180 MB of text must not slow anyone else's tests.
      const c = await tenant.admin();
      try {
        await c.query('SELECT public.pg_stat_statements_reset(0, (SELECT oid FROM pg_database WHERE datname = current_database()), q::bigint) FROM unnest($1::text[]) q', [big.map((b) => b.queryid).filter(Boolean)]);
        // A new entry makes pg_stat_statements collect its text file's garbage (else it stays 180 MB until then).
        await c.query(`CREATE TEMP TABLE ${pg.escapeIdentifier(`pgtop_hostile_gc_${Date.now()}`)} ()`);
      } finally {
        await c.end();
      }
    }
  });

  it('(5) a failed query looks like an empty one: with a planted format that raises, --once --screen sizes lists the tables (the plant is never called)', async () => {
    const raising = await createHostileTenant({ plants: false, workload: false });
    try {
      await raising.plant(`CREATE FUNCTION public.format(text, name, name) RETURNS text LANGUAGE plpgsql AS $$
        BEGIN
          PERFORM pgtop_hostile_recorder.record('format(text,name,name), raising');
          RAISE EXCEPTION 'the tenant''s format refuses';
        END $$`);
      const since = await raising.checkpoint();
      const { args, env } = pgtopArgs(raising.server, raising.database);
      const run = await runPgtop([...args, '--once', '--screen', 'sizes'], env);
      const saysEmpty = run.stdout.includes('no tables in this database') && run.code === 0;
      expect(saysEmpty, `a failed query shown as an empty list:\n${printable(run.stdout)}`).toBe(false);
      expect(run.code, run.stderr).toBe(0);
      // The tables are listed (this one's name needs quoting, not escaping).
      expectShown(run.stdout, raising.names.publicTables.quoting, 'the tables');
      expect(summarizeRuns(await raising.plantsThatRan(since))).toEqual([]);
    } finally {
      await raising.drop();
    }
  });
});

// ---------------------------------------------------------------------------
// The guided session's checks: on a cluster of their own, where the seed's
// server-wide roles (app_user, readonly_user, monitor_user) can exist.

describe('pgtop learn --check in the hostile database', () => {
  let cluster: LocalCluster;
  let learnTenant: HostileTenant;
  let home: string;
  const outcomes: { mode: string; run: BinaryRun; runs: string[]; triggers: string[] }[] = [];
  let before: unknown;
  let after: unknown;

  beforeAll(async () => {
    cluster = await startLocalCluster();
    home = mkdtempSync(join(tmpdir(), 'pgtop-hostile-learn-'));
    // app_user may create in public, as after the session's step 1.2; its password is in no ~/.pgpass.
    learnTenant = await createHostileTenant({ server: cluster, learnRoles: true, workload: false });
    before = await learnTenant.serverSnapshot();
    const { args, env } = pgtopArgs(cluster, learnTenant.database);
    for (const mode of ['learn --check', 'learn --check --read-only']) {
      const since = await learnTenant.checkpoint();
      const run = await runPgtop([...mode.split(' '), ...args, '--backup-dir', join(home, 'backups')], { ...env, HOME: home, XDG_STATE_HOME: join(home, 'state') });
      const ran = await learnTenant.plantsThatRan(since);
      outcomes.push({ mode, run, runs: summarizeRuns(ran), triggers: summarizeRuns(ran.filter((r) => r.plant.startsWith('trigger'))) });
    }
    after = await learnTenant.serverSnapshot();
  }, 120_000);

  afterAll(async () => {
    await learnTenant?.drop();
    await cluster?.stop();
    rmSync(home, { recursive: true, force: true });
  });

  it('(2) checks "as a role" run on the superuser\'s connection: neither learn --check nor learn --check --read-only fires the tenant\'s statement trigger, which would RESET ROLE', () => {
    for (const { mode, triggers } of outcomes) expect(triggers, mode).toEqual([]);
  });

  it('runs every check (one line each), runs no plant, fires no trigger and changes nothing on the server', () => {
    for (const { mode, run, runs } of outcomes) {
      expect(runs, mode).toEqual([]);
      expect(run.stderr, mode).toBe('');
      // 0 when every criterion passes, 1 when some fail: never killed for hanging.
      expect([0, 1], `${mode} exited ${run.code}`).toContain(run.code);
      const lines = run.stdout.trimEnd().split('\n');
      const summary = /^\d+ of (\d+) criteria pass$/.exec(lines.at(-1) ?? '');
      expect(summary, `${mode}:\n${printable(run.stdout.slice(-3000))}`).not.toBeNull();
      expect(lines.filter((l) => /^[✓✗] \d\.\d+ /.test(l)).length, mode).toBe(Number(summary![1]));
      expect(rawControls(run.stdout), mode).toEqual([]);
    }
    expect(after).toEqual(before);
  });
});
