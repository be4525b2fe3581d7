// The pods/log subresource as the API server serves it (proxied from kubelet):
// text/plain, one line per entry; `container` (defaulted when the pod has one),
// `previous` (the container instance before the last restart, or 400
// "previous terminated container … not found"), `tailLines`, `sinceSeconds`,
// `timestamps` (an RFC 3339 time and a space before each line) and `follow`
// (chunked; lines appended while it is open are written as they come, and the
// response ends when the container dies).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { requestedContainer, type ContainerRefusal } from './containers.js';
import type { FakeContainer, FakePod, LogLine } from './model.js';

export type LogError = ContainerRefusal;

/** The container a log request reads, or the API server's 400. */
export function logContainer(pod: FakePod, url: URL): FakeContainer | LogError {
  return requestedContainer(pod, url.searchParams.get('container'));
}

export function serveLog(req: IncomingMessage, res: ServerResponse, pod: FakePod, container: FakeContainer, url: URL): LogError | null {
  const flag = (name: string) => url.searchParams.get(name) === 'true';
  const previous = flag('previous');
  if (previous && !container.previousLog) {
    return { status: 400, message: `previous terminated container "${container.name}" in pod "${pod.name}" not found` };
  }
  const timestamps = flag('timestamps');
  const format = (line: LogLine) => `${timestamps ? `${line.at.toISOString()} ` : ''}${line.text}\n`;
  let lines = previous ? container.previousLog! : container.log;
  const since = Number(url.searchParams.get('sinceSeconds') ?? 0);
  if (since > 0) lines = lines.filter((l) => l.at.getTime() >= Date.now() - since * 1000);
  const tail = url.searchParams.get('tailLines');
  if (tail !== null) lines = Number(tail) > 0 ? lines.slice(-Number(tail)) : [];

  res.writeHead(200, { 'Content-Type': 'text/plain', 'Transfer-Encoding': 'chunked', 'Cache-Control': 'no-cache, private' });
  if (lines.length) res.write(lines.map(format).join(''));
  // Following the previous container's log ends at its end: it will never write again.
  if (!flag('follow') || previous) {
    res.end();
    return null;
  }
  const follower = {
    line: (line: LogLine) => res.write(format(line)),
    end: () => {
      container.followers.delete(follower);
      res.end();
    },
  };
  container.followers.add(follower);
  req.on('close', () => container.followers.delete(follower));
  return null;
}

/** Appends lines to a container's log, at `at` (default now); open follows get them at once. */
export function appendLog(container: FakeContainer, lines: string[], at = new Date()): void {
  for (const text of lines) {
    const line = { at, text };
    container.log.push(line);
    for (const follower of container.followers) follower.line(line);
  }
}

/**
 * The container ends (OOMKilled, exit 137, by default) and kubelet starts it
 * again: restartCount + 1, lastState.terminated says why and when, the log so
 * far becomes the previous one, open follows end.
 */
export function restartContainer(container: FakeContainer, reason: string, exitCode: number, at = new Date()): void {
  container.lastTerminated = { reason, exitCode, startedAt: container.startedAt, finishedAt: at };
  for (const follower of [...container.followers]) follower.end();
  container.previousLog = container.log;
  container.log = [];
  container.restarts += 1;
  container.startedAt = new Date(at.getTime() + 1);
}
