// What psql would do with a plain SQL file besides sending its SQL: its
// backslash meta-commands (\! runs a shell command on this machine, \o and
// \w write files, \copy reads them, \connect goes elsewhere). A file pgtop did
// not make is restored only with them refused. psql 13.22/14.19/15.14/16.10/
// 17.6 and later refuse them themselves after `\restrict KEY`
// (CVE-2025-8714); for an older psql this is the only gate, so it reads the
// file as psql's own lexer (src/fe_utils/psqlscan.l) does and refuses what it
// cannot be sure of:
//   - a backslash outside string literals, quoted names, comments and
//     dollar quotes: a meta-command (or \; \: which psql also reads itself);
//   - a quoted string whose end depends on standard_conforming_strings (a
//     backslash before a quote): psql follows the server's setting, which the
//     file itself can change, so both readings must agree;
//   - :NAME where psql has a variable of that name (it re-reads its value as
//     SQL text);
//   - any byte outside ASCII in the SQL (not in COPY data): in a client
//     encoding such as SJIS or BIG5 psql reads a byte after a lead byte as
//     part of that character, whatever it is, and the file can switch to one.
// COPY … FROM stdin data is what psql sends as it is until a line `\.`; a COPY
// is recognised only on a line of its own that starts a statement, with no
// parenthesis or BEGIN … END block open (psql 14+ does not end a CREATE
// FUNCTION … BEGIN ATOMIC at its inner semicolons; older ones do, and then
// the server fails the statement and ON_ERROR_STOP stops psql).
// pg_dump 15.14+ writes `\restrict KEY` and `\unrestrict KEY` lines itself:
// they are blanked (the line numbers stay), pgtop brings its own key.
import { Transform } from 'node:stream';

/**
 * strict: psql has no \restrict; refuse anything unsure.
 * restricted: psql runs under pgtop's \restrict; refuse the meta-commands
 *   found (before anything is created), and leave what is unsure to psql.
 * strip: a file pgtop made, for a psql without \restrict: only blank its
 *   own \restrict lines.
 */
export type GuardMode = 'strict' | 'restricted' | 'strip';

export class PlainSqlRefused extends Error {
  constructor(
    readonly line: number,
    readonly why: string,
  ) {
    super(`line ${line}: ${why}`);
    this.name = 'PlainSqlRefused';
  }
}

/** The psql variables that exist in a restore (its own; --no-psqlrc and no \set): upper case. */
const PSQL_VARIABLE = /^[A-Z0-9_]*[A-Z_][A-Z0-9_]*$/;
const RESTRICT_LINE = /^\\(?:un)?restrict [A-Za-z0-9]+\r?\n?$/;
const DOLLAR_DELIMITER = /\$(?:[A-Za-z\x80-\xff_][A-Za-z\x80-\xff_0-9]*)?\$/y;
const VARIABLE = /:(?:'[A-Za-z\x80-\xff_0-9]+'|"[A-Za-z\x80-\xff_0-9]+"|\{\?[A-Za-z\x80-\xff_0-9]+\}|([A-Za-z\x80-\xff_0-9]+))/y;
const NAME = String.raw`(?:[A-Za-z_][A-Za-z0-9_$]*|"(?:[^"\n]|"")+")`;
const COLUMNS = String.raw`\(\s*${NAME}(?:\s*,\s*${NAME})*\s*\)`;
const OPTIONS = String.raw`(?:\s+(?:WITH\s*)?\((?:\s*[A-Za-z_]+(?:\s+[A-Za-z0-9_]+)?\s*,?)+\))?`;
/** `COPY schema.table (a, b) FROM stdin;` as pg_dump writes it, alone on its line; a binary COPY is not recognised (psql reads it to the end of the file). */
const COPY_FROM_STDIN = new RegExp(String.raw`^[ \t]*COPY[ \t]+(?:ONLY[ \t]+)?${NAME}(?:\.${NAME})?(?:[ \t]*${COLUMNS})?[ \t]+FROM[ \t]+STDIN${OPTIONS}[ \t]*;[ \t]*\r?\n?$`, 'i');
const COPY_END = /^\\\.(?:\r?\n)?$/;

