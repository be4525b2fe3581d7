import { afterEach, describe, expect, it } from 'vitest';
import { connectedWith, participant } from '../support/fixtures.js';
import { renderApp, type RenderedApp } from '../support/render-app.js';

let app: RenderedApp | undefined;
afterEach(() => app?.unmount());

const chain = [
  participant({ pid: 200, state: 'idle in transaction', query: 'UPDATE accounts SET balance = 0 WHERE id = 1', xactSeconds: 120 }),
  participant({ pid: 201, blockedBy: [200], lockType: 'transactionid', mode: 'ShareLock', relation: 'accounts', waitSeconds: 65 }),
  participant({ pid: 202, blockedBy: [201], lockType: 'tuple', mode: 'ExclusiveLock', relation: 'accounts', waitSeconds: 30 }),
];

describe('locks screen', () => {
  it('shows the blocker with its waiters under it: lock mode, relation and how long each waits', async () => {
    app = renderApp({ screen: 'locks', patch: connectedWith([], chain) });
    await app.resize(140, 30);
    const frame = await app.waitFor('RELATION');
    const lines = frame.split('\n');
    const blocker = lines.findIndex((l) => /^200\s/.test(l));
    expect(blocker).toBeGreaterThan(0);
    expect(lines[blocker]).toContain('idle in tx');
    expect(lines[blocker]).toContain('blocks 2');
    expect(lines[blocker + 1]).toMatch(/^└ 201\s.*Share\s+transactionid\s+accounts\s+1m05s/);
    expect(lines[blocker + 2]).toMatch(/^\s+└ 202\s.*Exclusive\s+tuple\s+accounts\s+30s/);
  });

  it('puts a prepared transaction at the root with its gid, owner and age, the waiter under it; X asks to roll it back in its database', async () => {
    const prepared = [
      participant({ pid: 0, kind: 'prepared', prepared: { gid: 'order-77', xid: '745' }, user: 'alice', database: 'shop', state: 'prepared', xactSeconds: 125, query: '' }),
      participant({ pid: 301, blockedByPrepared: ['order-77'], lockType: 'transactionid', mode: 'ShareLock', relation: 'accounts', waitSeconds: 20 }),
      // pg_blocking_pids() said 0 and no prepared transaction matched: under an unknown holder, not a root.
      participant({ pid: 302, blockedByUnknown: true, lockType: 'transactionid', mode: 'ShareLock', waitSeconds: 5 }),
    ];
    app = renderApp({ screen: 'locks', patch: connectedWith([], prepared) });
    await app.resize(140, 30);
    const frame = await app.waitFor('RELATION');
    const lines = frame.split('\n');
    const root = lines.findIndex((l) => /^prepared\s/.test(l));
    expect(lines[root]).toMatch(/^prepared\s+alice\s+shop\s+prepared\s+blocks 1\s+.*2m05s\s+prepared 'order-77' · xid 745/);
    expect(lines[root + 1]).toMatch(/^└ 301\s.*Share\s+transactionid\s+accounts\s+20s/);
    const unknown = lines.findIndex((l) => /^unknown\s/.test(l));
    expect(lines[unknown]).toMatch(/^unknown\s+\?\s+blocks 1\s+.*unknown holder: no session/);
    expect(lines[unknown + 1]).toMatch(/^└ 302\s/);
    expect(frame).not.toMatch(/^30[12]\s/m);
    await app.press('X');
    const confirm = await app.waitFor('will run');
    expect(confirm).toContain("Roll back prepared transaction 'order-77'");
    expect(confirm).toContain("will run: ROLLBACK PREPARED 'order-77';");
    expect(confirm).toMatch(/database shop/);
    expect(confirm).toMatch(/blocks\s+1 session/);
    await app.press('n', 'j', 'X');
    await app.waitFor('nothing selected to act on');
  });

  it('says so when nobody waits', async () => {
    app = renderApp({ screen: 'locks', patch: connectedWith([], []) });
    await app.waitFor('no session is waiting on a lock');
  });

  it('K on the blocker asks first, showing pid, user and query and the exact statement', async () => {
    app = renderApp({ screen: 'locks', patch: connectedWith([], chain) });
    await app.waitFor('Share');
    await app.press('K');
    const frame = await app.waitFor('will run');
    expect(frame).toContain('Terminate backend pid 200');
    expect(frame).toMatch(/user\s+app/);
    expect(frame).toContain('UPDATE accounts SET balance = 0 WHERE id = 1');
    expect(frame).toContain('SELECT pg_terminate_backend(200);');
    await app.press('n');
    const after = await app.waitFor('not run: SELECT pg_terminate_backend(200);');
    expect(after).toContain('blocks 2');
  });

  it('refuses to terminate pgtop\'s own session', async () => {
    app = renderApp({ screen: 'locks', patch: connectedWith([], chain, [200]) });
    await app.waitFor('Share');
    await app.press('K');
    await app.waitFor("refused: pid 200 is pgtop's own connection");
  });

  it('refuses every action under --read-only, with a message', async () => {
    app = renderApp({ screen: 'locks', readOnly: true, patch: connectedWith([], chain) });
    await app.waitFor('Share');
    await app.press('j', 'c');
    const frame = await app.waitFor('read-only mode: refused to run SELECT pg_cancel_backend(201);');
    expect(frame).not.toContain('will run');
  });

  it('shows a failed action verbatim in the status line and keeps the dashboard', async () => {
    app = renderApp({ screen: 'locks', patch: connectedWith([], chain) });
    await app.waitFor('Share');
    await app.press('K', 'y');
    const frame = await app.waitFor('failed: no server in this test');
    expect(frame).toContain('blocks 2');
  });
});
