// The logs screen from landed log rows: whose log it is, newest at the
// bottom and following until the user scrolls up (G follows again), only the
// visible lines drawn, ERROR/FATAL/PANIC red and WARNING yellow, hostile
// text escaped, `/` filtering, P for the previous container's log (and said
// when there is none). And a key whose Kubernetes permission is denied:
// greyed in the hint bar with the reason, listed unavailable in help,
// refused before any dialog.
import { afterEach, describe, expect, it } from 'vitest';
import type { KubeAccess } from '../../src/model/kube-access.js';
import type { LogLine, ServerLog } from '../../src/model/server-log.js';
import type { PgtopState } from '../../src/store/store.js';
import { connectedWithResults } from '../support/maintenance-fixtures.js';
import { renderApp, type RenderedApp } from '../support/render-app.js';

let app: RenderedApp | undefined;
afterEach(() => app?.unmount());

const K8S = 'k8s development/pod/pg-0 → pod/pg-0 :5432';

function lines(texts: string[], from = 1): LogLine[] {
  return texts.map((text, i) => ({ seq: from + i, at: `2026-12-02T06:15:${String(i % 60).padStart(2, '0')}.${String(i % 1000).padStart(3, '0')}Z`, text }));
}

function log(texts: string[], patch: Partial<ServerLog> = {}): ServerLog {
  return { origin: 'pod/pg-0 container postgres', previous: false, lines: lines(texts), note: null, ...patch };
}

function withLog(serverLog: ServerLog, previous?: ServerLog) {
  return (s: PgtopState) => {
    connectedWithResults({})(s);
    s.data.results.serverLog = { rows: [serverLog], updatedAt: Date.now(), error: null, disabled: null };
    if (previous) s.data.results.previousServerLog = { rows: [previous], updatedAt: Date.now(), error: null, disabled: null };
  };
}

const many = Array.from({ length: 5_000 }, (_, i) => `LOG:  line number ${i + 1}`);

