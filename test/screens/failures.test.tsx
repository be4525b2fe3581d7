// A failed query never looks like an empty one: the screen says the error
// where its rows would be, or above the last good rows, marked stale; a
// query the role may not run says so, unless the screen does without it.
import { afterEach, describe, expect, it } from 'vitest';
import type { PgtopState } from '../../src/store/store.js';
import { backend, connectedWith } from '../support/fixtures.js';
import { connectedWithResults, result, tableSize } from '../support/maintenance-fixtures.js';
import { cleanServer } from '../support/roles-fixtures.js';
import { renderApp, type RenderedApp } from '../support/render-app.js';

let app: RenderedApp | undefined;
afterEach(() => app?.unmount());

const failed = (error: string, rows: unknown[] = [], updatedAt = 0) => ({ rows, updatedAt, error, disabled: null });

describe('a screen whose query failed', () => {
  it('says the error where the rows would be, not "no tables"', async () => {
    app = renderApp({ screen: 'sizes', patch: connectedWithResults({ sizeTables: failed('table sizes failed: ERROR: planted function says no') as never }) });
    const frame = await app.waitFor('planted function says no');
    expect(frame).toContain('table sizes failed: ERROR: planted function says no');
    expect(frame).not.toContain('no tables in this database');
    // Where the rows would be: right under the column titles.
    const lines = frame.split('\n');
    const titles = lines.findIndex((l) => /TABLE\s+ROWS~/.test(l));
    expect(lines[titles + 1]).toContain('table sizes failed');
  });

  it('keeps the last good rows under the error, saying how old they are', async () => {
    const rows = [backend({ pid: 4242, user: 'alice', query: 'SELECT 42' })];
    app = renderApp({
      patch: (s: PgtopState) => {
        connectedWith(rows)(s);
        s.data.results.activity = failed('activity took longer than the monitor\'s statement_timeout; trying again in 30 s', rows, Date.now() - 65_000) as never;
      },
    });
    const frame = await app.waitFor('statement_timeout');
    expect(frame).toMatch(/stale rows \(1m0[56]s old\): activity took longer than the monitor's statement_timeout/);
    const lines = frame.split('\n');
    const error = lines.findIndex((l) => l.includes('statement_timeout'));
    const row = lines.findIndex((l) => l.includes('4242'));
    expect(error).toBeGreaterThan(0);
    expect(row).toBeGreaterThan(error);
  });

  it('a failure of another of the screen\'s queries shows above its rows, without calling them stale', async () => {
    app = renderApp({
      screen: 'bloat',
      patch: connectedWithResults({
        bloatTables: result([]),
        bloatOverview: failed('autovacuum settings and XID age failed: ERROR: boom') as never,
        bloatProgress: result([]),
      }),
    });
    const frame = await app.waitFor('boom');
    expect(frame).not.toContain('no tables in this database');
    expect(frame).not.toContain('stale');
  });

  it('a query switched off for lack of privilege says so in place of the rows', async () => {
    const hidden = 'table sizes is hidden: this role lacks the privilege (permission denied for function pg_relation_size); grant pg_monitor to see it';
    app = renderApp({ screen: 'sizes', patch: connectedWithResults({ sizeTables: { rows: [], updatedAt: 0, error: 'x', disabled: hidden } }) });
    const frame = (await app.waitFor('is hidden')).replace(/\s+/g, ' ');
    expect(frame).toContain('table sizes is hidden: this role lacks the privilege');
    expect(frame).not.toContain('no tables in this database');
  });

  it('the roles screen does without pg_authid and pg_hba_file_rules: no failure, the audit says what it could not check', async () => {
    const refused = (what: string) => ({ rows: [], updatedAt: 0, error: 'permission denied', disabled: `${what} is hidden: this role lacks the privilege (permission denied); grant pg_monitor to see it` });
    app = renderApp({
      screen: 'roles',
      patch: connectedWithResults({
        roles: result(cleanServer.roles),
        rolesPrivileges: result(cleanServer.facts),
        rolesServer: result([{ ...cleanServer.server, superuser: false, canReadAuthid: false, canReadHba: false }]),
        rolesPasswords: refused('stored passwords'),
        rolesHba: refused('pg_hba.conf rules'),
      }),
    });
    const frame = await app.waitFor('ROLE');
    expect(frame).not.toContain('is hidden');
    expect(frame).toContain('app');
    await app.press('A');
    expect(await app.waitFor('unchecked')).toContain('unchecked');
  });

  it('before the first rows, a connection that is down says so instead of "loading…" for ever', async () => {
    app = renderApp({
      screen: 'sizes',
      patch: (s) => {
        s.connection = { ...s.connection, state: 'reconnecting', lastError: 'connect ECONNREFUSED 127.0.0.1:5432', retryAt: Date.now() + 3_000 };
      },
    });
    const frame = await app.waitFor('not loaded yet');
    expect(frame).toContain('not loaded yet: the connection is down (connect ECONNREFUSED 127.0.0.1:5432)');
    expect(frame).not.toContain('loading…');
  });

  it('a good refresh after a failure shows the rows and no error', async () => {
    app = renderApp({ screen: 'sizes', patch: connectedWithResults({ sizeTables: failed('table sizes failed: ERROR: boom') as never }) });
    await app.waitFor('boom');
    app.store.setState((s) => ({ data: { ...s.data, results: { ...s.data.results, sizeTables: result([tableSize({ table: 'orders' })]) } } }));
    const frame = await app.waitFor('orders');
    expect(frame).not.toContain('boom');
  });
});
