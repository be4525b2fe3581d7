// Saving generated passwords where psql and pgtop look for them.
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { writePgpass } from '../../src/session/pgpass-file.js';

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

describe('writePgpass', () => {
  it('creates the file with mode 0600, escaping : and \\', () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'pgtop-pgpass-'));
    const file = path.join(dir, 'sub', '.pgpass');
    writePgpass([{ host: 'db:1', port: 5432, database: 'demo', user: 'app_user', password: 'a:b\\c' }], file);
    expect(readFileSync(file, 'utf8')).toBe('db\\:1:5432:demo:app_user:a\\:b\\\\c\n');
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('replaces the old password of the same user on the same server, keeps every other line', () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'pgtop-pgpass-'));
    const file = path.join(dir, '.pgpass');
    writeFileSync(file, '# mine\nh:5432:demo:app_user:old\\:pw\nh:5432:demo:other:keep\n/tmp:5432:*:x:y\n', { mode: 0o644 });
    writePgpass(
      [
        { host: 'h', port: 5432, database: 'demo', user: 'app_user', password: 'new' },
        { host: '/var/run/postgresql', port: 5432, database: 'demo', user: 'readonly_user', password: 'r' },
      ],
      file,
    );
    expect(readFileSync(file, 'utf8')).toBe(
      '# mine\nh:5432:demo:other:keep\n/tmp:5432:*:x:y\nh:5432:demo:app_user:new\nlocalhost:5432:demo:readonly_user:r\n',
    );
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });
});
