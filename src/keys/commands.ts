// Every key pgtop answers to, as a catalogue of named commands: the keys,
// what kind of thing the command does, and the text the help overlay,
// the hint bar and docs/keys.md show. Components and the dispatcher ask
// "is this the QUIT command?", never "is this the q key?".
//
// Global commands work on every screen. A screen offers the others in its
// definition (screens/<id>/index.ts `keys`), with its own words where the
// catalogue's are too general; what a screen does not offer does nothing
// there. Dialogs (a confirmation, a question, details, a result) have their
// own keys, in DIALOG_COMMANDS.
import { KUBE_NEEDS, kubeNeed, type KubeAccess, type KubeOperation } from '../model/kube-access.js';

/**
 * What a command does:
 * - move: moves the selection, the screen or the scroll;
 * - view: changes only what is shown (filter, sort, a screen's second view, pause);
 * - dialog: opens a dialog that reads and changes nothing (help, details,
 *   verifying a backup) — allowed under --read-only;
 * - changes-server: an action that changes the server (or a backup file);
 *   always confirmed first, refused under --read-only.
 */
export type CommandKind = 'move' | 'view' | 'dialog' | 'changes-server';

export interface Command {
  /** Key names as keyName() produces them: 'q', 'K', 'ctrl+c', 'up', 'pagedown', 'enter', 'tab'… */
  keys: readonly string[];
  kind: CommandKind;
  /** What the help overlay says (a screen may say it in its own words). */
  text: string;
  /** Its word in the one-line hint bar, if it has one there (a screen may drop it: the bar must fit 80 columns). */
  hint?: string;
  /** Works on every screen; else only where a screen offers it. */
  global?: true;
  /** A command that changes the server and still works on a standby (in recovery); the others are shown unavailable there. */
  onStandby?: true;
  /**
   * The Kubernetes permission it cannot work without under -k (the
   * backups run pg_dump in the pod: create pods/exec). When the permission
   * review denies it, the key is shown greyed with the reason and refused
   * before any dialog; without -k it means nothing.
   */
  kubeNeed?: KubeOperation;
}

/** Keys 1–9: the first nine screens of the tab bar. */
export const SCREEN_NUMBER_KEYS = ['1', '2', '3', '4', '5', '6', '7', '8', '9'] as const;

