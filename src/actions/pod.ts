// `u` on the pod screen: the seed's `du -sh DATADIR/*` (the administration
// session ends with it: which directory of the data volume grows — base,
// pg_wal, a forgotten dump?), run in the pod through the target's exec, on
// demand only: it reads every file of the data directory, so it never runs
// on a timer. It changes nothing (changesServer: false, so --read-only allows
// it), yet it is heavy I/O on the server's volume, so it is confirmed first,
// showing the exact command. Its lines land in the store (diskUsage) and stay
// on the pod screen until the next `u`.
import { Writable } from 'node:stream';
import { ActionError } from '../errors.js';
import { parseDu } from '../model/pod.js';
import type { ActionSpec } from './action.js';

export interface DiskUsageTarget {
  /** The data directory in the pod (the sampler's path, else the pod's PGDATA). */
  path: string;
  /** The target is a pod (-k): du runs there; elsewhere it is refused before anything is asked. */
  inPod: boolean;
}

/** du of a large data directory takes a while; past this it is stopped and said. */
const DU_TIMEOUT_MS = 180_000;
const OUTPUT_LIMIT = 256 * 1024;

function shellQuote(text: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}

/** The command as the seed writes it, the path quoted for sh. */
export function duCommand(path: string): string {
  return `du -sh -- ${shellQuote(path.replace(/\/+$/, '') || '/')}/*`;
}

export const diskUsage: ActionSpec<DiskUsageTarget> = {
  id: 'diskUsage',
  danger: 'confirm',
  changesServer: false,
  refuse: (t) => (t.inPod ? null : `du runs in the database's pod (pgtop -k); on this host run ${duCommand(t.path)} yourself`),
  title: (t) => `Measure the data directory ${t.path} with du?`,
  sql: (t) => duCommand(t.path),
  details: (t) => [
    `runs in    the database's pod (kubectl exec … ${duCommand(t.path)})`,
    'cost       du reads every file of the data directory: heavy I/O on a busy volume; it never runs on its own',
    'shows      each entry of the data directory and its size on this screen, the largest first, until u runs it again',
  ],
  async run(context, t) {
    const exec = context.env.podExec;
    if (!exec) throw new ActionError(`du runs in the database's pod (pgtop -k); on this host run ${duCommand(t.path)} yourself`);
    let output = '';
    const stdout = new Writable({
      write(chunk: Buffer, _encoding, done) {
        if (output.length < OUTPUT_LIMIT) output += chunk.toString('utf8');
        done();
      },
    });
    context.progress(`running ${duCommand(t.path)} in the pod…`);
    // A file removed while du walks (a WAL segment recycled, a temporary file) makes du exit 1 with what it measured: keep it.
    const result = await exec({ command: ['sh', '-c', `${duCommand(t.path)}; true`], stdout, signal: AbortSignal.timeout(DU_TIMEOUT_MS) });
    const entries = parseDu(output, Date.now());
    if (entries.length === 0) throw new ActionError(`du printed nothing for ${t.path}${result.stderr.trim() ? `: ${result.stderr.trim().split('\n').at(-1)}` : ''}`);
    context.env.landDiskUsage?.(entries);
    const largest = entries[0]!;
    return `du: ${entries.length} entries in ${t.path}; the largest ${largest.path} (${largest.size})`;
  },
};
