// Ink reports a key as (input, flags); the keymap speaks in names. This is
// the one translation between them.
import type { Key } from 'ink';
import type { KeyPress } from './dispatch.js';

/**
 * The key presses in one read from the terminal. Fast typing, a paste or
 * tmux send-keys can deliver several characters at once (":locks"); each is
 * its own press, so ":" opens the command line and "locks" is typed into it.
 */
export function keyPresses(input: string, key: Key): KeyPress[] {
  const name = keyName(input, key);
  if (name !== input || input.length <= 1) return [{ name, text: input }];
  return Array.from(input, (char) => {
    const named = CONTROL_CHARS[char];
    return named ? { name: named, text: '' } : { name: char, text: char };
  });
}

// Control characters as they arrive inside a multi-character read.
const CONTROL_CHARS: Record<string, string> = {
  '\r': 'enter',
  '\n': 'enter',
  '\t': 'tab',
  '\u007f': 'backspace',
  '\b': 'backspace',
  '\u001b': 'escape',
  '\u0003': 'ctrl+c',
  '\u0015': 'ctrl+u',
};

export function keyName(input: string, key: Key): string {
  if (key.upArrow) return 'up';
  if (key.downArrow) return 'down';
  if (key.leftArrow) return 'left';
  if (key.rightArrow) return 'right';
  if (key.pageUp) return 'pageup';
  if (key.pageDown) return 'pagedown';
  if (key.home) return 'home';
  if (key.end) return 'end';
  if (key.return) return 'enter';
  if (key.escape) return 'escape';
  if (key.tab) return key.shift ? 'shift+tab' : 'tab';
  // Terminals send DEL (0x7f) for Backspace; Ink reports it as delete.
  if (key.backspace || key.delete) return 'backspace';
  if (key.ctrl && input) return `ctrl+${input.toLowerCase()}`;
  return input;
}
