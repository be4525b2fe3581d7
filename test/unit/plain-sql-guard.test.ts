// pgtop's own check of a plain SQL file that it did not make, without a
// server: what psql would read as a meta-command is refused with its line,
// what psql would read as SQL or COPY data passes, and where the file could be
// read two ways (standard_conforming_strings, a client encoding that hides
// bytes, psql variables) the strict mode — for a psql without \restrict —
// refuses. The restore itself is tested on a real server in
// test/integration/restore-gate.test.ts.
import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { describe, expect, it } from 'vitest';
import { PlainSqlRefused, PlainSqlScanner, plainSqlGuard, psqlHasRestrict, type GuardMode } from '../../src/backup/plain-sql-guard.js';

/** What psql would be given, or the refusal ("line N: …"). */
function read(sql: string, mode: GuardMode = 'strict'): string {
  const scanner = new PlainSqlScanner(mode);
  const lines = sql.match(/[^\n]*\n|[^\n]+$/g) ?? [];
  try {
    // The scanner reads bytes (one latin1 character each), as psql's lexer does.
    return Buffer.from(lines.map((l) => scanner.line(Buffer.from(l, 'utf8').toString('latin1'))).join(''), 'latin1').toString('utf8');
  } catch (error) {
    if (error instanceof PlainSqlRefused) return `refused ${error.message}`;
    throw error;
  }
}

// What pg_dump 15.18 writes for a table with a backslash in a value, a NULL,
// and a function with a SQL-standard body (BEGIN ATOMIC … END across lines).
const PG_DUMP = [
  '--',
  '-- PostgreSQL database dump',
  '--',
  '',
  '\\restrict iEVeIQC72e3kYp35LtWwI5l6TSM2mAHoL9YREp9TQgUtywCcn06gCWX1gHugbd9',
  '',
  "SET client_encoding = 'UTF8';",
  'SET standard_conforming_strings = on;',
  "SELECT pg_catalog.set_config('search_path', '', false);",
  'CREATE FUNCTION public.f() RETURNS integer',
  '    LANGUAGE sql',
  '    BEGIN ATOMIC',
  ' SELECT 1;',
  'END;',
  "COMMENT ON TABLE public.t IS 'it''s \"quoted\" -- not a comment';",
  'CREATE FUNCTION public.g() RETURNS text LANGUAGE plpgsql AS $_$',
  "BEGIN RETURN '\\! not a command: in a dollar quote'; END $_$;",
  'COPY public.t (a, b) FROM stdin;',
  '1\tx\\\\y',
  '2\t\\N',
  '3\t\\! data, not a command',
  '\\.',
  '',
  '\\unrestrict iEVeIQC72e3kYp35LtWwI5l6TSM2mAHoL9YREp9TQgUtywCcn06gCWX1gHugbd9',
  '',
  '-- PostgreSQL database dump complete',
  '',
].join('\n');

