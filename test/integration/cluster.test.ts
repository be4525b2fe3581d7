// Proves the test harness itself: the run's throwaway cluster is real,
// has pg_stat_statements, insists on passwords, and hands out databases.
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type pg from 'pg';

import { connect, createScratchDatabase, pgInfo, waitFor } from '../support/pg.js';

describe('throwaway cluster', () => {
  const clients: pg.Client[] = [];
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.end()));
  });
  const open = async (options?: Parameters<typeof connect>[0]) => {
    const client = await connect(options);
    clients.push(client);
    return client;
  };

  it('answers SELECT 1 with the version it announced', async () => {
    const client = await open();
    const { rows } = await client.query<{ one: number; version: string }>(
      "SELECT 1 AS one, current_setting('server_version_num') AS version",
    );
    expect(rows[0]?.one).toBe(1);
    expect(Number(rows[0]?.version)).toBe(pgInfo().serverVersionNum);
    expect(pgInfo().majorVersion).toBe(Math.floor(pgInfo().serverVersionNum / 10000));
  });

  it('records statements in pg_stat_statements', async () => {
    const client = await open();
    const marker = `pgtop_marker_${randomBytes(4).toString('hex')}`;
    await client.query(`SELECT 42 AS ${marker}`);
    const calls = await waitFor(
      async () => {
        const { rows } = await client.query<{ calls: string }>(
          'SELECT calls FROM pg_stat_statements WHERE query LIKE $1',
          [`%${marker}%`],
        );
        return rows[0]?.calls;
      },
      { what: `the marker query in pg_stat_statements`, timeoutMs: 5_000 },
    );
    expect(Number(calls)).toBe(1);
  });

  it('refuses a wrong password (scram-sha-256)', async () => {
    await expect(open({ password: 'not-the-password' })).rejects.toMatchObject({ code: '28P01' });
  });

  it('creates and drops scratch databases', async () => {
    const scratch = await createScratchDatabase('harness');
    expect(scratch.name).toMatch(/^harness_[0-9a-f]{8}$/);
    const inside = await open({ database: scratch.name });
    const { rows } = await inside.query<{ db: string }>('SELECT current_database() AS db');
    expect(rows[0]?.db).toBe(scratch.name);

    // A session still inside must not stop the drop.
    await scratch.drop();
    await scratch.drop();
    const admin = await open();
    const { rowCount } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [scratch.name]);
    expect(rowCount).toBe(0);
  });

  it('times out waitFor with the name of what it waited for', async () => {
    await expect(waitFor(async () => false, { what: 'godot', timeoutMs: 200, intervalMs: 50 })).rejects.toThrow(
      /waiting for godot/,
    );
  });
});
