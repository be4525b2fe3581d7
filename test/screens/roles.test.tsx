// The roles screen as a user sees it: roles, a role's privileges, the
// security audit (A), and the questions and confirmation of n and P.
import { afterEach, describe, expect, it } from 'vitest';
import { cleanServer, fact, hbaRule, role, rolesState, settings } from '../support/roles-fixtures.js';
import { renderApp, type RenderedApp } from '../support/render-app.js';

let app: RenderedApp | undefined;
afterEach(() => app?.unmount());

const withFindings = rolesState({
  roles: [
    ...cleanServer.roles,
    role({ name: 'Ops "Admin"', superuser: true, createRole: true }),
    role({ name: 'legacy', validUntil: 1_800_000_000 }),
  ],
  facts: [...cleanServer.facts, fact({ kind: 'grant', objectType: 'schema', schema: 'public', role: 'PUBLIC', privilege: 'CREATE' })],
  passwords: [...cleanServer.passwords, { role: 'Ops "Admin"', kind: 'scram-sha-256' }, { role: 'legacy', kind: 'md5' }],
  hba: [hbaRule({ line: 89, type: 'local', address: null, netmask: null, method: 'trust' })],
});

describe('roles screen', () => {
  it('lists the roles with their attributes, marks the connected one, and sums up the audit', async () => {
    app = renderApp({ screen: 'roles', patch: withFindings });
    const frame = await app.waitFor('ATTRIBUTES');
    expect(frame).toMatch(/\*postgres\s+superuser login\s/);
    expect(frame).toMatch(/Ops "Admin"\s+superuser login\s/);
    expect(frame).toMatch(/app\s+login\s+readers\s+low/);
    expect(frame).toMatch(/legacy\s+login\s+2027-01-15/);
    expect(frame).toMatch(/readers/);
    expect(frame).toContain('security audit: 2 high · 2 medium · 2 low · 1 info — A shows it');
    expect(frame).toMatch(/Enter details\s+p pause\s+n new\s+P passwd/);
  });

  it("Enter shows a role's privileges, default privileges, memberships and what it owns", async () => {
    app = renderApp({ screen: 'roles', patch: withFindings });
    await app.waitFor('ATTRIBUTES');
    await app.press('/', 'a', 'p', 'p', 'enter');
    await app.waitFor(/1\/1/);
    await app.press('enter');
    const frame = await app.waitFor('Roles: details');
    expect(frame).toMatch(/member of\s+readers/);
    expect(frame).toMatch(/settings\s+in shop: search_path=app_data, public/);
    expect(frame).toMatch(/databases\s+CONNECT on database shop/);
    expect(frame).toMatch(/schemas\s+USAGE on schema public/);
    expect(frame).toMatch(/tables\s+SELECT, INSERT, UPDATE, DELETE on 12\/12 tables in public/);
    expect(frame).toMatch(/default privileges\s+SELECT, INSERT on tables postgres creates in public/);
    expect(frame).toMatch(/via readers\s+SELECT on 3\/12 tables in public/);
    expect(frame).toMatch(/via PUBLIC\s+CREATE on schema public/);
    expect(frame).toMatch(/password\s+scram-sha-256; never expires/);
  });

  it('at 80x24, long details wrap under their label and scroll with the arrows and pages, nothing cut off', async () => {
    // A role with grants in 30 schemas: far more than 24 rows once wrapped.
    const schemas = Array.from({ length: 30 }, (_, i) => `tenant_${String(i).padStart(2, '0')}`);
    const patch = rolesState({
      roles: [...cleanServer.roles, role({ name: 'wide' })],
      facts: [
        ...cleanServer.facts,
        ...schemas.map((schema) => fact({ kind: 'grant', objectType: 'schema', schema, role: 'wide', privilege: 'USAGE' })),
        ...schemas.map((schema) => fact({ kind: 'grant', objectType: 'table', schema, role: 'wide', privilege: 'SELECT', objects: 4, total: 4 })),
      ],
    });
    app = renderApp({ screen: 'roles', patch });
    await app.resize(80, 24);
    await app.waitFor('ATTRIBUTES');
    await app.press('/', 'w', 'i', 'd', 'e', 'enter');
    await app.waitFor(/1\/1/);
    await app.press('enter');
    let frame = await app.waitFor(/lines 1–\d+ of \d+/);
    const total = Number(/of (\d+) ·/.exec(frame)![1]);
    expect(total).toBeGreaterThan(24);
    for (const line of frame.split('\n')) expect(line.length).toBeLessThanOrEqual(80);
    // Every schema shows up somewhere as the user pages down: none is cut off by a "…".
    const seen = new Set<string>();
    for (let page = 0; page < 20 && seen.size < schemas.length; page++) {
      for (const m of frame.matchAll(/tenant_\d\d/g)) seen.add(m[0]);
      await app.press('pagedown');
      frame = await app.waitFor('Roles: details');
    }
    expect([...seen].sort()).toEqual(schemas);
    expect(frame).toMatch(new RegExp(`lines \\d+–${total} of ${total}`));
    await app.press('home');
    frame = await app.waitFor(/lines 1–/);
    expect(frame).toMatch(/role\s+"?wide/);
    await app.press('escape');
    await app.waitFor('ATTRIBUTES');
  });

  it('A shows the audit worst first; Enter shows the evidence and the fix; A goes back', async () => {
    app = renderApp({ screen: 'roles', patch: withFindings });
    await app.waitFor('ATTRIBUTES');
    await app.press('A');
    let frame = await app.waitFor('SEVERITY');
    const lines = frame.split('\n').filter((l) => /^(high|medium|low|info|unchecked)\s/.test(l));
    expect(lines.map((l) => l.split(/\s+/)[0])).toEqual(['high', 'high', 'medium', 'medium', 'low', 'low', 'info']);
    expect(frame).toMatch(/high\s+superuser that can log in\s+Ops "Admin"/);
    expect(frame).toMatch(/high\s+PUBLIC may CREATE in a schema\s+schema public/);
    expect(frame).toMatch(/medium\s+md5 password hash\s+legacy/);
    expect(frame).toContain('checked as "postgres" (superuser)');
    await app.press('down', 'enter');
    frame = await app.waitFor('the fix as SQL');
    expect(frame).toContain('PUBLIC has CREATE on schema "public" in database "shop"');
    expect(frame).toContain('REVOKE CREATE ON SCHEMA "public" FROM PUBLIC;');
    expect(frame).toMatch(/why it matters\s+any role can plant tables/);
    await app.press('escape', 'A');
    await app.waitFor('ATTRIBUTES');
  });

  it('says which checks it could not run without superuser', async () => {
    app = renderApp({
      screen: 'roles',
      patch: rolesState({
        roles: cleanServer.roles,
        server: settings({ user: 'watcher', superuser: false, canReadAuthid: false, canReadHba: false }),
        passwords: 'denied',
        hba: 'denied',
      }),
    });
    await app.waitFor('ATTRIBUTES');
    await app.press('A');
    const frame = await app.waitFor('SEVERITY');
    expect(frame).toMatch(/unchecked\s+stored passwords not checked\s+pg_authid/);
    expect(frame).toMatch(/unchecked\s+pg_hba.conf not checked\s+pg_hba.conf/);
    expect(frame).toContain('checked as "watcher";');
  });

  it('n asks name, profile, schema and password (typed as dots), then shows the statements with the password redacted', async () => {
    app = renderApp({ screen: 'roles', patch: withFindings });
    await app.waitFor('ATTRIBUTES');
    await app.press('n');
    await app.waitFor('(1/4) role name');
    await app.press('p', 'g', '_', 'x', 'enter');
    await app.waitFor("names starting with pg_ are reserved for PostgreSQL's own roles");
    await app.press('backspace', 'backspace', 'backspace', 'backspace', ...`It's "reporting"`.split(''), 'enter');
    let frame = await app.waitFor('(2/4) profile');
    expect(frame).toMatch(/1 read-write application user[\s\S]*2 read-only reporting user[\s\S]*3 monitoring user: pg_monitor/);
    await app.press('2', 'enter');
    frame = await app.waitFor('(3/4) schema');
    expect(frame).toContain('> public');
    await app.press('enter');
    await app.waitFor('(4/4) password');
    await app.press(...'secret pass phrase'.split(''));
    frame = await app.waitFor('••••••••••••••••••');
    expect(frame).not.toContain('secret pass');
    await app.press('enter');
    frame = await app.waitFor('will run');
    expect(frame).toContain(`Create role "It's ""reporting""" (read-only)?`);
    expect(frame).toContain(`CREATE ROLE "It's ""reporting""" LOGIN PASSWORD '‹redacted›';`);
    expect(frame).toContain(`GRANT SELECT ON ALL TABLES IN SCHEMA "public" TO "It's ""reporting""";`);
    expect(frame).toContain('password: the one you typed; sent as a SCRAM-SHA-256 verifier');
    expect(frame).not.toContain('secret pass');
    await app.press('n');
    frame = await app.waitFor('not run:');
    expect(frame).not.toContain('secret pass');
  });

  it('P aims at the selected role, also from an audit finding; --read-only refuses n and P', async () => {
    app = renderApp({ screen: 'roles', patch: withFindings });
    await app.waitFor('ATTRIBUTES');
    await app.press('A', 'down', 'down', 'P');
    let frame = await app.waitFor('password: Enter to generate');
    expect(frame).toContain('Set a new password for role "legacy"?');
    await app.press('enter');
    frame = await app.waitFor('will run');
    expect(frame).toContain(`ALTER ROLE "legacy" PASSWORD '‹redacted›';`);
    expect(frame).toContain('password: generated, shown once when it is set');
    await app.press('n', 'up', 'P');
    frame = await app.waitFor('refused: this finding is not about a role');
    app.unmount();

    app = renderApp({ screen: 'roles', readOnly: true, patch: withFindings });
    await app.waitFor('ATTRIBUTES');
    await app.press('n');
    await app.waitFor('read-only mode: refused to run CREATE ROLE');
    await app.press('P');
    frame = await app.waitFor('read-only mode: refused to run ALTER ROLE');
    expect(frame).not.toContain('password: Enter to generate');
  });
});
