// Where the guided session remembers each server's progress:
// $XDG_STATE_HOME/pgtop/learn/<host>_<port>_<database>.json (by default
// ~/.local/state/pgtop/learn/…). The key names the server, never a password.
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { ResolvedConnection } from '../db/connection-options.js';
import { parseProgress, type Progress } from './engine.js';
import type { Part } from './types.js';

/** host:port/database: how the progress file and its contents name the server. */
export function serverKey(connection: Pick<ResolvedConnection, 'host' | 'port' | 'database'>): string {
  return `${connection.host}:${connection.port}/${connection.database}`;
}

export function progressFilePath(connection: Pick<ResolvedConnection, 'host' | 'port' | 'database'>, env: NodeJS.ProcessEnv = process.env): string {
  const stateHome = env.XDG_STATE_HOME || path.join(os.homedir(), '.local', 'state');
  const name = `${connection.host}_${connection.port}_${connection.database}`.replace(/[^A-Za-z0-9._-]/g, '_');
  return path.join(stateHome, 'pgtop', 'learn', `${name}.json`);
}

export async function loadProgress(file: string, server: string, parts: readonly Part[]): Promise<Progress> {
  let text = '';
  try {
    text = await readFile(file, 'utf8');
  } catch {
    // No file yet: a fresh start.
  }
  return parseProgress(text, server, parts);
}

/** Written whole to a temporary name and renamed, so a crash never leaves half a file. */
export async function saveProgress(file: string, progress: Progress): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, JSON.stringify(progress, null, 2) + '\n', { mode: 0o600 });
  await rename(temporary, file);
}
