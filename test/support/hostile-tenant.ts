// The worst tenant: a database on the throwaway cluster in which two roles
// (one with no privilege, one with CREATE on public) have done everything a
// tenant can do to the administrator who runs pgtop as a superuser there:
//  - plants (test/support/hostile-plants.ts): in every schema they can write,
//    a function of the same name and argument types for every function
//    pgtop's SQL calls (derived from the source), concrete signatures that
//    win by exact match against pg_catalog's VARIADIC "any" and polymorphic
//    ones, aggregates, operators over catalog types, triggers of every kind,
//    a rule and a row-level security policy. Each plant behaves like the real
//    thing (a stealthy attacker) after recording that it ran, in ways no
//    ROLLBACK and no READ ONLY transaction undoes: a RAISE LOG line in the
//    server log, a sequence's nextval, and, as a superuser, COPY … TO PROGRAM
//    touching a marker file (the real attack);
//  - names with quotes, spaces, ;, backslashes, newlines, wide and combining
//    unicode and terminal control sequences, for tables, schemas, an index,
//    the roles and the database itself;
//  - a workload: a long query whose text holds control sequences, a lock
//    chain on a weird table, dead tuples, pg_stat_statements entries with
//    control sequences and megabytes of text.
// The tenant's own sessions run with application_name 'hostile-tenant…', so
// their own triggers are not counted against pgtop; the fixture's and the
// tests' own connections pin search_path to pg_catalog, so they never pick a
// plant themselves.
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdtempSync, openSync, readSync, closeSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { plantEverything, RECORDER, type SkippedPlant } from './hostile-plants.js';
import { connected, pgInfo, waitFor, type PgInfo } from './pg.js';

// ---------------------------------------------------------------------------
// What the terminal must never receive raw

export const OSC_TITLE = '\x1b]0;pwned\x07';
export const CLEAR_SCREEN = '\x1b[2J';
export const C1_CLEAR = '\u009b2J';
export const BARE_CR = '\r';
/** A raw control byte as a terminal would act on it: C0 but \t and \n, DEL, C1. */
export const RAW_CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f]/;

/** The hostile names of one tenant; `tag` keeps server-wide ones (roles, the database) apart. */
export function hostileNames(tag: string) {
  const names = {
    database: `hostile "db";\\ 日 ${OSC_TITLE}${C1_CLEAR}${BARE_CR} ${tag}`,
    /** The schema the tenant owns. */
    schema: `ten"ant; \\ 🐘 ${OSC_TITLE}`,
    /** Tables in public (the tenant has CREATE there). */
    publicTables: {
      quoting: 't"; DROP TABLE x; --',
      title: `title ${OSC_TITLE} 🐘`,
      wipe: `wipe ${CLEAR_SCREEN}${C1_CLEAR}${BARE_CR}ok`,
      multiline: "line\nbreak 表 e\u0301 \\ 'q'",
    },
    /** In the tenant's schema: the lock chain's table, and the one with dead tuples (and the weird index). */
    lockTable: `lock "chain"; ${CLEAR_SCREEN} 鎖`,
    bloatTable: `bloat ${OSC_TITLE}\n🐘 ${C1_CLEAR}`,
    index: `idx "${OSC_TITLE}"; ✓ ${CLEAR_SCREEN}`,
    /** No privilege at all: it logs in and runs the long query. */
    noPrivilegeRole: `nopriv "${tag}"; ${OSC_TITLE}`,
    /** CREATE on public and its own schema: the plants, the tables, the lock chain. */
    creatorRole: `tenant ${tag} ; \\ 🐘${CLEAR_SCREEN}`,
  };
  for (const name of [names.database, names.schema, ...Object.values(names.publicTables), names.lockTable, names.bloatTable, names.index, names.noPrivilegeRole, names.creatorRole]) {
    // NAMEDATALEN: a longer name would be cut by the server, and the tests would look for the wrong one.
    if (Buffer.byteLength(name) > 63) throw new Error(`hostile name longer than 63 bytes: ${JSON.stringify(name)}`);
  }
  return names;
}
export type HostileNames = ReturnType<typeof hostileNames>;

