// The built binary in a real terminal: `n` on the roles screen creates a
// read-only reporting user exactly as a new user would (80x24), the password
// shown once works, and the role can read but not write; `A` shows the audit.
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { BIN, cleanEnv, serverArgs } from '../support/binary.js';
import { connect, createScratchDatabase, pgInfo } from '../support/pg.js';
import { loginAs, outcome } from '../support/roles-server.js';
import { startTmux, type TmuxSession } from '../support/tmux.js';

let session: TmuxSession | undefined;
afterEach(async () => {
  await session?.kill();
  session = undefined;
});

describe('roles screen in a terminal', () => {
  it('n creates a read-only user whose password is shown once and works; A shows the audit', { timeout: 40_000 }, async () => {
    const db = await createScratchDatabase('e2e_roles');
    const role = `Reporting O'Neil ${randomBytes(2).toString('hex')}`;
    const admin = await connect({ database: db.name });
    try {
      await admin.query("CREATE TABLE sales (id int, amount numeric); INSERT INTO sales VALUES (1, 9.5)");
      const { args, env } = serverArgs(db.name);
      session = await startTmux({
        command: [process.execPath, BIN, ...args, '--screen', 'roles'],
        env: { ...(cleanEnv() as Record<string, string>), TERM: 'xterm-256color', ...env },
        cols: 80,
        rows: 24,
      });
      await session.waitForText('security audit:');
      await session.sendText('n');
      await session.waitForText('(1/4) role name');
      await session.sendText(role);
      await session.sendKey('Enter');
      await session.waitForText('(2/4) profile');
      await session.sendText('2');
      await session.sendKey('Enter');
      await session.waitForText('(3/4) schema');
      await session.sendKey('Enter');
      await session.waitForText('(4/4) password');
      await session.sendKey('Enter');
      let screen = await session.waitForText('y to run it');
      expect(screen).toContain(`LOGIN PASSWORD '‹redacted›';`);
      expect(screen).toContain(`GRANT SELECT ON ALL TABLES IN SCHEMA "public" TO "${role}";`);
      await session.sendText('y');
      screen = await session.waitForText('shown only this once');
      const password = screen.match(/│ ([A-Za-z0-9_-]{32})\s+│/)?.[1];
      expect(password, screen).toBeDefined();

      // The role exists, holds a SCRAM verifier, reads and cannot write.
      const stored = await admin.query('SELECT rolpassword FROM pg_authid WHERE rolname = $1', [role]);
      expect(stored.rows[0].rolpassword).toMatch(/^SCRAM-SHA-256\$4096:/);
      const reader = await loginAs(pgInfo(), role, password!, db.name);
      try {
        expect((await reader.query('SELECT amount FROM sales')).rows).toEqual([{ amount: '9.5' }]);
        expect(await outcome(reader, 'INSERT INTO sales VALUES (2, 1)')).toBe('42501');
      } finally {
        await reader.end();
      }

      // Any key closes the box for good; the role is in the list, and A shows the audit.
      await session.sendText('x');
      screen = await session.waitForText('ATTRIBUTES');
      expect(screen).toContain(`created role "${role}" (read-only)`);
      expect(screen).not.toContain(password!);
      await session.waitForText(role.slice(0, 18));
      await session.sendText('A');
      screen = await session.waitForText('SEVERITY');
      expect(screen).toMatch(/medium\s+pg_hba.conf rule with trust/);
      await session.sendText('q');
      expect(await session.waitForExit(5_000)).toBe(0);
    } finally {
      await admin.query(`DROP OWNED BY ${admin.escapeIdentifier(role)}`).catch(() => undefined);
      await admin.end();
      await db.drop();
      const cleanup = await connect();
      await cleanup.query(`DROP ROLE IF EXISTS ${cleanup.escapeIdentifier(role)}`);
      await cleanup.end();
    }
  });
});
