// What the worst tenant puts into names, query texts and messages, as the
// mappers would hand it to the store: every screen's rows hold it, so that a
// screen test can assert nothing of it reaches the terminal raw.
import { createStore } from 'zustand/vanilla';
import type { BackupEntry } from '../../src/model/backups.js';
import type { LearnController, LearnState } from '../../src/learn/controller.js';
import { emptyProgress } from '../../src/learn/engine.js';
import { PARTS } from '../../src/learn/parts/index.js';
import type { PgtopState } from '../../src/store/store.js';
import { backend, header, participant } from './fixtures.js';
import { bloatTable, databaseSize, extensionReady, healthSnapshot, indexUsage, overview, progress, result, setting, statement, tableSize } from './maintenance-fixtures.js';
import { fact, hbaRule, role, settings } from './roles-fixtures.js';

/** Retitles the window (OSC 0), clears the screen (CSI 2J), a C1 CSI, a bidi override that reverses what follows. */
export const EVIL = '\u001b]0;pwned\u0007\u001b[2J\u009b31m\u202e';
/** How EVIL shows once it is terminal text. */
export const EVIL_SHOWN = '\\x1b]0;pwned\\x07\\x1b[2J\\x9b31m\\u202e';
/** What every hostile string shows at least, however short its column. */
export const SHOWN_MARK = '\\x1b';

export const evil = (name: string): string => `${name}${EVIL}`;