/** The application_name of the tenant's (and the fixture's) own sessions: their plant runs are not pgtop's. */
export const TENANT_APP = 'hostile-tenant';

/** Each fixture's nonce, by its database: the recorder's log lines carry it. */
const NONCES = new Map<string, string>();

const ident = (name: string): string => pg.escapeIdentifier(name);
const literal = (value: string): string => pg.escapeLiteral(value);

// ---------------------------------------------------------------------------
// The fixture

export interface HostileTenantOptions {
  /** The server; default: the test run's cluster. */
  server?: PgInfo;
  /** Plant every function, aggregate and operator (default true); false leaves only the recorder, for a test's own plant. */
  plants?: boolean;
  /**
   * Also the seed's app_user, readonly_user and monitor_user, as after the guided
   * session's part 1 (app_user may create in public). Server-wide names: only on a
   * cluster of the test's own.
   */
  learnRoles?: boolean;
  /** Dead tuples and the statistics entries with control sequences and megabytes of text (default true). */
  workload?: boolean;
}

/** A point in the recorder's history: plantsThatRan(since) reports only what ran after it. */
export interface Checkpoint {
  logOffset: number;
  sequence: number;
}

export interface PlantRun {
  /** Which plant: its signature, or a trigger, rule or policy. */
  plant: string;
  currentUser: string;
  sessionUser: string;
  app: string;
  /** The statement that made it run, as the server log gives it (its first 300 characters). */
  statement: string | null;
  /** How it was seen: the server log, the recorder sequence, or the file COPY … TO PROGRAM made. */
  via: 'log' | 'sequence' | 'marker';
}

export interface TenantSession {
  client: pg.Client;
  pid: number;
}

export interface TenantLockChain {
  blocker: TenantSession;
  waiter: TenantSession;
  /** Settles when the waiter's UPDATE ends (an Error when it failed). */
  waiterDone: Promise<unknown>;
}

export interface HostileTenant {
  server: PgInfo;
  database: string;
  names: HostileNames;
  roles: { noPrivilege: { name: string; password: string }; creator: { name: string; password: string } };
  /** Seed roles made with learnRoles, by name, with their passwords. */
  learnRoles: Map<string, string>;
  /** Names of the functions the shipped SQL calls that pg_catalog has (each was planted, or is in skipped). */
  calledCatalogFunctions: string[];
  planted: string[];
  skipped: SkippedPlant[];
  /** A client on the hostile database as the superuser, search_path pinned to pg_catalog; the caller ends it. */
  admin(database?: string): Promise<pg.Client>;
  /** A client as the tenant that may create in public (application_name hostile-tenant); the caller ends it. */
  asCreator(): Promise<pg.Client>;
  /** Runs statements as the tenant, e.g. a test's own plant. */
  plant(sql: string): Promise<void>;
  /** The long query with control sequences in its text, as the role without privileges. */
  startLongQuery(): Promise<TenantSession & { done: Promise<unknown>; text: string }>;
  /** A blocker idle in transaction on the weird lock table, and a waiter behind it. */
  startLockChain(): Promise<TenantLockChain>;
  /**
   * What the fixture's own self-test saw: as a session with the default
   * search_path, it called a function, an aggregate and an operator pgtop's SQL
   * uses, and fired a trigger; each plant recorded itself (else creating the
   * fixture fails: a recorder that cannot see a run proves nothing).
   */
  selfTest: PlantRun[];
  /** Now, for plantsThatRan(since); also removes the marker file, so that a new one is news. */
  checkpoint(): Promise<Checkpoint>;
  /** Every plant run outside the tenant's own sessions since the checkpoint (default: since the fixture was ready). */
  plantsThatRan(since?: Checkpoint): Promise<PlantRun[]>;
  /** What a check must not change: roles, passwords, grants, catalog objects, settings, row counts. */
  serverSnapshot(): Promise<unknown>;
  /** Stops the workload, drops the database and the roles, forgets the statistics entries. */
  drop(): Promise<void>;
}