const isSpace = (c: string) => c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f';
const isDigit = (c: string) => c >= '0' && c <= '9';
/** psql's ident_start: a letter, _ or any byte from 0x80 (the text is read one byte per character). */
const isIdentStart = (c: string) => (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c === '_' || c >= '\x80';
const isIdentCont = (c: string) => isIdentStart(c) || isDigit(c) || c === '$';

/** One reading of a quoted string: backslash literal (standard_conforming_strings on) or an escape (off, E'…'). */
interface Reading {
  /** Saw a quote: it ends the string unless the next character is a quote too. */
  quote: boolean;
  /** The previous character was an escaping backslash. */
  escape: boolean;
}

/** Steps one reading over c; true when the string ended just before c. */
function step(r: Reading, c: string, backslashEscapes: boolean): boolean {
  if (r.quote) {
    r.quote = false;
    return c !== "'";
  }
  if (r.escape) r.escape = false;
  else if (backslashEscapes && c === '\\') r.escape = true;
  else if (c === "'") r.quote = true;
  return false;
}

/** Reads a plain SQL file line by line (each with its newline), as psql would; see the top of this file. */
export class PlainSqlScanner {
  private lex: 'top' | 'comment' | 'quote' | 'name' | 'dollar' = 'top';
  private commentDepth = 0;
  private literal: Reading = { quote: false, escape: false };
  private escaped: Reading = { quote: false, escape: false };
  private nameQuote = false;
  private tag = '';
  private parenDepth = 0;
  private beginDepth = 0;
  private sawCreate = false;
  /** Nothing but blanks and comments since the last statement ended. */
  private empty = true;
  private copyData = false;
  /** restricted mode, after something unsure: psql's \restrict is the gate from here on. */
  private unsure = false;
  private lineNumber = 0;

  constructor(private readonly mode: GuardMode) {}

  get inCopyData(): boolean {
    return this.copyData;
  }

  /** One line, with its newline (the last line of a file may have none); returns what psql is to read instead. */
  line(text: string): string {
    this.lineNumber += 1;
    if (this.copyData) {
      if (COPY_END.test(text)) this.copyData = false;
      else this.dataLine(text);
      return text;
    }
    if (this.lex === 'top' && RESTRICT_LINE.test(text)) return text.endsWith('\n') ? '\n' : '';
    if (this.mode === 'strict') {
      if (text.includes('\u0000')) this.refuse('a NUL byte: psql reads the line differently from what is in the file');
       
      const wide = /[^\u0000-\u007f]/.exec(text);
      if (wide) {
        this.refuse(
          `a byte outside ASCII (0x${wide[0].charCodeAt(0).toString(16)}) in the SQL, not in COPY data: in some client encodings psql reads the byte after it as part of the same character, so pgtop cannot tell what psql runs`,
        );
      }
    }
    const startsCopy = this.lex === 'top' && this.empty && this.parenDepth === 0 && this.beginDepth === 0 && COPY_FROM_STDIN.test(text) && !/\bbinary\b/i.test(text);
    this.scan(text);
    if (startsCopy && this.lex === 'top' && this.empty) this.copyData = true;
    return text;
  }

  /** A COPY data line that is not the end marker. */
  dataLine(text: string): void {
    if (this.mode !== 'strict') return;
    if (text.startsWith('\\.')) this.refuse('a COPY data line that starts with \\. but is not the end of the data (\\. alone)');
    if (text.includes('\u0000')) this.refuse('a NUL byte in COPY data');
  }

  /** The line number of the line being read (for a long COPY data line read in parts). */
  nextDataLine(): void {
    this.lineNumber += 1;
  }

  private refuse(why: string): void {
    if (this.mode === 'strip' || this.unsure) return;
    throw new PlainSqlRefused(this.lineNumber, why);
  }

  /** Something pgtop cannot read for sure: strict refuses; restricted leaves it to psql's \restrict from here on. */
  private unsureOf(why: string): void {
    if (this.mode === 'strict') this.refuse(why);
    else this.unsure = true;
  }

  private scan(text: string): void {
    let i = 0;
    while (i < text.length) {
      const c = text[i]!;
      switch (this.lex) {
        case 'comment':
          // Block comments nest, in psql as in the server.
          if (c === '/' && text[i + 1] === '*') {
            this.commentDepth += 1;
            i += 2;
          } else if (c === '*' && text[i + 1] === '/') {
            this.commentDepth -= 1;
            if (this.commentDepth === 0) this.lex = 'top';
            i += 2;
          } else i += 1;
          continue;
        case 'quote': {
          const endsLiteral = step(this.literal, c, false);
          const endsEscaped = step(this.escaped, c, true);
          if (endsLiteral !== endsEscaped) {
            this.unsureOf('a quoted string with a backslash before a quote: where it ends depends on standard_conforming_strings, which the file can change');
          }
          if (endsLiteral) this.lex = 'top'; // c is read again, outside the string
          else i += 1;
          continue;
        }
        case 'name':
          if (this.nameQuote) {
            this.nameQuote = false;
            if (c !== '"') {
              this.lex = 'top';
              continue;
            }
          } else if (c === '"') this.nameQuote = true;
          i += 1;
          continue;
        case 'dollar': {
          const close = text.indexOf(`$${this.tag}$`, i);
          if (close < 0) i = text.length;
          else {
            i = close + this.tag.length + 2;
            this.lex = 'top';
          }
          continue;
        }
        case 'top':
          i = this.top(text, i);
      }
    }
  }

  /** One token outside quotes and comments, starting at i; returns where the next one starts. */
  private top(text: string, i: number): number {
    const c = text[i]!;
    const next = text[i + 1];
    if (c === '-' && next === '-') {
      // To the end of the line; psql takes \r as a line end too.
      let j = i + 2;
      while (j < text.length && text[j] !== '\n' && text[j] !== '\r') j += 1;
      return j;
    }
    if (c === '/' && next === '*') {
      this.lex = 'comment';
      this.commentDepth = 1;
      return i + 2;
    }
    if (isSpace(c)) return i + 1;
    this.empty = false;
    if (c === "'") {
      this.lex = 'quote';
      this.literal = { quote: false, escape: false };
      this.escaped = { quote: false, escape: false };
      return i + 1;
    }
    if (c === '"') {
      this.lex = 'name';
      this.nameQuote = false;
      return i + 1;
    }
    if (c === '$') {
      DOLLAR_DELIMITER.lastIndex = i;
      const m = DOLLAR_DELIMITER.exec(text);
      if (!m) return i + 1;
      this.lex = 'dollar';
      this.tag = m[0].slice(1, -1);
      return i + m[0].length;
    }
    if (c === '\\') {
      const command = /^\\[^\s\\]{0,20}/.exec(text.slice(i))![0];
      this.refuse(`${command} is a psql meta-command (psql, not the server, would run it${command === '\\!' ? ': a shell command on this machine' : ''})`);
      return i + 1;
    }
    if (c === ':') {
      if (next === ':') return i + 2;
      VARIABLE.lastIndex = i;
      const m = VARIABLE.exec(text);
      if (!m) return i + 1;
      if (m[1] !== undefined && PSQL_VARIABLE.test(m[1]) && this.mode === 'strict') {
        this.refuse(`${m[0]} is a psql variable: psql would put its value into the SQL and read that as SQL too`);
      }
      return i + m[0].length;
    }
    if (isDigit(c)) {
      let j = i + 1;
      while (j < text.length && isDigit(text[j]!)) j += 1;
      // A word right after a number (1end): psql 15 reads a separate word, 16+ one token; taken both ways below.
      if (j < text.length && isIdentStart(text[j]!)) return this.word(text, j, true);
      return j;
    }
    if (isIdentStart(c)) return this.word(text, i, false);
    if (c === '(') this.parenDepth += 1;
    else if (c === ')') this.parenDepth = Math.max(0, this.parenDepth - 1);
    else if (c === ';' && this.parenDepth === 0 && this.beginDepth === 0) {
      this.sawCreate = false;
      this.empty = true;
    }
    return i + 1;
  }

  /**
   * A word. psql 14+ keeps CREATE FUNCTION|PROCEDURE … BEGIN … END one
   * statement; this counts BEGIN/CASE/END in any statement with CREATE in it
   * (never fewer open blocks than psql, so never a COPY psql would not see as
   * one), and an END glued to a number never closes one.
   */
  private word(text: string, i: number, afterNumber: boolean): number {
    let j = i + 1;
    while (j < text.length && isIdentCont(text[j]!)) j += 1;
    const word = text.slice(i, j).toLowerCase();
    if (word === 'create') this.sawCreate = true;
    if (this.sawCreate && this.parenDepth === 0) {
      if (word === 'begin') this.beginDepth += 1;
      else if (word === 'case' && this.beginDepth >= 1) this.beginDepth += 1;
      else if (word === 'end' && this.beginDepth > 0 && !afterNumber) this.beginDepth -= 1;
    }
    return j;
  }
}

/** Longer COPY data lines than this go through in parts (the rest of the SQL is read line by line, as psql reads it). */
const LONG_LINE = 64 * 1024;

/**
 * The file as psql is to read it: every line checked by a PlainSqlScanner
 * before it is passed on, so psql never reads a refused line (the stream
 * fails there instead). The same check runs before the restore; this one
 * makes sure what psql reads is what was checked.
 */
export function plainSqlGuard(mode: GuardMode): Transform {
  const scanner = new PlainSqlScanner(mode);
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  /** Inside a long COPY data line, already checked at its start: pass it on to its newline. */
  let passing = false;
  const take = (line: Buffer): Buffer => {
    // COPY data (most of a dump) goes through as it is: only its end marker, and in strict mode a \. or NUL, matter.
    const endMarker = line[0] === 0x5c && line[1] === 0x2e && (line.length === 2 || line[2] === 0x0a || (line[2] === 0x0d && line[3] === 0x0a && line.length === 4));
    if (scanner.inCopyData && !endMarker) {
      scanner.nextDataLine();
      if (mode === 'strict' && ((line[0] === 0x5c && line[1] === 0x2e) || line.includes(0))) scanner.dataLine(line.toString('latin1'));
      return line;
    }
    return Buffer.from(scanner.line(line.toString('latin1')), 'latin1');
  };
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      try {
        let start = 0;
        while (start < chunk.length) {
          const newline = chunk.indexOf(10, start);
          const end = newline < 0 ? chunk.length : newline + 1;
          if (passing) {
            const part = chunk.subarray(start, end);
            if (mode === 'strict' && part.includes(0)) scanner.dataLine('\u0000');
            this.push(part);
            if (newline >= 0) passing = false;
            start = end;
            continue;
          }
          if (newline < 0) {
            pending.push(chunk.subarray(start));
            pendingBytes += chunk.length - start;
            if (scanner.inCopyData && pendingBytes > LONG_LINE) {
              const head = Buffer.concat(pending);
              scanner.nextDataLine();
              scanner.dataLine(head.toString('latin1'));
              this.push(head);
              pending = [];
              pendingBytes = 0;
              passing = true;
            }
            break;
          }
          const line = pending.length ? Buffer.concat([...pending, chunk.subarray(start, end)]) : chunk.subarray(start, end);
          pending = [];
          pendingBytes = 0;
          this.push(take(line));
          start = end;
        }
        done();
      } catch (error) {
        done(error as Error);
      }
    },
    flush(done) {
      try {
        if (pending.length) this.push(take(Buffer.concat(pending)));
        done();
      } catch (error) {
        done(error as Error);
      }
    },
  });
}

/** The first psql of each branch with \restrict (CVE-2025-8714, August 2025); 18.0 and later have it. */
const RESTRICT_SINCE: Record<number, number> = { 13: 22, 14: 19, 15: 14, 16: 10, 17: 6 };

/** Whether psql of this version ("15.18", "17.6", "18.1", "13.4") knows \restrict; a development or beta version is taken as not. */
export function psqlHasRestrict(version: string): boolean {
  const m = /^(\d+)\.(\d+)$/.exec(version.trim());
  if (!m) return false;
  const major = Number(m[1]);
  const minor = Number(m[2]);
  if (major >= 18) return true;
  const since = RESTRICT_SINCE[major];
  return since !== undefined && minor >= since;
}
