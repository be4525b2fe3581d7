// The planner that picks a query's SQL: by server version, or (pg_stat_statements)
// by what its deciding query says, asked once per connection and again when needed.
import { describe, expect, it } from 'vitest';
import type { DbSession } from '../../src/db/connection.js';
import { sqlFor } from '../../src/db/registry.js';
import { DECIDER_TTL_MS, QueryPlanner } from '../../src/db/variants.js';

/** A session whose server answers the status query from `status` and records what it was asked. */
function fakeSession(status: { installed_version: string | null; preload_libraries: string | null }) {
  const asked: string[] = [];
  const session = {
    serverVersionNum: 150000,
    client: {
      query: async (sql: string) => {
        asked.push(sql);
        return { rows: [{ database: 'shop', available_version: '1.10', sees_all: true, ...status }] };
      },
    },
  } as unknown as DbSession;
  return { session, asked };
}

describe('QueryPlanner', () => {
  it('picks by server version for ordinary queries, without asking the server', async () => {
    const { session, asked } = fakeSession({ installed_version: '1.10', preload_libraries: 'pg_stat_statements' });
    const plan = await new QueryPlanner().plan(session, 'locks');
    expect(plan).toEqual({ sql: sqlFor('locks', 150000) });
    expect(asked).toEqual([]);
  });

  it('asks the extension status once per connection, then remembers it until the TTL passes', async () => {
    const { session, asked } = fakeSession({ installed_version: '1.7', preload_libraries: 'pg_stat_statements' });
    let now = 1_000;
    const planner = new QueryPlanner(() => now);
    const first = await planner.plan(session, 'statements');
    expect(first.sql).toBe(sqlFor('statements', 10700));
    expect(first.decided?.id).toBe('statementsExtension');
    expect(asked).toHaveLength(1);
    expect((await planner.plan(session, 'statements')).decided).toBeUndefined();
    expect(asked).toHaveLength(1);
    now += DECIDER_TTL_MS;
    await planner.plan(session, 'statements');
    expect(asked).toHaveLength(2);
    // Another connection (a reconnect) asks again.
    const other = fakeSession({ installed_version: '1.10', preload_libraries: 'pg_stat_statements' });
    expect((await planner.plan(other.session, 'statements')).sql).toBe(sqlFor('statements', 11000));
  });

  it('asks every time while the extension cannot be read, and runs nothing', async () => {
    const { session, asked } = fakeSession({ installed_version: null, preload_libraries: 'pg_stat_statements' });
    const planner = new QueryPlanner();
    expect((await planner.plan(session, 'statements')).sql).toBeNull();
    expect((await planner.plan(session, 'statements')).sql).toBeNull();
    expect(asked).toHaveLength(2);
  });

  it('decides again after forget(), and knows which errors mean the SQL no longer fits', async () => {
    const { session, asked } = fakeSession({ installed_version: '1.9', preload_libraries: 'pg_stat_statements' });
    const planner = new QueryPlanner();
    await planner.plan(session, 'statements');
    planner.forget(session, 'statements');
    await planner.plan(session, 'statements');
    expect(asked).toHaveLength(2);
    expect(QueryPlanner.isStale({ code: '42703' })).toBe(true);
    expect(QueryPlanner.isStale({ code: '57014' })).toBe(false);
  });
});
