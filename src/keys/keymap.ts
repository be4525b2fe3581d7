// Every key pgtop answers to, as data: the command it runs, where it works,
// whether it changes the server, and the text the help overlay shows. The
// help overlay and the hint bar are generated from this table; components
// ask "is this the QUIT command?", never "is this the q key?".
import { SCREEN_IDS, type ScreenId } from '../screen-ids.js';

export type CommandId =
  | 'quit'
  | 'help'
  | 'commandLine'
  | 'filter'
  | 'up'
  | 'down'
  | 'pageUp'
  | 'pageDown'
  | 'top'
  | 'bottom'
  | 'details'
  | 'sortNext'
  | 'sortReverse'
  | 'pause'
  | 'faster'
  | 'slower'
  | 'nextScreen'
  | 'previousScreen'
  | 'gotoScreen'
  | 'cancelQuery'
  | 'terminateBackend'
  | 'securityAudit'
  | 'newRole'
  | 'changePassword'
  | 'vacuumTable'
  | 'analyzeTable'
  | 'vacuumFull'
  | 'reindex'
  | 'enableStatements'
  | 'showTables'
  | 'showIndexes'
  | 'showDatabases'
  | 'nextStep'
  | 'previousStep'
  | 'runStep'
  | 'openStepScreen'
  | 'resetSession'
  | 'explainStep'
  | 'backupNow'
  | 'restoreBackup'
  | 'verifyBackup'
  | 'deleteBackup';

export interface KeyBinding {
  command: CommandId;
  /** Key names as produced by keyName(): 'q', 'K', 'ctrl+c', 'up', 'pagedown', 'enter', 'tab'… */
  keys: readonly string[];
  /** 'global', or the screens where it works. */
  scope: 'global' | readonly ScreenId[];
  /** Changes the server: refused under --read-only, always confirmed first. */
  danger?: boolean;
  /** What the help overlay says. */
  text: string;
  /** Shown in the one-line hint bar at the bottom. */
  hint?: string;
}

const BACKEND_SCREENS: readonly ScreenId[] = ['activity', 'locks'];
const SORTABLE_SCREENS: readonly ScreenId[] = ['activity'];

