// Appending generated passwords to ~/.pgpass (or $PGPASSFILE), the file psql
// and pgtop read: mode 0600 (libpq ignores a file others can read), and an
// older line for the same server, database and user is replaced, because
// libpq uses the first line that matches.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface PgpassEntry {
  host: string;
  port: number;
  database: string;
  user: string;
  password: string;
}

export function pgpassPath(env: NodeJS.ProcessEnv = process.env): string {
  return env.PGPASSFILE || path.join(os.homedir(), '.pgpass');
}

/** A field as .pgpass wants it: ':' and '\' escaped with '\'. */
function field(value: string): string {
  return value.replace(/[\\:]/g, (c) => `\\${c}`);
}

/** libpq matches a Unix-socket connection against the host name "localhost". */
function hostField(host: string): string {
  return host.startsWith('/') ? 'localhost' : host;
}

function keyOf(e: Omit<PgpassEntry, 'password'>): string {
  return [hostField(e.host), String(e.port), e.database, e.user].map(field).join(':');
}

/** The host:port:database:user part of a line, as written (escapes kept). */
function lineKey(line: string): string {
  let colons = 0;
  for (let i = 0; i < line.length; i++) {
    if (line[i] === '\\') i++;
    else if (line[i] === ':' && ++colons === 4) return line.slice(0, i);
  }
  return line;
}

export function writePgpass(entries: readonly PgpassEntry[], file: string = pgpassPath()): void {
  const keys = new Set(entries.map(keyOf));
  let lines: string[] = [];
  try {
    lines = fs.readFileSync(file, 'utf8').split('\n');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  // Keep every other line (comments too); drop the old password of these users.
  const kept = lines.filter((line) => line !== '' && !keys.has(lineKey(line)));
  const added = entries.map((e) => `${keyOf(e)}:${field(e.password)}`);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, [...kept, ...added].join('\n') + '\n', { mode: 0o600 });
  fs.chmodSync(file, 0o600);
}