export const COMMANDS = {
  help: { keys: ['?'], kind: 'dialog', global: true, text: 'help: every key of this screen', hint: 'help' },
  quit: { keys: ['q', 'ctrl+c'], kind: 'move', global: true, text: 'quit pgtop', hint: 'quit' },
  commandLine: { keys: [':'], kind: 'move', global: true, text: 'command line: a screen name (:locks), q to quit', hint: 'cmd' },
  nextScreen: { keys: ['tab'], kind: 'move', global: true, text: 'next screen' },
  previousScreen: { keys: ['shift+tab'], kind: 'move', global: true, text: 'previous screen' },
  gotoScreen: { keys: SCREEN_NUMBER_KEYS, kind: 'move', global: true, text: 'go to a screen by its number in the tab bar (1–9)' },
  up: { keys: ['up', 'k'], kind: 'move', global: true, text: 'move up' },
  down: { keys: ['down', 'j'], kind: 'move', global: true, text: 'move down' },
  pageUp: { keys: ['pageup'], kind: 'move', global: true, text: 'page up' },
  pageDown: { keys: ['pagedown'], kind: 'move', global: true, text: 'page down' },
  top: { keys: ['g', 'home'], kind: 'move', global: true, text: 'first row' },
  bottom: { keys: ['G', 'end'], kind: 'move', global: true, text: 'last row' },
  filter: { keys: ['/'], kind: 'view', text: 'filter the rows; Esc clears', hint: 'filter' },
  details: { keys: ['enter'], kind: 'dialog', text: 'details of the selected row', hint: 'details' },
  securityAudit: { keys: ['A'], kind: 'view', text: 'security audit: findings with severity, evidence and the fix as SQL (A again: the roles)' },
  sortNext: { keys: ['s'], kind: 'view', text: 'sort by the next column' },
  sortReverse: { keys: ['S'], kind: 'view', text: 'reverse the sort order' },
  pause: { keys: ['p'], kind: 'view', global: true, text: 'pause / resume refreshing', hint: 'pause' },
  faster: { keys: ['+'], kind: 'view', global: true, text: 'refresh more often (interval −0.5 s, minimum 0.5 s)' },
  slower: { keys: ['-'], kind: 'view', global: true, text: 'refresh less often (interval +0.5 s)' },
  cancelQuery: { keys: ['c'], kind: 'changes-server', onStandby: true, text: "cancel the selected backend's query (pg_cancel_backend), after y/n", hint: 'cancel' },
  terminateBackend: { keys: ['K'], kind: 'changes-server', onStandby: true, text: 'terminate the selected backend (pg_terminate_backend), after y/n', hint: 'kill' },
  rollbackPrepared: {
    keys: ['X'],
    kind: 'changes-server',
    text: 'ROLLBACK PREPARED the selected prepared transaction (in its own database), after y/n',
    hint: 'rollback',
  },
  commitPrepared: {
    keys: ['C'],
    kind: 'changes-server',
    text: 'COMMIT PREPARED the selected prepared transaction (in its own database), after y/n',
    hint: 'commit',
  },
  newRole: {
    keys: ['n'],
    kind: 'changes-server',
    text: 'new role: read-write, read-only or monitoring profile, with a strong password shown once; after y/n',
    hint: 'new',
  },
  changePassword: {
    keys: ['P'],
    kind: 'changes-server',
    text: "change the selected role's password (sent as a SCRAM-SHA-256 verifier, never in clear); after y/n",
    hint: 'passwd',
  },
  showTables: { keys: ['t'], kind: 'view', text: 'tables: heap, TOAST, index and total size' },
  showIndexes: { keys: ['i'], kind: 'view', text: 'indexes: scans, tuples read and fetched, size; unused and duplicate flagged' },
  showDatabases: { keys: ['d'], kind: 'view', text: 'databases by size' },
  vacuumTable: {
    keys: ['v'],
    kind: 'changes-server',
    text: 'VACUUM (ANALYZE) the selected table (on an index: its table; on the connected database: every table), after y/n',
    hint: 'vacuum',
  },
  analyzeTable: { keys: ['a'], kind: 'changes-server', text: 'ANALYZE the selected table (on the connected database: every table), after y/n', hint: 'analyze' },
  vacuumFull: {
    keys: ['F'],
    kind: 'changes-server',
    text: 'VACUUM FULL the selected table: rewrites it under an exclusive lock; type its name to confirm',
    hint: 'full',
  },
  reindex: {
    keys: ['R'],
    kind: 'changes-server',
    text: 'REINDEX CONCURRENTLY the selected index, or every index of the selected table, after y/n',
    hint: 'reindex',
  },
  enableStatements: {
    keys: ['E'],
    kind: 'changes-server',
    text: 'CREATE EXTENSION pg_stat_statements in this database, or ALTER EXTENSION … UPDATE an old one, after y/n',
    hint: 'enable',
  },
  backupNow: {
    keys: ['b'],
    kind: 'changes-server',
    onStandby: true,
    kubeNeed: KUBE_NEEDS.podExec,
    text: 'back up now: custom, plain SQL (gzip), schema only, data only, one table, or roles; written to a temporary name, kept only once it verifies',
    hint: 'backup',
  },
  restoreBackup: {
    keys: ['r'],
    kind: 'changes-server',
    kubeNeed: KUBE_NEEDS.podExec,
    text: 'restore the selected backup into a NEW database, then compare row counts with the source, after y/n (a file pgtop did not make: after you type its name)',
    hint: 'restore',
  },
  // Reads the file and the server's pg_restore; its record beside the file is pgtop's own bookkeeping.
  verifyBackup: { keys: ['t'], kind: 'dialog', kubeNeed: KUBE_NEEDS.podExec, text: 'verify the selected backup (pg_restore reads it all; SQL must end complete), after y/n', hint: 'verify' },
  deleteBackup: { keys: ['d'], kind: 'changes-server', onStandby: true, text: 'delete the selected backup file (and its .verified record), after y/n', hint: 'delete' },
  dropSlot: {
    keys: ['D'],
    kind: 'changes-server',
    onStandby: true,
    text: 'drop the selected inactive replication slot: the confirmation shows the WAL it frees; type its name to confirm',
    hint: 'drop slot',
  },
  // Changes only where pgtop looks (the port-forward's pod), never the server.
  moveToInstance: {
    keys: ['m'],
    kind: 'view',
    text: 'move the dashboard to the selected instance pod (-k cluster/NAME: a replica); on the primary row, follow the primary again',
    hint: 'move',
  },
  // Reads only: which container's log the logs screen shows (pods/log previous=true).
  previousLog: {
    keys: ['P'],
    kind: 'view',
    text: "the previous container's log (the one that died before the last restart), P again: the current one (-k only)",
    hint: 'previous',
  },
  // Reads only (du -sh of the data directory, in the pod): allowed under --read-only, like verifying a backup.
  // It is still confirmed first, since it reads every file of the volume the server writes to.
  diskUsage: {
    keys: ['u'],
    kind: 'dialog',
    kubeNeed: KUBE_NEEDS.podExec,
    text: "du -sh of the data directory's entries, run in the pod after y/n (reads every file: never on a timer); shown until run again",
    hint: 'du',
  },
  // A query step only reads; a change step goes through the action runner, which asks first and refuses under --read-only.
  runStep: { keys: ['enter'], kind: 'dialog', text: 'run the step: a query shows its rows; a change asks y/n first, showing what will run', hint: 'run' },
  nextStep: { keys: ['n', 'right'], kind: 'move', text: 'next step', hint: 'next' },
  previousStep: { keys: ['b', 'left'], kind: 'move', text: 'previous step', hint: 'back' },
  explainStep: { keys: ['e'], kind: 'dialog', text: "the step's whole explanation and its whole SQL or command (scrolls)" },
  openStepScreen: { keys: ['o'], kind: 'move', text: "open the screen that shows this step's result (:learn comes back)", hint: 'open' },
  resetSession: { keys: ['X'], kind: 'changes-server', text: 'reset the session: drop what it created (after y/n) and start again' },
} as const satisfies Record<string, Command>;

