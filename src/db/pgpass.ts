// ~/.pgpass (or $PGPASSFILE) read exactly as libpq reads it
// (passwordFromFile in fe-connect.c): the file is ignored, with a warning,
// when it is not a plain file or group or others have access to it; '#'
// lines are comments; the FIRST line whose host, port, database and user
// each match (or are "*") gives the password; '\' escapes ':' and '\'; a
// Unix-socket connection matches the host name "localhost".
// The pgpass package (1.0.5) pgtop used differs: it takes the LAST matching
// line of what it read in one go, and writes its warnings to stderr, which
// tears the dashboard's frame. The writer (src/learn/pgpass-file.ts) uses
// the same line parsing, so what it writes is what is read back.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface PgpassTarget {
  host: string;
  port: number;
  database: string;
  user: string;
}

export function pgpassPath(env: NodeJS.ProcessEnv = process.env): string {
  return env.PGPASSFILE || path.join(env.HOME || os.homedir(), '.pgpass');
}

/** UTF-8 text as a string of its bytes: the file is handled byte for byte (latin1 holds one byte per character). */
export function asBytes(text: string): string {
  return Buffer.from(text, 'utf8').toString('latin1');
}

/** The four values libpq compares a line with, as bytes. */
export function matchValues(target: PgpassTarget): string[] {
  // libpq matches a Unix-socket connection against the host name "localhost".
  const host = target.host.startsWith('/') ? 'localhost' : target.host;
  return [host, String(target.port), target.database, target.user].map(asBytes);
}

export interface PgpassLine {
  /** host, port, database, user: unescaped, with "*" (unescaped, alone) as null, matching anything. */
  fields: (string | null)[];
  /** The password, unescaped, up to the next unescaped ':' as libpq reads it. */
  password: string;
}

/** A line's fields, or null for a comment, an empty line or a line with fewer than five fields (libpq skips those). */
export function parseLine(text: string): PgpassLine | null {
  if (text === '' || text.startsWith('#')) return null;
  const fields: (string | null)[] = [];
  let current = '';
  let raw = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\\' && i + 1 < text.length) {
      current += text[++i];
      raw += c + text[i];
    } else if (c === ':') {
      if (fields.length === 4) return { fields, password: current };
      fields.push(raw === '*' ? null : current);
      current = '';
      raw = '';
    } else {
      current += c;
      raw += c;
    }
  }
  return fields.length === 4 ? { fields, password: current } : null;
}

/** libpq's test: each field is "*" or equal to the connection's value. */
export function lineMatches(line: PgpassLine, values: readonly string[]): boolean {
  return line.fields.every((f, i) => f === null || f === values[i]);
}

/** A line written for exactly these values (no wildcard): the one to replace when the password changes. */
export function lineIsFor(line: PgpassLine, values: readonly string[]): boolean {
  return line.fields.every((f, i) => f === values[i]);
}

export interface PgpassLookup {
  password?: string;
  /** Why the file was not used, in libpq's words, for the caller to show where it shows things. */
  warning?: string;
}

/** The password libpq would take from the file for this connection. */
export function lookupPgpass(target: PgpassTarget, env: NodeJS.ProcessEnv = process.env): PgpassLookup {
  const file = pgpassPath(env);
  let stats: fs.Stats;
  try {
    stats = fs.statSync(file);
  } catch {
    return {};
  }
  if (!stats.isFile()) return { warning: `password file "${file}" is not a plain file` };
  if (stats.mode & 0o077) {
    return { warning: `password file "${file}" has group or world access; permissions should be u=rw (0600) or less` };
  }
  let content: string;
  try {
    content = fs.readFileSync(file).toString('latin1');
  } catch {
    return {};
  }
  const values = matchValues(target);
  for (const text of content.split('\n')) {
    const line = parseLine(text.replace(/\r$/, ''));
    if (line && lineMatches(line, values)) return { password: Buffer.from(line.password, 'latin1').toString('utf8') };
  }
  return {};
}