describe("a plain SQL file pgtop did not make, read as psql would", () => {
  it("pg_dump's own output passes, with its \\restrict lines blank (psql gets pgtop's key; the line numbers stay)", () => {
    const out = read(PG_DUMP);
    expect(out.split('\n')).toHaveLength(PG_DUMP.split('\n').length);
    expect(out).not.toContain('restrict');
    expect(out).toBe(PG_DUMP.replace(/^\\(un)?restrict .*$/gm, ''));
    expect(read(PG_DUMP, 'restricted')).toBe(out);
  });

  it('refuses a meta-command outside quotes and comments, naming it and its line', () => {
    expect(read('SELECT 1;\n\\! touch /tmp/x\n')).toBe('refused line 2: \\! is a psql meta-command (psql, not the server, would run it: a shell command on this machine)');
    expect(read('SELECT 1; \\o /tmp/out\n', 'restricted')).toMatch(/^refused line 1: \\o is a psql meta-command/);
    expect(read("SELECT 'a' \\gexec\n")).toMatch(/^refused line 1: \\gexec/);
    // \; and \: are psql's too (it puts the character in the query itself): refused all the same.
    expect(read('SELECT 1\\; SELECT 2;\n')).toMatch(/^refused line 1: \\;/);
    // A word ending in $ is not a dollar quote: what follows is outside.
    expect(read('SELECT a$b$ \\! x\n')).toMatch(/^refused line 1: \\!/);
  });

  it('lets backslashes through where psql reads them as SQL or data', () => {
    const inside = [
      "SELECT 'C:\\temp\\new';", // a string (no backslash before a quote: both readings agree)
      '-- \\! in a comment',
      '/* a /* nested */ \\! still in the comment */ SELECT 1;',
      'SELECT "\\! a quoted ""name""";',
      'SELECT $x$ \\! $y$ still $x$;',
      'SELECT $$',
      '\\! a dollar quote over lines',
      '$$;',
      "SELECT E'\\\\x41';",
      'SELECT x::text, a[1:n], :not_a_psql_variable, :1;',
      '',
    ].join('\n');
    expect(read(inside)).toBe(inside);
  });

  it("ends a -- comment at a carriage return, as psql does", () => {
    expect(read('SELECT 1; -- just a comment\r\\! touch /tmp/x\n')).toMatch(/^refused line 1: \\!/);
  });

  it('takes COPY data only after a COPY … FROM stdin that starts a statement, alone on its line', () => {
    // After an unfinished statement psql would not be in COPY: the next lines are SQL.
    expect(read('SELECT 1\nCOPY t FROM stdin;\n\\! touch /tmp/x\n\\.\n')).toMatch(/^refused line 3: \\!/);
    // Inside a BEGIN ATOMIC body psql 14+ does not end the statement at the semicolon.
    expect(read('CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1;\nCOPY t FROM stdin;\n\\! touch /tmp/x\n\\.\nEND;\n')).toMatch(/^refused line 3: \\!/);
    // Nor inside parentheses.
    expect(read('CREATE RULE r AS ON INSERT TO t DO (\nCOPY t FROM stdin;\n\\! touch /tmp/x\n')).toMatch(/^refused line 3: \\!/);
    // A binary COPY: psql reads it to the end of the file, pgtop does not follow.
    expect(read('COPY t FROM stdin (FORMAT binary);\n\\! x\n')).toMatch(/^refused line 2/);
    // Text after the COPY on its line would run after the data: not taken as COPY either.
    expect(read('COPY t FROM stdin; SELECT 1;\n\\N\n')).toMatch(/^refused line 2: \\N/);
    // Data ends only at \. alone; a line that merely starts with it is refused (strict).
    expect(read('COPY t FROM stdin;\n\\.x\n')).toMatch(/^refused line 2: a COPY data line that starts with \\\./);
    expect(read('COPY t FROM stdin;\n1\n\\.\n\\! x\n')).toMatch(/^refused line 4: \\!/);
    expect(read('COPY "my ""t""" (a, "b c") FROM STDIN WITH (FORMAT csv, HEADER true);\na,b c\n\\!,x\n\\.\nSELECT 1;\n')).not.toMatch(/^refused/);
  });

  it('strict (a psql without \\restrict): refuses what could be read two ways', () => {
    // Where the string ends depends on standard_conforming_strings, which the file can switch off.
    expect(read("SELECT 'a\\'; \\! touch /tmp/x; --';\n")).toMatch(/^refused line 1: a quoted string with a backslash before a quote/);
    expect(read("SELECT E'it\\'s';\n")).toMatch(/^refused line 1: a quoted string/);
    // A psql variable's value is read as SQL.
    expect(read('SELECT :DBNAME;\n')).toMatch(/^refused line 1: :DBNAME is a psql variable/);
    // Outside ASCII in the SQL: an encoding such as SJIS reads the next byte into the character.
    expect(read("SET client_encoding = 'SJIS';\nSELECT 'ā';\n")).toMatch(/^refused line 2: a byte outside ASCII/);
    expect(read('SELECT 1;\u0000\n')).toMatch(/^refused line 1: a NUL byte/);
    // In COPY data, non-ASCII is data.
    expect(read('COPY t FROM stdin;\ncafé ā\n\\.\n')).not.toMatch(/^refused/);
  });

  it('restricted (psql has \\restrict): leaves what could be read two ways to psql, refuses the meta-commands it sees', () => {
    expect(read("SELECT E'it\\'s';\nSELECT 'ā', :DBNAME;\n", 'restricted')).not.toMatch(/^refused/);
    expect(read("SELECT 'ā';\n\\! touch /tmp/x\n", 'restricted')).toMatch(/^refused line 2: \\!/);
  });

  it('strip (a file pgtop made, for a psql without \\restrict): only blanks its \\restrict lines', () => {
    const own = '\\restrict abc\nSELECT 1;\n\\unrestrict abc\n';
    expect(read(own, 'strip')).toBe('\nSELECT 1;\n\n');
    expect(read("SELECT 'café', E'it\\'s';\n", 'strip')).toBe("SELECT 'café', E'it\\'s';\n");
  });
});

describe('the guard as a stream', () => {
  async function through(chunks: Buffer[], mode: GuardMode): Promise<string> {
    return text(Readable.from(chunks).pipe(plainSqlGuard(mode)));
  }

  it('gives psql the same text however the file arrives in chunks, and fails at a refused line', async () => {
    const whole = Buffer.from(PG_DUMP);
    const expected = read(PG_DUMP);
    for (const size of [1, 7, 64, 4096]) {
      const chunks: Buffer[] = [];
      for (let i = 0; i < whole.length; i += size) chunks.push(whole.subarray(i, i + size));
      expect(await through(chunks, 'strict')).toBe(expected);
    }
    await expect(through([Buffer.from('SELECT 1;\n\\! touch /tmp/x\nSELECT 2;\n')], 'strict')).rejects.toThrow('line 2: \\! is a psql meta-command');
  });

  it('passes long COPY data lines through in parts, and still sees the line after them', async () => {
    const long = `1\t${'x'.repeat(300_000)}\n`;
    const sql = Buffer.from(`COPY t FROM stdin;\n${long}\\.\nSELECT 1;\n`);
    const chunks = [sql.subarray(0, 100_000), sql.subarray(100_000, 200_000), sql.subarray(200_000)];
    expect(await through(chunks, 'strict')).toBe(sql.toString());
    const bad = Buffer.from(`COPY t FROM stdin;\n${long}\\.\n\\! touch /tmp/x\n`);
    await expect(through([bad.subarray(0, 150_000), bad.subarray(150_000)], 'strict')).rejects.toThrow('line 4: \\!');
  });
});

describe('which psql has \\restrict', () => {
  it('13.22, 14.19, 15.14, 16.10, 17.6 and every 18', () => {
    expect(['13.21', '14.18', '15.13', '16.9', '17.5', '12.22', '18beta1', '19devel'].map(psqlHasRestrict)).toEqual(Array(8).fill(false));
    expect(['13.22', '14.19', '15.14', '15.18', '16.10', '17.6', '18.0', '18.1', '19.2'].map(psqlHasRestrict)).toEqual(Array(9).fill(true));
  });
});