export type CommandId = keyof typeof COMMANDS;

/** How a screen offers a command: its own words for it, and its hint (null: none in the hint bar). */
export interface Offer {
  text?: string;
  hint?: string | null;
}

/** The commands a screen offers besides the global ones (a screen definition's `keys`). */
export type ScreenKeys = Partial<Record<CommandId, Offer>>;

/** One command as it works on a screen: what the help overlay lists. */
export interface KeyBinding {
  command: CommandId;
  keys: readonly string[];
  kind: CommandKind;
  /** Works on every screen (the help overlay condenses these when space is short). */
  global: boolean;
  text: string;
  hint?: string;
  /** Changes the server and cannot on a standby: the help and the hint bar say so there. */
  primaryOnly: boolean;
  /** The Kubernetes permission it needs (Command.kubeNeed). */
  kubeNeed?: KubeOperation;
}

/** A screen's keys are a constant of its definition: its bindings are made once, not at every frame (the hint bar asks each render). */
const bindingsCache = new WeakMap<ScreenKeys, readonly KeyBinding[]>();

/** Every command that works on a screen, in the catalogue's order: the help overlay and the hint bar. */
export function bindingsFor(offered: ScreenKeys): readonly KeyBinding[] {
  let bindings = bindingsCache.get(offered);
  if (!bindings) bindingsCache.set(offered, (bindings = makeBindings(offered)));
  return bindings;
}

function makeBindings(offered: ScreenKeys): KeyBinding[] {
  const bindings: KeyBinding[] = [];
  for (const [id, command] of Object.entries(COMMANDS) as [CommandId, Command][]) {
    const offer = offered[id];
    if (!command.global && !offer) continue;
    const hint = offer?.hint === null ? undefined : (offer?.hint ?? command.hint);
    const primaryOnly = command.kind === 'changes-server' && !('onStandby' in command);
    const need = 'kubeNeed' in command ? { kubeNeed: command.kubeNeed } : {};
    bindings.push({ command: id, keys: command.keys, kind: command.kind, global: command.global === true, text: offer?.text ?? command.text, primaryOnly, ...need, ...(hint ? { hint } : {}) });
  }
  return bindings;
}