describe('logs screen', () => {
  it('sits after replication, shows whose log it is, newest at the bottom, following, only the lines that fit', async () => {
    app = renderApp({ screen: 'logs', target: K8S, patch: withLog(log(many)) });
    const frame = await app.waitFor('line number 5000');
    expect(frame).toMatch(/10 rep\s+11 logs/);
    expect(frame).toContain('following · current container (P: previous) · pod/pg-0 container postgres');
    expect(frame).not.toMatch(/line number 1\b/);
    // The body's rows, no more: the last lines, the newest at the bottom.
    const shown = frame.split('\n').filter((l) => l.includes('line number'));
    expect(shown.length).toBeLessThan(24);
    expect(shown.at(-1)).toMatch(/06:15:\d\d\.\d{3} LOG: {2}line number 5000/);
    expect(shown.at(-2)).toContain('line number 4999');
  });

  it('colours ERROR/FATAL/PANIC red and WARNING yellow, and escapes what would drive the terminal', async () => {
    app = renderApp({
      screen: 'logs',
      target: K8S,
      color: true,
      patch: withLog(log(['LOG:  checkpoint complete', 'ERROR:  relation "nope" does not exist', 'WARNING:  there is no transaction in progress', 'FATAL:  password authentication failed for user "x\u001b]0;pwned\u0007"'])),
    });
    await app.waitFor('password authentication failed');
    const raw = app.rawFrame();
    expect(raw).toMatch(/\u001b\[31mERROR: {2}relation "nope" does not exist/);
    expect(raw).toMatch(/\u001b\[33mWARNING: {2}there is no transaction in progress/);
    expect(raw).toMatch(/\u001b\[31mFATAL: {2}password authentication failed for user "x\\x1b\]0;pwned\\x07"/);
    expect(raw).not.toContain('\u001b]0;');
    expect(raw).not.toMatch(/\u001b\[3\dmLOG: {2}checkpoint complete/);
  });

  it('holds still once scrolled up while lines arrive, and G follows again', async () => {
    app = renderApp({ screen: 'logs', target: K8S, patch: withLog(log(many.slice(0, 100))) });
    await app.waitFor('line number 100');
    await app.press('k', 'k', 'k');
    let frame = await app.waitFor('scrolled up: G follows again');
    expect(frame.split('\n').filter((l) => l.includes('line number')).at(-1)).toContain('line number 97');
    // New lines land: the window stays where the user put it.
    app.store.setState((s) => ({ data: { ...s.data, results: { ...s.data.results, serverLog: { rows: [log(many.slice(0, 150))], updatedAt: Date.now(), error: null, disabled: null } } } }));
    await app.press('j', 'k');
    frame = app.frame();
    expect(frame).not.toContain('line number 150');
    expect(frame.split('\n').filter((l) => l.includes('line number')).at(-1)).toContain('line number 97');
    await app.press('G');
    frame = await app.waitFor('following · current');
    expect(frame.split('\n').filter((l) => l.includes('line number')).at(-1)).toContain('line number 150');
  });

  it('/ filters the lines (case-insensitive), Esc clears', async () => {
    app = renderApp({ screen: 'logs', target: K8S, patch: withLog(log(['LOG:  a', 'ERROR:  b failed', 'LOG:  c', 'error in d'])) });
    await app.waitFor('LOG:  c');
    await app.press('/', 'e', 'r', 'r', 'o', 'r', 'enter');
    const frame = await app.waitFor('filter "error" (2 lines)');
    expect(frame).toContain('ERROR:  b failed');
    expect(frame).toContain('error in d');
    expect(frame).not.toContain('LOG:  c');
    await app.press('escape');
    await app.waitFor('LOG:  c');
  });

  it("P shows the previous container's log and says when there is none; P again the current one", async () => {
    const none = log([], { previous: true, note: 'no previous container: postgres in pod/pg-0 has not restarted (the API server: previous terminated container not found)' });
    app = renderApp({ screen: 'logs', target: K8S, patch: withLog(log(['LOG:  now']), none) });
    await app.waitFor('LOG:  now');
    await app.press('P');
    let frame = await app.waitFor("previous container's log, before its last restart (P: current)");
    expect(frame).toContain('no previous container: postgres in pod/pg-0 has not restarted');
    expect(app.store.getState().ui.screenMode?.logs).toBe('previous');
    await app.press('P');
    frame = await app.waitFor('current container (P: previous)');
    expect(frame).toContain('LOG:  now');
  });

  it('on a direct connection says where the log is not, as the source landed it', async () => {
    app = renderApp({
      screen: 'logs',
      patch: (s) => {
        connectedWithResults({})(s);
        const text = 'server log: the server logs to stderr (logging_collector is off, log_destination stderr): its log is wherever its stderr goes';
        s.data.results.serverLog = { rows: [], updatedAt: 0, error: text, disabled: text };
      },
    });
    const frame = await app.waitFor('the server logs to stderr');
    expect(frame).toContain('newest log file');
  });
});

describe('a key whose Kubernetes permission is denied', () => {
  const noExec: KubeAccess = { namespace: 'development', rules: [{ verbs: ['get', 'list'], apiGroups: [''], resources: ['pods', 'pods/log'] }], incomplete: false, reviews: {} };
  const backups = (access: KubeAccess | null) => (s: PgtopState) => {
    connectedWithResults({})(s);
    s.connection.kubeAccess = access;
    s.connection.backupDir = '/backups';
    s.data.results.backupFiles = { rows: [], updatedAt: Date.now(), error: null, disabled: null };
  };

  it('is greyed in the hint bar with the reason, listed unavailable in help, and refused before any dialog', async () => {
    app = renderApp({ screen: 'backups', target: K8S, color: true, patch: backups(noExec) });
    // Wide enough for the whole hint bar (a narrow one cuts the reason; the key and help still say it).
    await app.resize(140, 24);
    const frame = await app.waitFor('needs create pods/exec in development');
    const hints = frame.split('\n').at(-1)!;
    expect(hints).toMatch(/d delete\s+b backup\s+r restore\s+t verify: needs create pods\/exec in development$/);
    // Struck through (SGR 9).
    expect(app.rawFrame()).toMatch(/\u001b\[9mb backup {2}r restore {2}t verify/);
    await app.press('b');
    await app.waitFor('b backup is unavailable: needs create pods/exec in development');
    expect(app.calls.requested).toEqual([]);
    expect(app.frame()).not.toContain('What to back up');
    await app.press('?');
    const help = await app.waitFor('Keys on the backups screen');
    expect(help).toMatch(/b\s+\(unavailable: needs create pods\/exec in development\) back up now: /);
    expect(help).toMatch(/r\s+\(unavailable: needs create pods\/exec in development\) restore the selected backup/);
    expect(help).toMatch(/d\s+delete the selected backup file/);
  });

  it('works as before when the review allows it, or without -k', async () => {
    app = renderApp({ screen: 'backups', target: K8S, patch: backups({ ...noExec, rules: [{ verbs: ['*'], apiGroups: [''], resources: ['*'] }] }) });
    await app.waitFor(/b backup\s+r restore\s+t verify\s+d delete/);
    await app.press('b');
    await app.waitFor('What to back up');
    app.unmount();
    app = renderApp({ screen: 'backups', patch: backups(null) });
    await app.waitFor(/b backup\s+r restore\s+t verify\s+d delete/);
  });
});