function serverClient(server: PgInfo, options: { user?: string; password?: string; database?: string; app?: string; pinned?: boolean }): Promise<pg.Client> {
  return connected(
    new pg.Client({
      host: server.host,
      port: server.port,
      user: options.user ?? server.user,
      password: options.password ?? server.password,
      database: options.database ?? server.database,
      application_name: options.app ?? `${TENANT_APP}-check`,
      // A plant must never be picked by the fixture or the tests themselves.
      ...(options.pinned === false ? {} : { options: '-c search_path=pg_catalog,pg_temp' }),
    }),
  );
}

async function withClient<T>(open: Promise<pg.Client>, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = await open;
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

export async function createHostileTenant(options: HostileTenantOptions = {}): Promise<HostileTenant> {
  const server = options.server ?? pgInfo();
  const tag = randomBytes(2).toString('hex');
  const nonce = randomBytes(6).toString('hex');
  const names = hostileNames(tag);
  const database = names.database;
  NONCES.set(database, nonce);
  const roles = {
    noPrivilege: { name: names.noPrivilegeRole, password: randomBytes(12).toString('hex') },
    creator: { name: names.creatorRole, password: randomBytes(12).toString('hex') },
  };
  const learnRoles = new Map<string, string>();
  const markerDir = mkdtempSync(path.join(os.tmpdir(), 'pgtop-hostile-'));
  // The server may run as another OS user (an unprivileged one when tests run as root).
  chmodSync(markerDir, 0o777);
  const marker = path.join(markerDir, 'copy-to-program-ran');
  const sessions: pg.Client[] = [];
  let ready: Checkpoint = { logOffset: 0, sequence: 0 };
  let selfTest: PlantRun[] = [];
  let planted: string[] = [];
  let skipped: SkippedPlant[] = [];
  let calledCatalogFunctions: string[] = [];

  const admin = (db = database) => serverClient(server, { database: db });
  const asCreator = () => serverClient(server, { database, user: roles.creator.name, password: roles.creator.password, app: TENANT_APP });
  const postgresDb = () => serverClient(server, {});

  const drop = async (): Promise<void> => {
    await Promise.all(sessions.splice(0).map((c) => c.end().catch(() => undefined)));
    await withClient(postgresDb(), async (c) => {
      const db = await c.query<{ oid: number }>('SELECT oid FROM pg_database WHERE datname = $1', [database]);
      // pg_stat_statements is server-wide: forget this database's entries (megabytes of text) before it goes.
      if (db.rows[0]) await c.query('SELECT pg_stat_statements_reset(0, $1, 0)', [db.rows[0].oid]).catch(() => undefined);
      await c.query(`DROP DATABASE IF EXISTS ${ident(database)} WITH (FORCE)`);
      // A role that still owns something elsewhere (a restore a failed test left) stays: the cluster is thrown away anyway.
      for (const role of [roles.noPrivilege.name, roles.creator.name, ...learnRoles.keys()]) await c.query(`DROP ROLE IF EXISTS ${ident(role)}`).catch(() => undefined);
    });
    rmSync(markerDir, { recursive: true, force: true });
  };

  try {
    await withClient(postgresDb(), async (c) => {
      await c.query(`CREATE ROLE ${ident(roles.noPrivilege.name)} LOGIN PASSWORD ${literal(roles.noPrivilege.password)}`);
      await c.query(`CREATE ROLE ${ident(roles.creator.name)} LOGIN PASSWORD ${literal(roles.creator.password)}`);
      await c.query(`CREATE DATABASE ${ident(database)}`);
      if (options.learnRoles) {
        for (const role of ['app_user', 'readonly_user', 'monitor_user']) {
          const password = randomBytes(12).toString('hex');
          learnRoles.set(role, password);
          await c.query(`CREATE ROLE ${role} LOGIN PASSWORD ${literal(password)}`);
        }
        await c.query('GRANT pg_monitor TO monitor_user');
      }
    });

    await withClient(admin(), async (c) => {
      await c.query(`
        CREATE EXTENSION IF NOT EXISTS pg_stat_statements SCHEMA public;
        GRANT CREATE ON SCHEMA public TO ${ident(roles.creator.name)};
        CREATE SCHEMA ${ident(names.schema)} AUTHORIZATION ${ident(roles.creator.name)};
        CREATE SCHEMA ${RECORDER};
        GRANT USAGE ON SCHEMA ${RECORDER} TO PUBLIC;
        CREATE SEQUENCE ${RECORDER}.runs;
        GRANT USAGE, UPDATE, SELECT ON SEQUENCE ${RECORDER}.runs TO PUBLIC;
        CREATE FUNCTION ${RECORDER}.record(plant text) RETURNS void LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $rec$
        BEGIN
          IF current_setting('application_name') LIKE '${TENANT_APP}%' THEN RETURN; END IF;
          RAISE LOG 'pgtop-hostile-plant ${nonce} fn=% current_user=% session_user=% app=%',
            to_json(plant), to_json(current_user::text), to_json(session_user::text), to_json(current_setting('application_name'));
          BEGIN
            PERFORM nextval('${RECORDER}.runs');
          EXCEPTION WHEN OTHERS THEN NULL; -- a READ ONLY transaction: the log line and the file still tell
          END;
          BEGIN
            EXECUTE 'COPY (SELECT 1) TO PROGRAM ' || quote_literal(${literal(`touch '${marker}'`)});
          EXCEPTION WHEN OTHERS THEN NULL; -- not a superuser: nothing to run
          END;
        END $rec$;
        -- Runs the tenant's DDL one statement at a time, server-side, and says which failed and why.
        CREATE FUNCTION ${RECORDER}.try_each(statements text[]) RETURNS TABLE (i int, error text) LANGUAGE plpgsql AS $try$
        DECLARE
          s text;
          n int := 0;
        BEGIN
          FOREACH s IN ARRAY statements LOOP
            n := n + 1;
            BEGIN
              EXECUTE s;
            EXCEPTION WHEN OTHERS THEN
              i := n; error := SQLERRM; RETURN NEXT;
            END;
          END LOOP;
        END $try$;
      `);
      if (options.learnRoles) {
        // As the seed's part 1 leaves them: app_user may create in public and write its tables.
        await c.query(`
          GRANT USAGE, CREATE ON SCHEMA public TO app_user;
          GRANT USAGE ON SCHEMA public TO readonly_user;
        `);
      }
    });

    await withClient(asCreator(), async (c) => {
      const t = (schema: string, table: string) => `${ident(schema)}.${ident(table)}`;
      const publicTables = Object.values(names.publicTables).map((table) => t('public', table));
      const lockTable = t(names.schema, names.lockTable);
      const bloatTable = t(names.schema, names.bloatTable);
      const statements: string[] = [];
      for (const table of publicTables) statements.push(`CREATE TABLE ${table} (id int PRIMARY KEY, note text)`, `INSERT INTO ${table} SELECT g, 'n' || g FROM generate_series(1, 20) g`);
      statements.push(
        `CREATE TABLE ${lockTable} (id int PRIMARY KEY, v int NOT NULL)`,
        `INSERT INTO ${lockTable} VALUES (1, 0)`,
        // No autovacuum: its dead tuples stay for the bloat screen.
        `CREATE TABLE ${bloatTable} (id int PRIMARY KEY, v int NOT NULL, note text) WITH (autovacuum_enabled = false)`,
        `CREATE INDEX ${ident(names.index)} ON ${bloatTable} (v)`,
      );
      // Triggers of every kind, a rule and a policy, each calling a plant; the trigger function also tries RESET ROLE,
      // which turns a SET ROLE check into the superuser's session.
      for (const schema of ['public', names.schema]) {
        statements.push(
          `CREATE FUNCTION ${ident(schema)}.pgtop_hostile_trigger() RETURNS trigger LANGUAGE plpgsql AS $trg$
           BEGIN
             PERFORM ${RECORDER}.record(pg_catalog.format('trigger %s %s %s on %s', TG_WHEN, TG_LEVEL, TG_OP, TG_TABLE_NAME));
             BEGIN
               RESET ROLE;
               PERFORM ${RECORDER}.record(pg_catalog.format('trigger %s %s %s on %s after RESET ROLE', TG_WHEN, TG_LEVEL, TG_OP, TG_TABLE_NAME));
             EXCEPTION WHEN OTHERS THEN NULL;
             END;
             IF TG_LEVEL = 'ROW' THEN RETURN coalesce(NEW, OLD); END IF;
             RETURN NULL;
           END $trg$`,
          `CREATE FUNCTION ${ident(schema)}.pgtop_hostile_rule(n int) RETURNS int LANGUAGE sql AS $r$ SELECT ${RECORDER}.record('rule ON INSERT DO ALSO'); SELECT n $r$`,
          `CREATE FUNCTION ${ident(schema)}.pgtop_hostile_policy(n int) RETURNS boolean LANGUAGE sql AS $p$ SELECT ${RECORDER}.record('row-level security policy'); SELECT true $p$`,
        );
      }
      const withTriggers = [...publicTables.map((table) => ({ table, schema: 'public', rows: true })), { table: lockTable, schema: names.schema, rows: true }, { table: bloatTable, schema: names.schema, rows: false }];
      for (const [n, { table, schema, rows }] of withTriggers.entries()) {
        const fn = `${ident(schema)}.pgtop_hostile_trigger()`;
        for (const when of ['BEFORE', 'AFTER']) {
          const name = (level: string) => ident(`pgtop_hostile_${when.toLowerCase()}_${level}`);
          statements.push(`CREATE TRIGGER ${name('statement')} ${when} INSERT OR UPDATE OR DELETE OR TRUNCATE ON ${table} FOR EACH STATEMENT EXECUTE FUNCTION ${fn}`);
          // The bloat table takes a quarter of a million rows: statement triggers only.
          if (rows) statements.push(`CREATE TRIGGER ${name('row')} ${when} INSERT OR UPDATE OR DELETE ON ${table} FOR EACH ROW EXECUTE FUNCTION ${fn}`);
        }
        statements.push(
          `CREATE TABLE ${ident(schema)}.${ident(`pgtop_hostile_rule_log_${n}`)} (n int)`,
          `CREATE RULE pgtop_hostile_also AS ON INSERT TO ${table} DO ALSO INSERT INTO ${ident(schema)}.${ident(`pgtop_hostile_rule_log_${n}`)} VALUES (${ident(schema)}.pgtop_hostile_rule(NEW.id))`,
          `ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY`,
          `CREATE POLICY pgtop_hostile_policy ON ${table} USING (${ident(schema)}.pgtop_hostile_policy(id))`,
        );
      }
      if (options.learnRoles) {
        for (const table of publicTables) statements.push(`GRANT SELECT, INSERT, UPDATE, DELETE ON ${table} TO app_user`, `GRANT SELECT ON ${table} TO readonly_user`);
      }
      await c.query(statements.join(';\n'));
    });

    if (options.plants !== false) {
      const result = await plantEverything({
        catalog: () => serverClient(server, { database }),
        asTenant: (statements) => withClient(asCreator(), async (c) => (await c.query<{ i: number; error: string }>(`SELECT i, error FROM ${RECORDER}.try_each($1)`, [statements])).rows),
        schemas: [names.schema, 'public'],
      });
      planted = result.planted;
      skipped = result.skipped;
      calledCatalogFunctions = result.called;
    }

    if (options.workload !== false) {
      // What stays for the screens: dead tuples, and statistics entries whose texts hold control sequences.
      // Rows counted past a hundred thousand, so that they rank in the statements list's top 50 by rows.
      await withClient(asCreator(), async (c) => {
        const bloat = `${ident(names.schema)}.${ident(names.bloatTable)}`;
        await c.query(`INSERT INTO ${bloat} SELECT g, 0, 'n' || g FROM generate_series(1, 120000) g /* ${OSC_TITLE} inserted ${CLEAR_SCREEN} */`);
        // Several megabytes of query text, with control sequences all along.
        const megabytes = `${'x'.repeat(1000)}${OSC_TITLE}${C1_CLEAR}${BARE_CR}`.repeat(3 * 1024);
        await c.query(`UPDATE ${bloat} SET v = v + 1 WHERE id <= 110000 /* ${megabytes} */`);
      });
    }

    if (options.plants !== false) {
      const before = await checkpointOf(server, database, marker);
      await withClient(serverClient(server, { database, user: roles.creator.name, password: roles.creator.password, app: SELF_TEST_APP, pinned: false }), async (c) => {
        const table = `public.${ident(names.publicTables.quoting)}`;
        await c.query(`
          SELECT format('%I.%I', n.nspname, c.relname), json_agg(c.relname), 1::oid = 1::bigint
            FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
           WHERE c.oid = 'pg_catalog.pg_class'::pg_catalog.regclass GROUP BY 1`);
        await c.query(`BEGIN; INSERT INTO ${table} (id) SELECT NULL WHERE false; ROLLBACK`);
      });
      selfTest = await readRuns(server, database, marker, before);
      const seen = (plant: string) => selfTest.some((r) => r.plant === plant);
      const wanted = [
        ...['format(text,name,name)', 'json_agg(name)'].filter((signature) => planted.includes(`public: ${signature}`)),
        'operator oid = bigint',
        'trigger BEFORE STATEMENT INSERT on t"; DROP TABLE x; --',
      ];
      if (!wanted.every(seen) || !selfTest.some((r) => r.via === 'sequence')) {
        throw new Error(`the hostile fixture's recorder missed its own self-test: wanted ${wanted.join(', ')} and the sequence, saw ${JSON.stringify(selfTest)}`);
      }
    }
    ready = await checkpointOf(server, database, marker);
  } catch (error) {
    await drop().catch(() => undefined);
    throw error;
  }

  const tenantSession = async (role: { name: string; password: string }): Promise<TenantSession> => {
    const client = await serverClient(server, { database, user: role.name, password: role.password, app: TENANT_APP });
    sessions.push(client);
    const pid = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
    return { client, pid };
  };

  const waitUntil = async (pid: number, condition: string, what: string) =>
    withClient(admin(), (c) => waitFor(async () => (await c.query(`SELECT 1 FROM pg_stat_activity WHERE pid = $1 AND ${condition}`, [pid])).rowCount === 1, { what }));

  return {
    server,
    database,
    names,
    roles,
    learnRoles,
    get calledCatalogFunctions() {
      return calledCatalogFunctions;
    },
    get planted() {
      return planted;
    },
    get skipped() {
      return skipped;
    },
    admin,
    asCreator,
    async plant(sql) {
      await withClient(asCreator(), (c) => c.query(sql));
    },
    async startLongQuery() {
      const session = await tenantSession(roles.noPrivilege);
      const text = `SELECT pg_sleep(600) AS "${OSC_TITLE}" /* ${nonce} ${CLEAR_SCREEN} ${C1_CLEAR} ${BARE_CR} 🐘 */`;
      const done = session.client.query(text).catch((error: unknown) => error);
      await waitUntil(session.pid, "state = 'active' AND query LIKE 'SELECT pg_sleep(600)%'", 'the long query to run');
      return { ...session, done, text };
    },
    async startLockChain() {
      const table = `${ident(names.schema)}.${ident(names.lockTable)}`;
      const blocker = await tenantSession(roles.creator);
      await blocker.client.query('BEGIN');
      await blocker.client.query(`UPDATE ${table} SET v = v + 1 WHERE id = 1`);
      const waiter = await tenantSession(roles.creator);
      const waiterDone = waiter.client.query(`UPDATE ${table} SET v = v + 1 WHERE id = 1 /* ${OSC_TITLE} waiting */`).catch((error: unknown) => error);
      await waitUntil(waiter.pid, "wait_event_type = 'Lock'", 'the waiter to wait on the lock');
      return { blocker, waiter, waiterDone };
    },
    selfTest,
    checkpoint: () => checkpointOf(server, database, marker),
    plantsThatRan: (since = ready) => readRuns(server, database, marker, since),
    serverSnapshot: () => snapshot(server, database, admin),
    drop,
  };
}

/** The self-test's sessions: recorded (unlike the tenant's own), and told apart from pgtop's by this name. */
const SELF_TEST_APP = 'pgtop-hostile-self-test';

async function sequenceValue(server: PgInfo, database: string): Promise<number> {
  return withClient(serverClient(server, { database }), async (c) => {
    const r = await c.query<{ n: string }>(`SELECT CASE WHEN is_called THEN last_value ELSE 0 END AS n FROM ${RECORDER}.runs`);
    return Number(r.rows[0]!.n);
  });
}

async function checkpointOf(server: PgInfo, database: string, marker: string): Promise<Checkpoint> {
  rmSync(marker, { force: true });
  return { logOffset: existsSync(server.logFile) ? statSync(server.logFile).size : 0, sequence: await sequenceValue(server, database) };
}

/** The log's lines since the checkpoint, plus what the sequence and the marker file say. */
async function readRuns(server: PgInfo, database: string, marker: string, since: Checkpoint): Promise<PlantRun[]> {
  const runs = readPlantLog(server.logFile, since.logOffset, NONCES.get(database)!);
  const count = (await sequenceValue(server, database)) - since.sequence;
  const unknown = { currentUser: '?', sessionUser: '?', app: '?', statement: null };
  if (count > 0) runs.push({ ...unknown, plant: `${count} run(s) counted by the recorder sequence`, via: 'sequence' });
  if (existsSync(marker)) runs.push({ ...unknown, plant: 'COPY … TO PROGRAM ran as a superuser (the marker file is there)', via: 'marker' });
  return runs;
}

const LOG_LINE = /^.*?\[(\d+)\] LOG: {2}pgtop-hostile-plant (\w+) fn=("(?:[^"\\]|\\.)*") current_user=("(?:[^"\\]|\\.)*") session_user=("(?:[^"\\]|\\.)*") app=("(?:[^"\\]|\\.)*")$/;
// [^\n], not ".": a statement may hold a bare \r (a weird name), which "." does not match.
const STATEMENT_LINE = /^[^\n]*?\[(\d+)\] STATEMENT: {2}([^\n]*)$/;

/** The recorder's lines in the server log since `from`, with the statement the server logged after each. */
function readPlantLog(logFile: string, from: number, nonce: string): PlantRun[] {
  if (!existsSync(logFile)) return [];
  const size = statSync(logFile).size;
  if (size <= from) return [];
  const buffer = Buffer.alloc(size - from);
  const fd = openSync(logFile, 'r');
  try {
    readSync(fd, buffer, 0, buffer.length, from);
  } finally {
    closeSync(fd);
  }
  const lines = buffer.toString('utf8').split('\n');
  const runs: PlantRun[] = [];
  const waiting = new Map<string, PlantRun[]>();
  // A statement spans lines: the server indents its continuation lines with a tab.
  let continuing: PlantRun[] = [];
  for (const line of lines) {
    if (line.startsWith('\t') && continuing.length) {
      for (const entry of continuing) entry.statement = `${entry.statement} ${line.trim()}`.trim().slice(0, 300);
      continue;
    }
    continuing = [];
    const run = LOG_LINE.exec(line);
    if (run && run[2] === nonce) {
      const entry: PlantRun = {
        plant: JSON.parse(run[3]!) as string,
        currentUser: JSON.parse(run[4]!) as string,
        sessionUser: JSON.parse(run[5]!) as string,
        app: JSON.parse(run[6]!) as string,
        statement: null,
        via: 'log',
      };
      runs.push(entry);
      waiting.set(run[1]!, [...(waiting.get(run[1]!) ?? []), entry]);
      continue;
    }
    const statement = STATEMENT_LINE.exec(line);
    if (statement && waiting.has(statement[1]!)) {
      continuing = waiting.get(statement[1]!)!;
      for (const entry of continuing) entry.statement = statement[2]!.trim().slice(0, 300);
      waiting.delete(statement[1]!);
    }
  }
  return runs;
}

async function snapshot(server: PgInfo, database: string, admin: (db?: string) => Promise<pg.Client>): Promise<unknown> {
  const global = await withClient(serverClient(server, {}), async (c) => {
    const r = await c.query(`
      SELECT json_build_object(
        'roles', (SELECT json_agg(json_build_array(rolname, rolsuper, rolinherit, rolcreaterole, rolcreatedb, rolcanlogin, rolreplication,
                                                   rolbypassrls, rolconnlimit, rolvaliduntil, md5(coalesce(rolpassword, ''))) ORDER BY rolname) FROM pg_authid),
        'members', (SELECT json_agg(json_build_array(roleid::regrole::text, member::regrole::text, admin_option) ORDER BY 1, 2) FROM pg_auth_members),
        'databases', (SELECT json_agg(json_build_array(datname, datacl::text, datallowconn, datconnlimit, datdba::regrole::text) ORDER BY datname) FROM pg_database),
        'role settings', (SELECT json_agg(json_build_array(setdatabase, setrole, setconfig) ORDER BY 1, 2) FROM pg_db_role_setting),
        'files', (SELECT json_agg(json_build_array(sourcefile, name, setting) ORDER BY sourcefile, seqno) FROM pg_file_settings)
      ) AS s`);
    return r.rows[0].s as unknown;
  });
  const local = await withClient(admin(database), async (c) => {
    const r = await c.query(`
      SELECT json_build_object(
        'namespaces', (SELECT json_agg(json_build_array(nspname, nspowner::regrole::text, nspacl::text) ORDER BY nspname) FROM pg_namespace WHERE nspname !~ '^pg_(toast_)?temp_'),
        'relations', (SELECT json_agg(json_build_array(n.nspname, c.relname, c.relkind, c.relowner::regrole::text, c.relacl::text, c.reloptions, c.relrowsecurity)
                                      ORDER BY n.nspname, c.relname)
                        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname !~ '^pg_(toast_)?temp_'),
        'functions', (SELECT count(*) FROM pg_proc),
        'triggers', (SELECT json_agg(json_build_array(tgrelid::regclass::text, tgname, tgenabled) ORDER BY 1, 2) FROM pg_trigger),
        'policies', (SELECT json_agg(json_build_array(polrelid::regclass::text, polname) ORDER BY 1, 2) FROM pg_policy),
        'default privileges', (SELECT json_agg(defaclacl::text ORDER BY oid) FROM pg_default_acl),
        'extensions', (SELECT json_agg(json_build_array(extname, extversion) ORDER BY extname) FROM pg_extension),
        'sequences', (SELECT json_agg(json_build_array(schemaname, sequencename, last_value) ORDER BY 1, 2) FROM pg_sequences)
      ) AS s`);
    const tables = await c.query<{ name: string }>(
      `SELECT format('%I.%I', n.nspname, c.relname) AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind = 'r' AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname !~ '^pg_' ORDER BY 1`,
    );
    const rows: Record<string, number> = {};
    for (const t of tables.rows) rows[t.name] = Number((await c.query<{ n: string }>(`SELECT count(*) AS n FROM ${t.name}`)).rows[0]!.n);
    return { ...(r.rows[0].s as object), rows };
  });
  return { global, local };
}

/** Text with its control characters spelled out (\x1b…), fit for a test's failure message: a test log is read in a terminal too. */
export function printable(text: string): string {
  return text.replace(new RegExp(RAW_CONTROL.source, 'g'), (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/** Runs grouped by plant, user and app, one line each: what a failing test prints. */
export function summarizeRuns(runs: readonly PlantRun[]): string[] {
  const groups = new Map<string, { run: PlantRun; count: number }>();
  for (const run of runs) {
    const key = JSON.stringify([run.plant, run.currentUser, run.app, run.via]);
    const group = groups.get(key);
    if (group) group.count += 1;
    else groups.set(key, { run, count: 1 });
  }
  return [...groups.values()].map(({ run, count }) => printable(
    `${run.plant}${count > 1 ? ` ×${count}` : ''} (via ${run.via}${run.via === 'log' ? `, as ${JSON.stringify(run.currentUser)}, app ${JSON.stringify(run.app)}` : ''})${run.statement ? ` in: ${run.statement.slice(0, 160)}` : ''}`,
  ));
}