/** Why a command cannot work here: the Kubernetes permission it needs and the review denied ("needs create pods/exec in development"); null when it can, or nobody can tell. */
export function unavailableReason(binding: Pick<KeyBinding, 'kubeNeed'>, access: KubeAccess | null): string | null {
  return binding.kubeNeed ? kubeNeed(access, binding.kubeNeed) : null;
}

/** The binding a key triggers on a screen that offers these commands, if any. */
export function bindingForKey(key: string, offered: ScreenKeys): KeyBinding | undefined {
  return bindingsFor(offered).find((b) => b.keys.includes(key));
}

/** How a key name reads in help text: 'ctrl+c' → 'Ctrl-C', 'pagedown' → 'PgDn'. */
/** A key as the docs (docs/keys.md, the man page) name it: as help shows it, the space bar spelled out. */
export function keyName(key: string): string {
  return displayKey(key) === ' ' ? 'Space' : displayKey(key);
}

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
    backspace: 'Backspace',
    'ctrl+c': 'Ctrl-C',
    'ctrl+u': 'Ctrl-U',
  };
  return names[key] ?? key;
}

// ---------------------------------------------------------------------------
// Dialogs: the keys while one is open (the screen's keys wait).

export type DialogId = 'confirm' | 'typedConfirm' | 'question' | 'choice' | 'textField' | 'details' | 'result' | 'help';

export interface DialogCommand {
  dialog: DialogId;
  keys: readonly string[];
  text: string;
}

export const DIALOG_COMMANDS = {
  confirmYes: { dialog: 'confirm', keys: ['y', 'Y'], text: 'run it' },
  confirmNo: { dialog: 'confirm', keys: ['n', 'N', 'escape', 'q'], text: 'leave it: nothing runs' },
  confirmInstead: { dialog: 'confirm', keys: ['K'], text: 'confirm what the confirmation offers instead (terminate, for a session idle in transaction)' },
  typedSubmit: { dialog: 'typedConfirm', keys: ['enter'], text: 'run it, when what was typed is the name asked for' },
  typedCancel: { dialog: 'typedConfirm', keys: ['escape'], text: 'leave it: nothing runs' },
  choiceUp: { dialog: 'choice', keys: ['up', 'k'], text: 'previous choice' },
  choiceDown: { dialog: 'choice', keys: ['down', 'j'], text: 'next choice' },
  choiceNumber: { dialog: 'choice', keys: SCREEN_NUMBER_KEYS, text: 'pick a choice by its number' },
  choiceAnswer: { dialog: 'choice', keys: ['enter'], text: 'answer with the chosen one' },
  choiceCancel: { dialog: 'choice', keys: ['escape', 'q'], text: 'drop the action' },
  textSubmit: { dialog: 'textField', keys: ['enter'], text: 'answer (command line: run it; filter: keep it)' },
  textCancel: { dialog: 'textField', keys: ['escape'], text: 'cancel (filter: clear it)' },
  textBackspace: { dialog: 'textField', keys: ['backspace'], text: 'delete the last character' },
  textClear: { dialog: 'textField', keys: ['ctrl+u'], text: 'delete everything typed' },
  detailsClose: { dialog: 'details', keys: ['escape', 'q', 'enter', '?'], text: 'close the details' },
  detailsScroll: { dialog: 'details', keys: ['up', 'down', 'pageup', 'pagedown', 'home', 'end', 'k', 'j', ' ', 'g', 'G'], text: 'scroll lines and pages, to the start or the end' },
  resultScroll: { dialog: 'result', keys: ['up', 'down', 'pageup', 'pagedown', 'home', 'end'], text: 'scroll a result longer than the screen' },
  resultClose: { dialog: 'result', keys: [], text: 'any other key closes it' },
  helpClose: { dialog: 'help', keys: ['escape', 'q', 'enter', '?'], text: 'close the help' },
  quitAnywhere: { dialog: 'confirm', keys: ['ctrl+c'], text: 'quit pgtop, from any dialog' },
} as const satisfies Record<string, DialogCommand>;

export type DialogCommandId = keyof typeof DIALOG_COMMANDS;

/** Whether a key is one of a dialog command's keys. */
export function isDialogKey(command: DialogCommandId, key: string): boolean {
  return (DIALOG_COMMANDS[command].keys as readonly string[]).includes(key);
}
