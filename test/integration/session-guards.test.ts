// Every connection pgtop opens runs with a search_path that holds no schema
// another role can write, whatever the database or the role says: a planted
// function in public is never picked, even where it is the better match.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveConnection } from '../../src/db/connection-options.js';
import { openConnection, type PgConnection } from '../../src/db/connection.js';
import { connect, createScratchDatabase, pgInfo, type ScratchDatabase } from '../support/pg.js';

describe('the guards every connection starts with', () => {
  let scratch: ScratchDatabase;
  let session: PgConnection | undefined;

  beforeAll(async () => {
    scratch = await createScratchDatabase('guards');
    const admin = await connect({ database: scratch.name });
    try {
      // What a database owner may do: steer every session of the database to public first.
      await admin.query(`ALTER DATABASE ${admin.escapeIdentifier(scratch.name)} SET search_path = public, pg_catalog`);
      // An exact match beats pg_catalog.format(text, VARIADIC "any") wherever public is searched.
      await admin.query(`CREATE FUNCTION public.format(text, name, name) RETURNS text LANGUAGE sql AS $$ SELECT 'planted' $$`);
      await admin.query('CREATE TABLE public.accounts (id int)');
    } finally {
      await admin.end();
    }
  });

  afterAll(async () => {
    await session?.close();
    await scratch?.drop();
  });

  it('runs with search_path pg_catalog, pg_temp and row_security off, and never picks the planted function', async () => {
    const info = pgInfo();
    const connection = resolveConnection(
      { host: info.host, port: String(info.port), username: info.user, dbname: scratch.name },
      { PGPASSWORD: info.password, PGSSLMODE: 'disable' },
    );
    session = await openConnection(connection, { purpose: 'monitor' });
    const settings = await session.client.query<{ path: string; rls: string; formatted: string }>(
      "SELECT current_setting('search_path') AS path, current_setting('row_security') AS rls, format('%I.%I', 'public'::name, 'accounts'::name) AS formatted",
    );
    expect(settings.rows[0]).toEqual({ path: 'pg_catalog, pg_temp', rls: 'off', formatted: 'public.accounts' });
    // The same query from a plain client (the database's own search_path) does pick it: the plant is real.
    const plain = await connect({ database: scratch.name });
    try {
      const hijacked = await plain.query<{ formatted: string }>("SELECT format('%I.%I', 'public'::name, 'accounts'::name) AS formatted");
      expect(hijacked.rows[0]!.formatted).toBe('planted');
    } finally {
      await plain.end();
    }
  });
});
