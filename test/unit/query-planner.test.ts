// The planner that picks a query's SQL: by server version, or (pg_stat_statements)
// by what its deciding query says, asked once per connection and again when needed,
// with the extension's schema named in the SQL, never looked up through search_path.
import { describe, expect, it } from 'vitest';
import type { PgConnection } from '../../src/db/connection.js';
import { sqlFor } from '../../src/db/registry.js';
import { DECIDER_TTL_MS, EXTENSION_SCHEMA, QueryPlanner, withExtensionSchema } from '../../src/db/variants.js';

/** The statements SQL of that variant, on the extension in schema public. */
const inPublic = (variant: number) => sqlFor('statements', variant).replaceAll(EXTENSION_SCHEMA, '"public"');

/** A session whose server answers the status query from `status` and records what it was asked. */
function fakeSession(status: { installed_version: string | null; preload_libraries: string | null; schema_name?: string | null }) {
  const asked: string[] = [];
  const session = {
    serverVersionNum: 150000,
    client: {
      query: async (sql: string) => {
        asked.push(sql);
        return { rows: [{ database: 'shop', available_version: '1.10', sees_all: true, schema_name: status.installed_version ? 'public' : null, ...status }] };
      },
    },
  } as unknown as PgConnection;
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
    expect(first.sql).toBe(inPublic(10700));
    expect(first.decided?.id).toBe('statementsExtension');
    expect(asked).toHaveLength(1);
    expect((await planner.plan(session, 'statements')).decided).toBeUndefined();
    expect(asked).toHaveLength(1);
    now += DECIDER_TTL_MS;
    await planner.plan(session, 'statements');
    expect(asked).toHaveLength(2);
    // Another connection (a reconnect) asks again.
    const other = fakeSession({ installed_version: '1.10', preload_libraries: 'pg_stat_statements' });
    expect((await planner.plan(other.session, 'statements')).sql).toBe(inPublic(11000));
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

  it('names pg_stat_statements by the schema it is installed in, quoted, and reads it from no other', async () => {
    const { session } = fakeSession({ installed_version: '1.10', preload_libraries: 'pg_stat_statements', schema_name: 'stats "x"; DROP' });
    const sql = (await new QueryPlanner().plan(session, 'statements')).sql!;
    expect(sql).toContain('FROM "stats ""x""; DROP".pg_stat_statements(false) s');
    expect(sql).not.toContain(EXTENSION_SCHEMA);
    // Every SQL file that reads the extension names its schema: none leaves it to search_path.
    for (const variant of [10400, 10800, 10900, 11100]) {
      for (const id of ['statements', 'statementTexts'] as const) {
        expect(sqlFor(id, variant)).toMatch(/@extschema@\.pg_stat_statements\((false|true)\)/);
        const code = sqlFor(id, variant).replace(/^--.*$/gm, '');
        expect(code.replaceAll('@extschema@.pg_stat_statements', '')).not.toMatch(/pg_stat_statements/);
      }
    }
    expect(withExtensionSchema('SELECT 1', null)).toBe('SELECT 1');
    expect(withExtensionSchema('SELECT * FROM @extschema@.f()', null)).toBeNull();
  });

  it('asks once for the statements and their texts together: the texts query follows the same answer', async () => {
    const { session, asked } = fakeSession({ installed_version: '1.8', preload_libraries: 'pg_stat_statements' });
    const planner = new QueryPlanner();
    await planner.plan(session, 'statements');
    const texts = await planner.plan(session, 'statementTexts');
    expect(asked).toHaveLength(1);
    expect(texts.decided).toBeUndefined();
    expect(texts.sql).toBe(sqlFor('statementTexts', 10800).replaceAll(EXTENSION_SCHEMA, '"public"'));
    expect(texts.sql).not.toContain('toplevel bool');
    expect((await planner.plan(fakeSession({ installed_version: '1.10', preload_libraries: null }).session, 'statementTexts')).sql).toContain('s.toplevel = k.toplevel');
  });
});
