// Saving generated passwords where psql and pgtop look for them, the way libpq
// expects the file: real files in a temporary directory, with the file
// operations watched (every file 0600 at every step) or broken (a crash
// between the write and the rename leaves the old file as it was).
import fs, { lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { lookupPgpass } from '../../src/db/pgpass.js';
import { ActionError } from '../../src/errors.js';
import { writePgpass, type PgpassEntry, type PgpassFs } from '../../src/learn/pgpass-file.js';

let dir: string;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});
function tempDir(): string {
  dir = mkdtempSync(path.join(os.tmpdir(), 'pgtop-pgpass-'));
  return dir;
}

const APP: PgpassEntry = { host: 'h', port: 5432, database: 'demo', user: 'app_user', password: 'new' };

/** Every regular file under root with its permission bits (symbolic links not followed). */
function modes(root: string): Map<string, number> {
  const found = new Map<string, number>();
  for (const name of readdirSync(root, { recursive: true }) as string[]) {
    const stats = lstatSync(path.join(root, name));
    if (stats.isFile()) found.set(name, stats.mode & 0o777);
  }
  return found;
}

/** The real fs, recording each call, and checking after each one that no file under root is readable by others. */
function watchedFs(root: string, overrides: Partial<PgpassFs> = {}) {
  const calls: { op: string; args: unknown[] }[] = [];
  const loose: string[] = [];
  const real = fs as unknown as Record<string, (...args: unknown[]) => unknown>;
  const watched = {} as Record<string, (...args: unknown[]) => unknown>;
  for (const op of ['lstatSync', 'statSync', 'readlinkSync', 'realpathSync', 'readFileSync', 'mkdirSync', 'openSync', 'writeSync', 'fchmodSync', 'fchownSync', 'fsyncSync', 'closeSync', 'renameSync', 'unlinkSync']) {
    watched[op] = (...args: unknown[]) => {
      calls.push({ op, args });
      const override = (overrides as Record<string, ((...a: unknown[]) => unknown) | undefined>)[op];
      const result = override ? override(...args) : real[op]!(...args);
      for (const [name, mode] of modes(root)) if (mode & 0o077) loose.push(`${name} ${mode.toString(8)} after ${op}`);
      return result;
    };
  }
  return { fsOps: watched as unknown as PgpassFs, calls, loose };
}

/** What libpq (and pgtop's reader, src/db/pgpass.ts) finds in a file for a connection. */
function lookup(file: string, entry: Omit<PgpassEntry, 'password'>) {
  return lookupPgpass(entry, { PGPASSFILE: file });
}