export const KEYMAP: readonly KeyBinding[] = [
  { command: 'help', keys: ['?'], scope: 'global', text: 'help: every key of this screen', hint: 'help' },
  { command: 'quit', keys: ['q', 'ctrl+c'], scope: 'global', text: 'quit pgtop', hint: 'quit' },
  { command: 'commandLine', keys: [':'], scope: 'global', text: 'command line: a screen name (:locks), q to quit', hint: 'cmd' },
  { command: 'nextScreen', keys: ['tab'], scope: 'global', text: 'next screen' },
  { command: 'previousScreen', keys: ['shift+tab'], scope: 'global', text: 'previous screen' },
  {
    command: 'gotoScreen',
    keys: SCREEN_IDS.slice(0, 9).map((_, i) => String(i + 1)),
    scope: 'global',
    // Short enough for the help overlay at 80 columns, however many screens there are.
    text: `go to a screen by its number in the tab bar (1 ${SCREEN_IDS[0]} … ${Math.min(9, SCREEN_IDS.length)} ${SCREEN_IDS[Math.min(9, SCREEN_IDS.length) - 1]})`,
  },
  { command: 'up', keys: ['up', 'k'], scope: 'global', text: 'move up' },
  { command: 'down', keys: ['down', 'j'], scope: 'global', text: 'move down' },
  { command: 'pageUp', keys: ['pageup'], scope: 'global', text: 'page up' },
  { command: 'pageDown', keys: ['pagedown'], scope: 'global', text: 'page down' },
  { command: 'top', keys: ['g', 'home'], scope: 'global', text: 'first row' },
  { command: 'bottom', keys: ['G', 'end'], scope: 'global', text: 'last row' },
  { command: 'filter', keys: ['/'], scope: BACKEND_SCREENS, text: 'filter rows (user, db, app, state, query); Esc clears', hint: 'filter' },
  { command: 'details', keys: ['enter'], scope: BACKEND_SCREENS, text: 'details: the whole query and the backend', hint: 'details' },
  { command: 'filter', keys: ['/'], scope: ['roles'], text: 'filter roles (name, attribute, membership) or audit findings; Esc clears', hint: 'filter' },
  { command: 'details', keys: ['enter'], scope: ['roles'], text: "details: the role's privileges, default privileges and owned objects; a finding's evidence and fix", hint: 'details' },
  // No hint: the line under the roles says "A shows it", and the hint bar must fit 80 columns.
  { command: 'securityAudit', keys: ['A'], scope: ['roles'], text: 'security audit: findings with severity, evidence and the fix as SQL (A again: the roles)' },
  { command: 'sortNext', keys: ['s'], scope: SORTABLE_SCREENS, text: 'sort by the next column', hint: 'sort' },
  { command: 'sortReverse', keys: ['S'], scope: SORTABLE_SCREENS, text: 'reverse the sort order' },
  { command: 'pause', keys: ['p'], scope: 'global', text: 'pause / resume refreshing', hint: 'pause' },
  { command: 'faster', keys: ['+'], scope: 'global', text: 'refresh more often (interval −0.5 s, minimum 0.5 s)' },
  { command: 'slower', keys: ['-'], scope: 'global', text: 'refresh less often (interval +0.5 s)' },
  {
    command: 'cancelQuery',
    keys: ['c'],
    scope: BACKEND_SCREENS,
    danger: true,
    text: "cancel the selected backend's query (pg_cancel_backend), after y/n",
    hint: 'cancel',
  },
  {
    command: 'terminateBackend',
    keys: ['K'],
    scope: BACKEND_SCREENS,
    danger: true,
    text: 'terminate the selected backend (pg_terminate_backend), after y/n',
    hint: 'kill',
  },
  {
    command: 'newRole',
    keys: ['n'],
    scope: ['roles'],
    danger: true,
    text: 'new role: read-write, read-only or monitoring profile, with a strong password shown once; after y/n',
    hint: 'new',
  },
  {
    command: 'changePassword',
    keys: ['P'],
    scope: ['roles'],
    danger: true,
    text: "change the selected role's password (sent as a SCRAM-SHA-256 verifier, never in clear); after y/n",
    hint: 'passwd',
  },
  // statements, sizes, bloat, config, health (issue 4).
  { command: 'filter', keys: ['/'], scope: ['statements'], text: 'filter statements (query text, database, user); Esc clears', hint: 'filter' },
  { command: 'filter', keys: ['/'], scope: ['sizes', 'bloat'], text: 'filter by schema or name (and flags: unused, duplicate, invalid); Esc clears', hint: 'filter' },
  { command: 'filter', keys: ['/'], scope: ['config'], text: 'filter settings (name, category, source, description); Esc clears', hint: 'filter' },
  { command: 'details', keys: ['enter'], scope: ['statements'], text: 'details: the whole statement, its timings and block I/O', hint: 'details' },
  { command: 'details', keys: ['enter'], scope: ['sizes', 'bloat'], text: 'details: every number of the selected table, index or database', hint: 'details' },
  { command: 'details', keys: ['enter'], scope: ['config', 'health'], text: 'details: what it means, where it comes from, the numbers behind it', hint: 'details' },
  { command: 'sortNext', keys: ['s'], scope: ['statements', 'sizes', 'bloat', 'config'], text: 'sort by the next column' },
  { command: 'sortReverse', keys: ['S'], scope: ['statements', 'sizes', 'bloat', 'config'], text: 'reverse the sort order' },
  { command: 'showTables', keys: ['t'], scope: ['sizes'], text: 'tables: heap, TOAST, index and total size' },
  { command: 'showIndexes', keys: ['i'], scope: ['sizes'], text: 'indexes: scans, tuples read and fetched, size; unused and duplicate flagged' },
  { command: 'showDatabases', keys: ['d'], scope: ['sizes'], text: 'databases by size' },
  {
    command: 'vacuumTable',
    keys: ['v'],
    scope: ['sizes', 'bloat'],
    danger: true,
    text: 'VACUUM (ANALYZE) the selected table (on an index: its table; on the connected database: every table), after y/n',
    hint: 'vacuum',
  },
  { command: 'analyzeTable', keys: ['a'], scope: ['sizes', 'bloat'], danger: true, text: 'ANALYZE the selected table (on the connected database: every table), after y/n', hint: 'analyze' },
  {
    command: 'vacuumFull',
    keys: ['F'],
    scope: ['sizes', 'bloat'],
    danger: true,
    text: 'VACUUM FULL the selected table: rewrites it under an exclusive lock; type its name to confirm',
    hint: 'full',
  },
  {
    command: 'reindex',
    keys: ['R'],
    scope: ['sizes', 'bloat'],
    danger: true,
    text: 'REINDEX CONCURRENTLY the selected index, or every index of the selected table, after y/n',
    hint: 'reindex',
  },
  {
    command: 'enableStatements',
    keys: ['E'],
    scope: ['statements'],
    danger: true,
    text: 'CREATE EXTENSION pg_stat_statements in this database, or ALTER EXTENSION … UPDATE an old one, after y/n',
    hint: 'enable',
  },
  // backups (issue 6): files in the backup directory; b/r/t/d go through the action runner (y/n first).
  { command: 'filter', keys: ['/'], scope: ['backups'], text: 'filter backups (file name, database, kind, state); Esc clears' },
  { command: 'details', keys: ['enter'], scope: ['backups'], text: 'details: the file, what it holds, its verification and checksum' },
  // (No hints on those two: the hint bar must fit 80 columns with b r t d.)
  {
    command: 'backupNow',
    keys: ['b'],
    scope: ['backups'],
    danger: true,
    text: 'back up now: custom, plain SQL (gzip), schema only, data only, one table, or roles; written to a temporary name, kept only once it verifies',
    hint: 'backup',
  },
  {
    command: 'restoreBackup',
    keys: ['r'],
    scope: ['backups'],
    danger: true,
    text: 'restore the selected backup into a NEW database, then compare row counts with the source, after y/n (a file pgtop did not make: after you type its name)',
    hint: 'restore',
  },
  { command: 'verifyBackup', keys: ['t'], scope: ['backups'], danger: true, text: 'verify the selected backup (pg_restore reads it all; SQL must end complete), after y/n', hint: 'verify' },
  { command: 'deleteBackup', keys: ['d'], scope: ['backups'], danger: true, text: 'delete the selected backup file (and its .verified record), after y/n', hint: 'delete' },
  // The guided session (learn screen): steps that change the server are confirmed by the action runner.
  { command: 'runStep', keys: ['enter'], scope: ['learn'], text: 'run the step: a query shows its rows; a change asks y/n first, showing what will run', hint: 'run' },
  { command: 'nextStep', keys: ['n', 'right'], scope: ['learn'], text: 'next step', hint: 'next' },
  { command: 'previousStep', keys: ['b', 'left'], scope: ['learn'], text: 'previous step', hint: 'back' },
  { command: 'explainStep', keys: ['e'], scope: ['learn'], text: "the step's whole explanation and its whole SQL or command (scrolls)" },
  { command: 'openStepScreen', keys: ['o'], scope: ['learn'], text: "open the screen that shows this step's result (:learn comes back)", hint: 'open' },
  { command: 'resetSession', keys: ['X'], scope: ['learn'], text: 'reset the session: drop what it created (after y/n) and start again' },
];

function inScope(binding: KeyBinding, screen: ScreenId): boolean {
  return binding.scope === 'global' || binding.scope.includes(screen);
}

/** The binding a key triggers on a screen, if any. */
export function bindingForKey(key: string, screen: ScreenId): KeyBinding | undefined {
  return KEYMAP.find((b) => inScope(b, screen) && b.keys.includes(key));
}

/** Every binding that works on a screen, in table order: the help overlay. */
export function bindingsFor(screen: ScreenId): KeyBinding[] {
  return KEYMAP.filter((b) => inScope(b, screen));
}

/** How a key name reads in help text: 'ctrl+c' → 'Ctrl-C', 'pagedown' → 'PgDn'. */
export function displayKey(key: string): string {
  const names: Record<string, string> = {
    up: '↑',
    down: '↓',
    left: '←',
    right: '→',
    pageup: 'PgUp',
    pagedown: 'PgDn',
    enter: 'Enter',
    tab: 'Tab',
    'shift+tab': 'Shift-Tab',
    escape: 'Esc',
    home: 'Home',
    end: 'End',
    'ctrl+c': 'Ctrl-C',
  };
  return names[key] ?? key;
}
