import { describe, expect, it } from 'vitest';
import { bindingForKey, bindingsFor, KEYMAP } from '../../src/keys/keymap.js';
import { SCREEN_IDS } from '../../src/screen-ids.js';

describe('keymap', () => {
  it('gives every command at least one key and a description', () => {
    for (const b of KEYMAP) {
      expect(b.keys.length, b.command).toBeGreaterThan(0);
      expect(b.text.length, b.command).toBeGreaterThan(5);
    }
  });

  it('never binds one key to two commands on the same screen', () => {
    for (const screen of SCREEN_IDS) {
      const seen = new Map<string, string>();
      for (const b of bindingsFor(screen)) {
        for (const key of b.keys) {
          expect(seen.get(key), `${key} on ${screen}`).toBeUndefined();
          seen.set(key, b.command);
        }
      }
    }
  });

  it('has the SPEC keys', () => {
    const expected: [string, string][] = [
      ['?', 'help'], ['q', 'quit'], ['ctrl+c', 'quit'], [':', 'commandLine'], ['/', 'filter'], ['up', 'up'], ['k', 'up'],
      ['down', 'down'], ['j', 'down'], ['pageup', 'pageUp'], ['pagedown', 'pageDown'], ['g', 'top'], ['G', 'bottom'],
      ['enter', 'details'], ['s', 'sortNext'], ['S', 'sortReverse'], ['p', 'pause'], ['+', 'faster'], ['-', 'slower'],
      ['tab', 'nextScreen'], ['shift+tab', 'previousScreen'], ['1', 'gotoScreen'], ['2', 'gotoScreen'],
      ['c', 'cancelQuery'], ['K', 'terminateBackend'],
    ];
    for (const [key, command] of expected) expect(bindingForKey(key, 'activity')?.command, key).toBe(command);
    expect(bindingForKey('K', 'locks')?.command).toBe('terminateBackend');
    expect(bindingForKey('c', 'locks')?.command).toBe('cancelQuery');
    expect(bindingForKey('n', 'roles')?.command).toBe('newRole');
    expect(bindingForKey('P', 'roles')?.command).toBe('changePassword');
    expect(bindingForKey('A', 'roles')?.command).toBe('securityAudit');
    expect(['b', 'r', 't', 'd'].map((key) => bindingForKey(key, 'backups')?.command)).toEqual(['backupNow', 'restoreBackup', 'verifyBackup', 'deleteBackup']);
  });

  it('marks the actions that change the server as dangerous', () => {
    expect(KEYMAP.filter((b) => b.danger).map((b) => b.command).sort()).toEqual(
      ['cancelQuery', 'terminateBackend', 'newRole', 'changePassword', 'vacuumTable', 'analyzeTable', 'vacuumFull', 'reindex', 'enableStatements',
        // backups: refused under --read-only as SPEC.md lists them with the actions, and confirmed first.
        'backupNow', 'restoreBackup', 'verifyBackup', 'deleteBackup'].sort(),
    );
  });
});
