// The guided session's screen, driven with keys (ink-testing-library) through
// the whole of part 1 against a real demo server: what the learner sees at
// each step, the y/n before every change, the password shown once (and that
// it really logs in), the ✓ that follows, the progress bar, resuming after a
// restart, and reset.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { render } from 'ink-testing-library';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { App, loadScreenComponents } from '../../screens/App.js';
import { SCREEN_ORDER } from '../../screens/index.js';

const COMPONENTS = await loadScreenComponents();
import { ActionRunner } from '../../src/actions/runner.js';
import { DashboardScheduler } from '../../src/cli/dashboard-scheduler.js';
import type { ResolvedConnection } from '../../src/db/connection-options.js';
import { openConnection } from '../../src/db/connection.js';
import { startDemo, type Demo } from '../../src/demo/demo.js';
import type { KeyServices } from '../../src/keys/dispatch.js';
import { LearnController } from '../../src/learn/controller.js';
import { progressFilePath } from '../../src/learn/progress-file.js';
import { createPgtopStore } from '../../src/store/store.js';

let demo: Demo;
let connection: ResolvedConnection;
let dir: string;
const saved = { PGPASSFILE: process.env.PGPASSFILE, XDG_STATE_HOME: process.env.XDG_STATE_HOME };

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'pgtop-learn-ui-'));
  process.env.PGPASSFILE = path.join(dir, 'no-pgpass');
  process.env.XDG_STATE_HOME = path.join(dir, 'state');
  demo = await startDemo({ enableStatements: false, lockRestartMs: 3_600_000 });
  connection = {
    host: demo.cluster.host,
    port: demo.cluster.port,
    user: demo.cluster.user,
    database: demo.database,
    password: demo.cluster.password,
    sslMode: 'disable',
    applicationName: 'pgtop-test',
    describe: `${demo.cluster.host}:${demo.cluster.port}`,
  };
}, 60_000);

