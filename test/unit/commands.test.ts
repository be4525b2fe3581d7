// The command catalogue and the screens that offer its commands: every key
// works where it is offered, no key means two things on one screen, and
// "changes the server" (refused under --read-only) is what the actions say.
import { describe, expect, it } from 'vitest';
import { SCREEN_ORDER, SCREENS } from '../../screens/index.js';
import { bindingForKey, bindingsFor, COMMANDS, DIALOG_COMMANDS, type CommandId } from '../../src/keys/commands.js';
import { DISPATCHER_COMMANDS } from '../../src/keys/dispatch.js';
import { LEARN_COMMANDS } from '../../src/learn/controller.js';

describe('the command catalogue', () => {
  it('gives every command and every dialog command a key and a description', () => {
    for (const [id, command] of Object.entries(COMMANDS)) {
      expect(command.keys.length, id).toBeGreaterThan(0);
      expect(command.text.length, id).toBeGreaterThan(5);
    }
    for (const [id, command] of Object.entries(DIALOG_COMMANDS)) {
      expect(command.text.length, id).toBeGreaterThan(5);
      // Only "any other key closes it" has no key of its own.
      if (id !== 'resultClose') expect(command.keys.length, id).toBeGreaterThan(0);
    }
  });

  it('never binds one key to two commands on the same screen', () => {
    for (const screen of SCREEN_ORDER) {
      const seen = new Map<string, string>();
      for (const b of bindingsFor(screen.keys)) {
        for (const key of b.keys) {
          expect(seen.get(key), `${key} on ${screen.id}: ${seen.get(key)} and ${b.command}`).toBeUndefined();
          seen.set(key, b.command);
        }
      }
    }
  });

  it('has the SPEC keys where SPEC puts them', () => {
    const expected: [string, string][] = [
      ['?', 'help'], ['q', 'quit'], ['ctrl+c', 'quit'], [':', 'commandLine'], ['/', 'filter'], ['up', 'up'], ['k', 'up'],
      ['down', 'down'], ['j', 'down'], ['pageup', 'pageUp'], ['pagedown', 'pageDown'], ['g', 'top'], ['G', 'bottom'],
      ['enter', 'details'], ['s', 'sortNext'], ['S', 'sortReverse'], ['p', 'pause'], ['+', 'faster'], ['-', 'slower'],
      ['tab', 'nextScreen'], ['shift+tab', 'previousScreen'], ['1', 'gotoScreen'], ['2', 'gotoScreen'],
      ['c', 'cancelQuery'], ['K', 'terminateBackend'],
    ];
    for (const [key, command] of expected) expect(bindingForKey(key, SCREENS.activity.keys)?.command, key).toBe(command);
    expect(bindingForKey('K', SCREENS.locks.keys)?.command).toBe('terminateBackend');
    expect(bindingForKey('c', SCREENS.locks.keys)?.command).toBe('cancelQuery');
    expect(bindingForKey('n', SCREENS.roles.keys)?.command).toBe('newRole');
    expect(bindingForKey('P', SCREENS.roles.keys)?.command).toBe('changePassword');
    expect(bindingForKey('A', SCREENS.roles.keys)?.command).toBe('securityAudit');
    expect(['b', 'r', 't', 'd'].map((key) => bindingForKey(key, SCREENS.backups.keys)?.command)).toEqual(['backupNow', 'restoreBackup', 'verifyBackup', 'deleteBackup']);
    for (const key of ['v', 'a', 'F', 'R']) expect(bindingForKey(key, SCREENS.bloat.keys)?.command, key).toBe(bindingForKey(key, SCREENS.sizes.keys)?.command);
    // A key a screen does not offer does nothing there.
    expect(bindingForKey('K', SCREENS.config.keys)).toBeUndefined();
    expect(bindingForKey('v', SCREENS.activity.keys)).toBeUndefined();
  });

  it('says which commands change the server: refused under --read-only; verifying a backup only reads', () => {
    const changing = (Object.entries(COMMANDS) as [CommandId, { kind: string }][]).filter(([, c]) => c.kind === 'changes-server').map(([id]) => id);
    expect(changing.sort()).toEqual(
      ['cancelQuery', 'terminateBackend', 'newRole', 'changePassword', 'vacuumTable', 'analyzeTable', 'vacuumFull', 'reindex', 'enableStatements',
        'backupNow', 'restoreBackup', 'deleteBackup', 'resetSession', 'dropSlot', 'rollbackPrepared', 'commitPrepared'].sort(),
    );
    expect(COMMANDS.verifyBackup.kind).toBe('dialog');
  });

  it('has a handler for every binding on every screen that offers it', () => {
    for (const screen of SCREEN_ORDER) {
      for (const b of bindingsFor(screen.keys)) {
        const handled =
          DISPATCHER_COMMANDS.has(b.command) ||
          screen.view.actions?.[b.command] !== undefined ||
          screen.view.commands?.[b.command] !== undefined ||
          (screen.id === 'learn' && LEARN_COMMANDS.has(b.command));
        expect(handled, `${b.command} (${b.keys.join(' ')}) on ${screen.id} has no handler`).toBe(true);
      }
    }
  });
});
