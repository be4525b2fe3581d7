// Which reader gives the machine's figures for a target: the pod's sampler
// over exec with -k; this host's /proc when the server is local (a unix
// socket or a loopback address, as pg_activity decides, then checked in
// /proc: local-reader.ts); none otherwise — the columns are then absent.
import type { ConnectionTarget } from '../target/target.js';
import { ExecSampler, type HostReader } from './exec-sampler.js';
import { isLocalHost, LocalReader } from './local-reader.js';

export interface HostReading {
  reader: HostReader;
  mode: 'pod' | 'local';
}

export function hostReadingFor(target: Pick<ConnectionTarget, 'exec' | 'connection'>): HostReading | undefined {
  if (target.exec) return { reader: new ExecSampler(target.exec), mode: 'pod' };
  if (process.platform === 'linux' && isLocalHost(target.connection.host)) return { reader: new LocalReader(), mode: 'local' };
  return undefined;
}