/** The frame's control characters (and bidi controls) besides the SGR codes (ESC [ … m) of pgtop's own styling; newlines separate lines. */
export function strayControls(rawFrame: string): string[] {
   
  return rawFrame.replace(/\u001b\[[0-9;]*m/g, '').match(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g) ?? [];
}

const DIR = evil('/home/ops/backups');

function backupEntry(name: string): BackupEntry {
  return {
    name,
    path: `${DIR}/${name}`,
    bytes: 12_345,
    mtimeMs: 0,
    at: new Date(2025, 2, 4, 5, 6, 7).getTime(),
    database: evil('shop'),
    kind: 'table',
    table: evil('orders'),
    format: 'custom',
    gzip: false,
    state: 'verified',
    sidecar: { pgtop: 1, file: name, bytes: 12_345, mtimeMs: 0, sha256: 'ab'.repeat(32), verifiedAt: '2025-03-04T05:06:30.000Z', check: `pg_restore read ${EVIL}`, madeBy: 'pgtop' },
    madeByPgtop: true,
  };
}

/** A connected dashboard on PostgreSQL 15 whose every screen shows hostile names and texts. */
export function hostileState(s: PgtopState): void {
  s.connection = { ...s.connection, target: `direct ${evil('db.example')}:5432`, state: 'connected', serverVersion: '15.18', serverVersionNum: 150018, ownPids: [900] };
  s.data.header = { ...header, database: evil('shop'), user: evil('postgres') };
  s.data.rates = { tps: 42.5, cacheHitRatio: 0.991 };
  const qualified = `${evil('sales')}.${evil('orders')}`;
  s.data.results = {
    activity: result([
      backend({ pid: 101, user: evil('mallory'), database: evil('shop'), application: evil('app'), query: `SELECT 1 /* ${EVIL} */`, querySeconds: 50 }),
      backend({ pid: 900, application: 'pgtop', query: 'SELECT … pg_stat_activity', querySeconds: 0.01 }),
    ]),
    locks: result([
      participant({ pid: 200, user: evil('mallory'), application: evil('app'), state: 'idle in transaction', query: `UPDATE ${evil('accounts')} SET v = 1`, xactSeconds: 120 }),
      participant({ pid: 201, blockedBy: [200], lockType: 'transactionid', mode: 'ShareLock', relation: evil('accounts'), query: `SELECT ${EVIL}`, waitSeconds: 65 }),
    ]),
    statementsExtension: result([{ ...extensionReady, database: evil('shop') }]),
    statements: result([statement({ key: 'a', query: `SELECT ${EVIL} FROM t`, user: evil('mallory'), database: evil('shop'), queryId: evil('42') })]),
    sizeTables: result([tableSize({ table: evil('orders'), schema: evil('sales'), qualified })]),
    sizeIndexes: result([indexUsage({ index: evil('orders_idx'), oid: 7, schema: evil('sales'), table: evil('orders'), qualifiedTable: qualified, qualifiedIndex: `${evil('sales')}.${evil('orders_idx')}` })]),
    sizeDatabases: result([databaseSize({ database: evil('shop'), current: true })]),
    bloatTables: result([bloatTable({ table: evil('orders'), schema: evil('sales'), qualified, deadTuples: 500, deadRatio: 0.3, autovacuumOptions: { [evil('opt')]: EVIL } })]),
    bloatOverview: result([{ ...overview, databases: [{ database: evil('shop'), current: true, allowConnections: true, xidAge: 1_200_000, mxidAge: 10 }] }]),
    bloatProgress: result([progress({ relation: evil('orders'), database: evil('other') })]),
    roles: result([
      role({ name: 'postgres', oid: 10, superuser: true, bootstrap: true }),
      role({
        name: evil('mallory'),
        description: `comment ${EVIL}`,
        memberOf: [{ role: evil('gang'), admin: false, inherit: true }],
        settings: [{ database: evil('shop'), setting: `search_path=${EVIL}` }],
      }),
    ]),
    rolesPrivileges: result([
      fact({ kind: 'grant', objectType: 'table', schema: evil('sales'), role: evil('mallory'), privilege: 'SELECT' }),
      fact({ kind: 'owner', objectType: 'schema', schema: evil('sales'), role: evil('mallory') }),
    ]),
    rolesServer: result([settings({ database: evil('shop'), hbaFile: evil('/etc/pg_hba.conf') })]),
    rolesPasswords: result([{ role: evil('mallory'), kind: 'md5' }]),
    rolesHba: result([hbaRule({ users: [evil('mallory')], address: null, netmask: null, type: 'host', method: 'trust' })]),
    config: result([
      setting({ name: evil('app.tenant'), setting: EVIL, description: `what ${EVIL} does`, source: 'configuration file', sourceFile: evil('/etc/pg.conf'), changed: true, key: true }),
    ]),
    health: result([healthSnapshot({ oldestXidDatabase: evil('shop') })]),
  };
  s.connection.backupDir = DIR;
  s.data.results.backupFiles = result([backupEntry(`shop_table-orders${EVIL}_20250304_050607.dump`)]);
}

/** The guided session's state on a step with checks, its results, its SQL and a result table all naming hostile objects. */
export function hostileLearn(): LearnController {
  const partIndex = 0;
  const stepIndex = Math.max(0, PARTS[partIndex]!.steps.findIndex((step) => (step.checks?.length ?? 0) > 0));
  const step = PARTS[partIndex]!.steps[stepIndex]!;
  const progress = { ...emptyProgress('test'), position: { part: partIndex, step: stepIndex } };
  const state = createStore<LearnState>()(() => ({
    ready: true,
    error: null,
    parts: PARTS,
    progress,
    checks: { [step.id]: (step.checks ?? []).map(() => ({ criterion: evil('criterion'), ok: false, reason: `role ${EVIL} may not connect` })) },
    checking: false,
    output: { stepId: step.id, lines: [`NOTICE: ${EVIL}`], table: { columns: [evil('rolname')], rows: [[evil('mallory')]] }, failed: false },
    running: false,
    saves: true,
    serverVersionNum: 150018,
  }));
  // The learn screen reads the session's state and fills its texts; nothing else of the controller is drawn.
  return { state, fillContext: () => ({ database: evil('shop'), user: evil('postgres'), backupDir: DIR, params: {} }) } as unknown as LearnController;
}