describe('writePgpass', () => {
  it('creates the file with mode 0600, escaping : and \\', () => {
    const file = path.join(tempDir(), 'sub', '.pgpass');
    const written = writePgpass([{ host: 'db:1', port: 5432, database: 'demo', user: 'app_user', password: 'a:b\\c' }], file);
    expect(readFileSync(file, 'utf8')).toBe('db\\:1:5432:demo:app_user:a\\:b\\\\c\n');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(written).toEqual({ file: path.resolve(file) });
  });

  it('replaces the old line of the same user on the same server where it was, and keeps every other line byte for byte', () => {
    const file = path.join(tempDir(), '.pgpass');
    // A comment, a blank line, a line that is not UTF-8, a socket line, and no newline at the end.
    const before = Buffer.concat([
      Buffer.from('# mine\nh:5432:demo:app_user:old\\:pw\n\nh:5432:demo:other:keep\n'),
      Buffer.from([0x6c, 0x61, 0x74, 0x69, 0x6e, 0x3a, 0x31, 0x3a, 0x2a, 0x3a, 0xe9, 0x3a, 0xff, 0x0a]),
      Buffer.from('/tmp:5432:*:x:y'),
    ]);
    writeFileSync(file, before, { mode: 0o600 });
    writePgpass([APP, { host: '/var/run/postgresql', port: 5432, database: 'demo', user: 'readonly_user', password: 'r' }], file);
    expect(readFileSync(file)).toEqual(
      Buffer.concat([
        Buffer.from('# mine\nh:5432:demo:app_user:new\n\nh:5432:demo:other:keep\n'),
        Buffer.from([0x6c, 0x61, 0x74, 0x69, 0x6e, 0x3a, 0x31, 0x3a, 0x2a, 0x3a, 0xe9, 0x3a, 0xff, 0x0a]),
        Buffer.from('/tmp:5432:*:x:y\nlocalhost:5432:demo:readonly_user:r\n'),
      ]),
    );
  });

  it('keeps CRLF line endings and writes its own lines with them', () => {
    const file = path.join(tempDir(), '.pgpass');
    writeFileSync(file, '# windows\r\nother:1:*:u:p\r\n', { mode: 0o600 });
    writePgpass([APP], file);
    expect(readFileSync(file, 'utf8')).toBe('# windows\r\nother:1:*:u:p\r\nh:5432:demo:app_user:new\r\n');
  });

  it('puts the new line before an earlier wildcard line that libpq would use instead, and drops every old line of that user', () => {
    const file = path.join(tempDir(), '.pgpass');
    writeFileSync(file, '# first\n*:*:*:app_user:wildcard\nh:5432:demo:app_user:old\nh:5432:demo:app_user:older\n', { mode: 0o600 });
    writePgpass([APP], file);
    expect(readFileSync(file, 'utf8')).toBe('# first\nh:5432:demo:app_user:new\n*:*:*:app_user:wildcard\n');
    expect(lookup(file, APP)).toEqual({ password: 'new' });
    expect(lookup(file, { ...APP, database: 'elsewhere' })).toEqual({ password: 'wildcard' });
  });

  it('never lets a file be readable by others: the temporary file is created 0600 with wx, in the same directory, and renamed over the old one', () => {
    const root = tempDir();
    const file = path.join(root, '.pgpass');
    writeFileSync(file, 'other:1:*:u:p\n', { mode: 0o600 });
    const { fsOps, calls, loose } = watchedFs(root);
    writePgpass([APP], file, fsOps);
    expect(loose).toEqual([]);
    const open = calls.find((c) => c.op === 'openSync')!;
    const temp = open.args[0] as string;
    expect(open.args.slice(1)).toEqual(['wx', 0o600]);
    expect(path.dirname(temp)).toBe(root);
    // Written and synced before the rename; the rename is the last change to the file.
    const order = calls.map((c) => c.op);
    expect(order.indexOf('writeSync')).toBeLessThan(order.indexOf('fsyncSync'));
    expect(order.indexOf('fsyncSync')).toBeLessThan(order.indexOf('renameSync'));
    expect(calls.find((c) => c.op === 'renameSync')!.args).toEqual([temp, file]);
    // Then the directory is synced, so the rename itself survives a crash.
    expect(calls.slice(order.indexOf('renameSync')).some((c) => c.op === 'openSync' && c.args[0] === root)).toBe(true);
    expect(order.lastIndexOf('fsyncSync')).toBeGreaterThan(order.indexOf('renameSync'));
    expect(readFileSync(file, 'utf8')).toBe('other:1:*:u:p\nh:5432:demo:app_user:new\n');
    expect([...modes(root).keys()]).toEqual(['.pgpass']);
  });

  it('leaves the old file exactly as it was when it fails between the write and the rename', () => {
    const root = tempDir();
    const file = path.join(root, '.pgpass');
    const before = '# mine\nh:5432:demo:app_user:old\nother:1:*:u:p\n';
    writeFileSync(file, before, { mode: 0o600 });
    const { fsOps } = watchedFs(root, {
      renameSync: () => {
        throw Object.assign(new Error('crash'), { code: 'EIO' });
      },
    });
    expect(() => writePgpass([APP], file, fsOps)).toThrow(new ActionError(`cannot save the password in ${file}: EIO; the file is unchanged`));
    expect(readFileSync(file, 'utf8')).toBe(before);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    // The half-done temporary file is gone too.
    expect([...modes(root).keys()]).toEqual(['.pgpass']);
  });

  it('follows a symbolic link to the file it names and rewrites that file in its own directory: the link stays a link', () => {
    const root = tempDir();
    mkdirSync(path.join(root, 'dotfiles'));
    const real = path.join(root, 'dotfiles', 'pgpass');
    writeFileSync(real, 'other:1:*:u:p\n', { mode: 0o600 });
    const link = path.join(root, '.pgpass');
    symlinkSync('dotfiles/pgpass', link);
    const { fsOps, calls, loose } = watchedFs(root);
    const written = writePgpass([APP], link, fsOps);
    expect(written.file).toBe(real);
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readlinkSync(link)).toBe('dotfiles/pgpass');
    expect(readFileSync(real, 'utf8')).toBe('other:1:*:u:p\nh:5432:demo:app_user:new\n');
    const rename = calls.find((c) => c.op === 'renameSync')!.args as string[];
    expect(rename[1]).toBe(real);
    expect(path.dirname(rename[0]!)).toBe(path.dirname(real));
    expect(loose).toEqual([]);
    expect([...modes(root).keys()].sort()).toEqual([path.join('dotfiles', 'pgpass')]);
  });

  it('follows a link to a file that does not exist yet, and a chain of links', () => {
    const root = tempDir();
    mkdirSync(path.join(root, 'secrets'));
    symlinkSync(path.join(root, 'secrets', 'pgpass'), path.join(root, 'middle'));
    symlinkSync('middle', path.join(root, '.pgpass'));
    writePgpass([APP], path.join(root, '.pgpass'));
    expect(lstatSync(path.join(root, '.pgpass')).isSymbolicLink()).toBe(true);
    expect(lstatSync(path.join(root, 'middle')).isSymbolicLink()).toBe(true);
    expect(readFileSync(path.join(root, 'secrets', 'pgpass'), 'utf8')).toBe('h:5432:demo:app_user:new\n');
    expect(lookup(path.join(root, '.pgpass'), APP)).toEqual({ password: 'new' });
  });

  it('refuses a path that is not a plain file, or a loop of links, with one line, and writes nothing', () => {
    const root = tempDir();
    mkdirSync(path.join(root, 'adir'));
    expect(() => writePgpass([APP], path.join(root, 'adir'))).toThrow(new ActionError(`${path.join(root, 'adir')} is not a plain file (libpq ignores it): nothing was saved`));
    symlinkSync('b', path.join(root, 'a'));
    symlinkSync('a', path.join(root, 'b'));
    expect(() => writePgpass([APP], path.join(root, 'a'))).toThrow(/too many levels of symbolic links; nothing was saved/);
    expect([...modes(root).keys()]).toEqual([]);
  });

  it('a file others could read, which libpq and pgtop ignore, is 0600 afterwards, and the caller is told', () => {
    const file = path.join(tempDir(), '.pgpass');
    writeFileSync(file, 'other:1:*:u:p\n', { mode: 0o644 });
    fs.chmodSync(file, 0o644);
    // libpq ignores it ("has group or world access").
    expect(lookup(file, { host: 'other', port: 1, database: 'x', user: 'u' })).toEqual({
      warning: `password file "${file}" has group or world access; permissions should be u=rw (0600) or less`,
    });
    expect(writePgpass([APP], file)).toEqual({ file, looseMode: 0o644 });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(lookup(file, APP)).toEqual({ password: 'new' });
    expect(lookup(file, { host: 'other', port: 1, database: 'x', user: 'u' })).toEqual({ password: 'p' });
  });
});
