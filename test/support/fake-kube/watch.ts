// Watching pods, as the API server does it: every change of a pod (its
// status, readiness, a container restart, its deletion) gets a new
// resourceVersion; a list says the version it is at; `?watch=true` streams
// ADDED/MODIFIED/DELETED events as JSON lines (chunked) from the version asked
// (or the current objects as ADDED first, without one), honours
// fieldSelector (metadata.name, metadata.namespace), labelSelector and
// timeoutSeconds, and answers a version older than what it keeps with an
// ERROR event carrying 410 Gone ("too old resource version"), as etcd's
// compaction makes it do. The fake's pods change in many places (tests
// steer them), so the hub notices changes by comparing each pod's JSON,
// whenever a list or watch asks and every 50 ms while a watch is open.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { matchesSelector, podJson, type FakePod } from './model.js';

type EventType = 'ADDED' | 'MODIFIED' | 'DELETED';

interface Recorded {
  rv: number;
  type: EventType;
  pod: { namespace: string; name: string; labels: Record<string, string> };
  object: ReturnType<typeof podJson>;
}

interface Watcher {
  matches(pod: Recorded['pod']): boolean;
  send(event: Recorded): void;
  end(): void;
}

/** A pod's JSON without what changes on every read (deletionTimestamp is "now" while it terminates, the owner's uid is made anew). */
function comparable(json: ReturnType<typeof podJson>): string {
  const { deletionTimestamp, ownerReferences, ...metadata } = json.metadata as Record<string, unknown>;
  // podJson makes a new owner uid on every call: the owner's name is what identifies it here.
  const owners = (ownerReferences as { name: string }[] | undefined)?.map((o) => o.name);
  return JSON.stringify({ ...json, metadata: { ...metadata, owners, resourceVersion: '', deleting: deletionTimestamp !== undefined } });
}