afterAll(async () => {
  await demo?.stop();
  rmSync(dir, { recursive: true, force: true });
  for (const [name, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});

 
const ANSI = /\u001b\[[0-9;?]*[A-Za-z]/g;
const KEYS: Record<string, string> = { enter: '\r', escape: '\u001b', right: '\u001b[C', left: '\u001b[D' };

/** pgtop as `pgtop learn` wires it: store, action runner, the session, the scheduler that runs its checks, the App. */
function startLearn() {
  // The shortest refresh interval, so that the checks run as often as this test asks (recheckMs).
  const store = createPgtopStore({ target: `direct ${connection.describe}`, screen: 'learn', intervalMs: 500 });
  const runner = new ActionRunner(store, () => openConnection(connection, { purpose: 'action' }), { connection });
  // Assigned below: the services close over it before the controller that needs them exists.
  // eslint-disable-next-line prefer-const
  let learn!: LearnController;
  const services: KeyServices = {
    quit: () => undefined,
    requestAction: (request, key) => runner.request(request, key),
    answerInput: (value) => runner.answer(value),
    confirmAction: () => void runner.confirm(),
    dismissAction: () => runner.dismiss(),
    screenCommand: (command, screen) => screen === 'learn' && learn.handles(command) && (learn.command(command), true),
  };
  learn = new LearnController({
    store,
    requestAction: services.requestAction,
    openConnection: () => openConnection(connection, { purpose: 'monitor' }),
    connection,
    where: `direct ${connection.host}:${connection.port}`,
    backupDir: path.join(dir, 'backups'),
    progressFile: progressFilePath(connection),
    offerPgpass: false,
    recheckMs: 500,
  });
  const scheduler = new DashboardScheduler({ store, connect: () => openConnection(connection, { purpose: 'monitor' }), learn });
  const instance = render(<App store={store} services={services} color={false} learn={learn} screens={SCREEN_ORDER} components={COMPONENTS} />);
  Object.defineProperty(instance.stdout, 'columns', { get: () => 120, configurable: true });
  Object.defineProperty(instance.stdout, 'rows', { get: () => 40, configurable: true });
  instance.stdout.emit('resize');
  scheduler.start();
  const frame = () => (instance.lastFrame() ?? '').replace(ANSI, '');
  return {
    store,
    learn,
    frame,
    async press(...keys: string[]) {
      for (const key of keys) {
        instance.stdin.write(KEYS[key] ?? key);
        await new Promise((resolve) => setTimeout(resolve, 30));
      }
    },
    async waitFor(test: string | RegExp, timeoutMs = 8_000): Promise<string> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const f = frame();
        // Long check lines wrap; match them as one line too.
        const flat = f.replace(/\s+/g, ' ');
        const hit = (text: string) => (typeof test === 'string' ? text.includes(test) : test.test(text));
        if (hit(f) || hit(flat)) return f;
        if (Date.now() > deadline) throw new Error(`the screen never showed ${String(test)}; last frame:\n${f}`);
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    },
    async stop() {
      instance.unmount();
      await Promise.all([scheduler.stop(), learn.close(), runner.close()]);
    },
  };
}

/** Runs the change step on screen: Enter, the y/n shows the statements, y, then the outcome. */
async function runChange(ui: ReturnType<typeof startLearn>, firstStatement: string): Promise<string> {
  await ui.press('enter');
  // The dialog's border and wrapping aside, it shows the statements as they will run.
  const confirm = (await ui.waitFor('y to run it, n or Esc to leave it')).replace(/[│╭╮╰╯─]/g, ' ').replace(/\s+/g, ' ');
  expect(confirm).toContain(`will run: ${firstStatement}`);
  expect(confirm).toContain('This changes the server: database demo');
  await ui.press('y');
  return ui.waitFor(/ran \d+ statement\(s\)/);
}

describe('pgtop learn, part 1 on the screen', () => {
  it('goes through every step of users and permissions, with live checks, and resumes after a restart', async () => {
    const ui = startLearn();
    try {
      // 1.1: a read-only query; Enter shows its rows.
      let screen = await ui.waitFor('1.1 Who is here: the roles of this server');
      expect(screen).toContain('Part 1/5 Users and permissions (~8 min) · step 1/6');
      expect(screen).toContain('0/30 run');
      expect(screen).toContain('Fixed from the seed: \\du and \\z are psql commands');
      await ui.press('enter');
      screen = await ui.waitFor(/legacy_admin\s+yes/);
      expect(screen).toContain('1/30 run');
      // e: the whole explanation and the whole query (in a box that scrolls when it must).
      await ui.press('e');
      screen = await ui.waitFor(/Runs:[\s\S]*ORDER BY r\.rolname/);
      await ui.press('escape');
      await ui.waitFor(/legacy_admin\s+yes/);

      // 1.2: app_user. Its check fails first, for the right reason.
      await ui.press('n');
      await ui.waitFor('✗ app_user can log in and INSERT into the tables of public — role app_user does not exist');
      await runChange(ui, "CREATE ROLE app_user LOGIN PASSWORD '‹generated›';");
      screen = await ui.waitFor('Generated password (shown once)');
      const password = /app_user\s+([A-Za-z0-9_-]{32})/.exec(screen)![1]!;
      await ui.press(' ');
      await ui.waitFor(/✓ app_user can log in and INSERT into the tables of public — logged in as app_user .*INSERT allowed on all 6 tables/);
      // The password shown once is the one the server accepts.
      const appUser = new pg.Client({ ...connection, user: 'app_user', password });
      await appUser.connect();
      expect((await appUser.query('SELECT current_user AS u')).rows[0].u).toBe('app_user');
      await appUser.end();

      // 1.3, 1.4: the read-only and the monitoring roles.
      await ui.press('right');
      await ui.waitFor('✗ readonly_user cannot INSERT into any table of public — role readonly_user does not exist');
      await runChange(ui, "CREATE ROLE readonly_user LOGIN PASSWORD '‹generated›';");
      await ui.waitFor('Generated password (shown once)');
      await ui.press(' ');
      await ui.waitFor(/✓ readonly_user can log in and SELECT[\s\S]*✓ readonly_user cannot INSERT into any table of public .*INSERT denied on all 6 tables/);
      await ui.press('n');
      await runChange(ui, "CREATE ROLE monitor_user LOGIN PASSWORD '‹generated›';");
      await ui.waitFor('Generated password (shown once)');
      await ui.press(' ');
      await ui.waitFor(/✓ monitor_user can log in and see every session's query — logged in as monitor_user .*it has pg_read_all_stats/);

      // b goes back, n forward again; o opens the screen that shows the result.
      await ui.press('b');
      await ui.waitFor('1.3 The reporting role: readonly_user');
      await ui.press('n', 'n');
      await ui.waitFor('1.5 Default privileges: tables created later');
      await runChange(ui, 'ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO app_user;');
      await ui.waitFor('✓ a table you create in public is writable by app_user and readable (only) by readonly_user');

      await ui.press('n');
      await ui.waitFor("✗ app_user's search_path in demo is app_data, public");
      await runChange(ui, 'CREATE SCHEMA app_data; -- skipped when it exists already');
      screen = await ui.waitFor(/✓ app_user can create tables in app_data[\s\S]*✓ readonly_user cannot create tables in reporting[\s\S]*✓ app_user's search_path/);
      expect(screen).toContain('6/30 run');
      await ui.press('o');
      expect(ui.store.getState().ui.screen).toBe('roles');
    } finally {
      await ui.stop();
    }

    // A restart: the session resumes at the step where it was, with its progress.
    const again = startLearn();
    try {
      const screen = await again.waitFor('1.6 Schemas for the application, the audit log and reports');
      expect(screen).toContain('6/30 run');
      await again.waitFor("✓ app_user's search_path in demo is app_data, public");
      // Without the password of the earlier run (not in ~/.pgpass either), the check says how it checked: no login, the catalog.
      await again.press('b', 'b', 'b', 'b');
      await again.waitFor(/✓ app_user can log in and INSERT .*app_user has LOGIN and a password \(its password is not in this run or ~\/\.pgpass/);

      // X: reset drops what the session made, after y/n.
      await again.press('X');
      const confirm = await again.waitFor('y to run it, n or Esc to leave it');
      expect(confirm).toContain('DROP SCHEMA reporting;');
      expect(confirm).toContain('DROP ROLE app_user;');
      await again.press('y');
      await again.waitFor(/reset: dropped 6 object\(s\)/);
      await again.waitFor('0/30 run');
      const check = new pg.Client({ ...connection });
      await check.connect();
      const left = await check.query("SELECT count(*)::int AS n FROM pg_roles WHERE rolname IN ('app_user', 'readonly_user', 'monitor_user')");
      await check.end();
      expect(left.rows[0].n).toBe(0);
    } finally {
      await again.stop();
    }
  }, 90_000);
});
