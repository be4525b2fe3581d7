// ~/.pgpass read as libpq reads it (passwordFromFile in fe-connect.c), with
// real files: the first matching line wins, escapes and "*" as libpq means
// them, and a file others can read is ignored with libpq's warning.
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { lookupPgpass, pgpassPath } from '../../src/db/pgpass.js';

let dir: string;
afterEach(() => {
  vi.unstubAllEnvs();
  rmSync(dir, { recursive: true, force: true });
});

function fileWith(content: string | Buffer, mode = 0o600): string {
  dir = mkdtempSync(path.join(os.tmpdir(), 'pgtop-pgpass-read-'));
  const file = path.join(dir, 'pgpass');
  writeFileSync(file, content);
  chmodSync(file, mode);
  return file;
}

const TARGET = { host: 'db.example', port: 5432, database: 'shop', user: 'alice' };

describe('lookupPgpass (libpq rules)', () => {
  it('takes the first line that matches, a wildcard one too, skipping comments and short lines', () => {
    const file = fileWith('# db.example:5432:shop:alice:comment\ndb.example:5432:shop\n*:5432:*:alice:first\ndb.example:5432:shop:alice:second\n');
    expect(lookupPgpass(TARGET, { PGPASSFILE: file })).toEqual({ password: 'first' });
    expect(lookupPgpass({ ...TARGET, user: 'bob' }, { PGPASSFILE: file })).toEqual({});
  });

  it('unescapes \\: and \\\\, ends the password at an unescaped colon, treats an escaped * as a plain star, and reads CRLF and UTF-8', () => {
    const file = fileWith(Buffer.from('db.example:5432:\\*:alice:star\r\ndb.example:5432:shop:alice:p\\:w\\\\d:extra\r\n'));
    expect(lookupPgpass(TARGET, { PGPASSFILE: file })).toEqual({ password: 'p:w\\d' });
    expect(lookupPgpass({ ...TARGET, database: '*' }, { PGPASSFILE: file })).toEqual({ password: 'star' });
    writeFileSync(file, 'db.example:5432:shop:alice:pässwörd\n');
    expect(lookupPgpass(TARGET, { PGPASSFILE: file })).toEqual({ password: 'pässwörd' });
  });

  it('matches a Unix-socket connection against "localhost"', () => {
    const file = fileWith('localhost:5432:shop:alice:socket\n');
    expect(lookupPgpass({ ...TARGET, host: '/var/run/postgresql' }, { PGPASSFILE: file })).toEqual({ password: 'socket' });
  });

  it('ignores a file group or others can read, and one that is not a plain file, with libpq\'s warning', () => {
    const file = fileWith('db.example:5432:shop:alice:pw\n', 0o640);
    expect(lookupPgpass(TARGET, { PGPASSFILE: file })).toEqual({
      warning: `password file "${file}" has group or world access; permissions should be u=rw (0600) or less`,
    });
    mkdirSync(path.join(dir, 'adir'));
    expect(lookupPgpass(TARGET, { PGPASSFILE: path.join(dir, 'adir') })).toEqual({ warning: `password file "${path.join(dir, 'adir')}" is not a plain file` });
    expect(lookupPgpass(TARGET, { PGPASSFILE: path.join(dir, 'none') })).toEqual({});
  });

  it('looks in $HOME/.pgpass without PGPASSFILE', () => {
    expect(pgpassPath({ HOME: '/home/alice' })).toBe('/home/alice/.pgpass');
    expect(pgpassPath({ HOME: '/home/alice', PGPASSFILE: '/etc/pgpass' })).toBe('/etc/pgpass');
  });
});
