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
  | 'terminateBackend';

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
    keys: SCREEN_IDS.map((_, i) => String(i + 1)),
    scope: 'global',
    text: `go to screen by number: ${SCREEN_IDS.map((id, i) => `${i + 1} ${id}`).join(', ')}`,
  },
  { command: 'up', keys: ['up', 'k'], scope: 'global', text: 'move up' },
  { command: 'down', keys: ['down', 'j'], scope: 'global', text: 'move down' },
  { command: 'pageUp', keys: ['pageup'], scope: 'global', text: 'page up' },
  { command: 'pageDown', keys: ['pagedown'], scope: 'global', text: 'page down' },
  { command: 'top', keys: ['g', 'home'], scope: 'global', text: 'first row' },
  { command: 'bottom', keys: ['G', 'end'], scope: 'global', text: 'last row' },
  { command: 'filter', keys: ['/'], scope: BACKEND_SCREENS, text: 'filter rows (user, db, app, state, query); Esc clears', hint: 'filter' },
  { command: 'details', keys: ['enter'], scope: BACKEND_SCREENS, text: 'details: the whole query and the backend', hint: 'details' },
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