export class PodWatchHub {
  private rv = 1000;
  /** Versions at or below this were compacted away: a watch from them gets 410 Gone. */
  private compactedAt = 1000;
  private readonly seen = new Map<string, { text: string; rv: number; record: Recorded['pod']; object: ReturnType<typeof podJson> }>();
  private readonly history: Recorded[] = [];
  private readonly watchers = new Set<Watcher>();
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly pods: () => readonly FakePod[]) {
    this.sync();
    // What was there from the start is no change to replay.
    this.history.length = 0;
    this.compactedAt = this.rv;
  }

  /** The version a list is at (after taking in what changed). */
  get resourceVersion(): string {
    this.sync();
    return String(this.rv);
  }

  /** A pod's JSON with the resourceVersion of its last change. */
  stamped(pod: FakePod): ReturnType<typeof podJson> {
    this.sync();
    const json = podJson(pod);
    const seen = this.seen.get(pod.uid);
    return { ...json, metadata: { ...json.metadata, resourceVersion: String(seen?.rv ?? this.rv) } };
  }

  /** Takes in what changed since the last look: each change is a new version, and an event to open watches. */
  sync(): void {
    const current = new Set<string>();
    for (const pod of this.pods()) {
      current.add(pod.uid);
      const json = podJson(pod);
      const text = comparable(json);
      const before = this.seen.get(pod.uid);
      if (before?.text === text) continue;
      this.rv += 1;
      const record = { namespace: pod.namespace, name: pod.name, labels: { ...pod.labels } };
      const object = { ...json, metadata: { ...json.metadata, resourceVersion: String(this.rv) } };
      this.seen.set(pod.uid, { text, rv: this.rv, record, object });
      this.record({ rv: this.rv, type: before ? 'MODIFIED' : 'ADDED', pod: record, object });
    }
    for (const [uid, before] of [...this.seen]) {
      if (current.has(uid)) continue;
      this.seen.delete(uid);
      this.rv += 1;
      this.record({ rv: this.rv, type: 'DELETED', pod: before.record, object: { ...before.object, metadata: { ...before.object.metadata, resourceVersion: String(this.rv) } } });
    }
  }

  /**
   * etcd compacted, after writes to other objects moved the version on: a
   * watch from any version a client holds now is answered 410 Gone.
   */
  compact(): void {
    this.sync();
    this.rv += 1;
    this.history.length = 0;
    this.compactedAt = this.rv;
  }

  /** Ends every open watch, as the server does at its timeout: clients watch again from their last version. */
  endWatches(): void {
    for (const watcher of [...this.watchers]) watcher.end();
  }

  get openWatches(): number {
    return this.watchers.size;
  }

  /** Serves GET …/pods?watch=true. */
  serve(_req: IncomingMessage, res: ServerResponse, url: URL, namespace: string | undefined): void {
    this.sync();
    const fields = parseFieldSelector(url.searchParams.get('fieldSelector'));
    if ('error' in fields) {
      res.writeHead(400, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(status(400, 'BadRequest', fields.error)));
      return;
    }
    const labels = url.searchParams.get('labelSelector');
    const matches = (pod: Recorded['pod']) =>
      (!namespace || pod.namespace === namespace) &&
      (!labels || matchesSelector(pod.labels, labels)) &&
      fields.every(({ field, value, equal }) => ((field === 'metadata.name' ? pod.name : pod.namespace) === value) === equal);
    res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked', 'Cache-Control': 'no-cache, private' });
    // At once, as the API server does: a watch with nothing to say yet is still open.
    res.flushHeaders();
    // Objects in watch events carry their kind, as single objects do (list items do not).
    const write = (type: string, object: object) => res.write(`${JSON.stringify({ type, object: type === 'ERROR' ? object : { kind: 'Pod', apiVersion: 'v1', ...object } })}\n`);
    const from = url.searchParams.get('resourceVersion');
    if (from && from !== '0' && Number(from) < this.compactedAt) {
      write('ERROR', status(410, 'Expired', `too old resource version: ${from} (${this.compactedAt})`));
      res.end();
      return;
    }
    if (!from || from === '0') {
      for (const seen of this.seen.values()) if (matches(seen.record)) write('ADDED', seen.object);
    } else {
      for (const event of this.history) if (event.rv > Number(from) && matches(event.pod)) write(event.type, event.object);
    }
    let timeout: NodeJS.Timeout | undefined;
    const watcher: Watcher = {
      matches,
      send: (event) => write(event.type, event.object),
      end: () => {
        clearTimeout(timeout);
        this.watchers.delete(watcher);
        this.idle();
        res.end();
      },
    };
    const seconds = Number(url.searchParams.get('timeoutSeconds') ?? 0);
    if (seconds > 0) timeout = setTimeout(() => watcher.end(), seconds * 1000);
    // The response's close, not the request's: a GET's request closes once read.
    res.on('close', () => {
      clearTimeout(timeout);
      this.watchers.delete(watcher);
      this.idle();
    });
    this.watchers.add(watcher);
    this.timer ??= setInterval(() => this.sync(), 50);
  }

  stop(): void {
    this.endWatches();
    this.idle();
  }

  private record(event: Recorded): void {
    this.history.push(event);
    // Kept like the watch cache: a bounded window of recent changes.
    if (this.history.length > 1000) this.compactedAt = this.history.shift()!.rv;
    for (const watcher of this.watchers) if (watcher.matches(event.pod)) watcher.send(event);
  }

  private idle(): void {
    if (this.watchers.size > 0 || !this.timer) return;
    clearInterval(this.timer);
    this.timer = null;
  }
}

function parseFieldSelector(selector: string | null): { field: string; value: string; equal: boolean }[] | { error: string } {
  const terms: { field: string; value: string; equal: boolean }[] = [];
  for (const term of (selector ?? '').split(',').filter(Boolean)) {
    const m = /^([^!=]+)(!=|==|=)(.*)$/.exec(term);
    if (!m || (m[1] !== 'metadata.name' && m[1] !== 'metadata.namespace')) return { error: `field label not supported: ${m ? m[1] : term}` };
    terms.push({ field: m[1], value: m[3]!, equal: m[2] !== '!=' });
  }
  return terms;
}

function status(code: number, reason: string, message: string) {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code };
}
