// Server text made terminal text: no control character reaches the
// terminal, every one shows as a visible escape, widths are the escaped
// text's, and text with nothing to escape is the very same string.
import { describe, expect, it } from 'vitest';
import { displayWidth, pad } from '../../src/format/format.js';
import { terminalFrame, terminalJson, terminalLines, terminalText } from '../../src/render/terminal-text.js';
import { textTable, type Column } from '../../src/render/table.js';
import { wrapWords } from '../../src/render/overlay-lines.js';
import { styledLine } from '../../src/components/ansi.js';

 
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
const ALL_CONTROLS = [...Array.from({ length: 0x20 }, (_, i) => i), 0x7f, ...Array.from({ length: 0x20 }, (_, i) => 0x80 + i)].map((c) => String.fromCharCode(c));

describe('terminalText', () => {
  it('shows every C0 control, DEL and every C1 control as a visible escape', () => {
    for (const char of ALL_CONTROLS) {
      const shown = terminalText(`a${char}b`);
      expect(shown, `U+${char.charCodeAt(0).toString(16)}`).not.toMatch(CONTROL);
      expect(shown).toMatch(/^a\\.+b$/);
    }
    expect(terminalText('\u0000')).toBe('\\x00');
    expect(terminalText('\u001b')).toBe('\\x1b');
    expect(terminalText('\u007f')).toBe('\\x7f');
    expect(terminalText('\u0085')).toBe('\\x85');
    expect(terminalText('\u009b')).toBe('\\x9b');
    expect(terminalText('a\tb\nc\rd')).toBe('a\\tb\\nc\\rd');
  });

  it('defuses the sequences that retitle the window, clear the screen or start a CSI', () => {
    expect(terminalText('SELECT 1 /* \u001b]0;pwned\u0007 */')).toBe('SELECT 1 /* \\x1b]0;pwned\\x07 */');
    expect(terminalText('\u001b[2J\u001b[H')).toBe('\\x1b[2J\\x1b[H');
    expect(terminalText('\u009b2J')).toBe('\\x9b2J');
    expect(terminalText('\u001bP+q\u001b\\')).toBe('\\x1bP+q\\x1b\\');
  });

  it('shows the bidi and invisible format characters that make a name read as another', () => {
    // "Trojan Source": U+202E reverses what follows; U+2066..2069 isolate; U+200B hides in a name.
    expect(terminalText('admin\u202e\u2066nimda\u2069')).toBe('admin\\u202e\\u2066nimda\\u2069');
    expect(terminalText('orders\u200b')).toBe('orders\\u200b');
    expect(terminalText('\ufeffx\u00ady\u2028z')).toBe('\\ufeffx\\xady\\u2028z');
    // ZWJ holds emoji together: it stays.
    expect(terminalText('👩\u200d💻')).toBe('👩\u200d💻');
  });

  it('returns text with nothing to escape as the same string, and escaping twice changes nothing', () => {
    const plain = 'SELECT "größe", 日本 FROM t WHERE x = \'\\x1b\' -- …';
    expect(terminalText(plain)).toBe(plain);
    for (const text of ['\u001b]0;t\u0007', 'a\u009bb\u202ec', 'tab\there', '日本\u001b[31m語']) {
      const once = terminalText(text);
      expect(terminalText(once)).toBe(once);
    }
  });

  it('measures and pads the escaped text: wide characters two columns, escapes as their characters', () => {
    const text = terminalText('日本\u001b[2J');
    expect(text).toBe('日本\\x1b[2J');
    expect(displayWidth(text)).toBe(4 + 7);
    expect(pad(text, 14)).toBe('日本\\x1b[2J   ');
    expect(displayWidth(pad(terminalText('データ\u001b]0;x\u0007ベース'), 12))).toBe(12);
  });
});

describe('terminalLines', () => {
  it('splits on \\n and \\r\\n, turns tabs into spaces and escapes the rest of each line', () => {
    expect(terminalLines('SELECT a,\r\n\tb\nFROM t\u001b[2J')).toEqual(['SELECT a,', '    b', 'FROM t\\x1b[2J']);
    expect(terminalLines('ab\tc')).toEqual(['ab  c']);
    expect(terminalLines('a\rb')).toEqual(['a\\rb']);
    for (const line of terminalLines(ALL_CONTROLS.join('x'))) expect(line).not.toMatch(CONTROL);
  });
});

describe('where server text is drawn', () => {
  interface R {
    name: string;
  }
  const columns: Column<R>[] = [
    { id: 'name', title: 'NAME', width: 'flex', minWidth: 4, text: (r) => r.name },
    { id: 'n', title: 'N', width: 3, text: () => '1' },
  ];

  it('table cells (the DataTable and --once) are escaped before they are measured', () => {
    const lines = textTable(columns, [{ name: 'evil\u001b]0;pwned\u0007' }, { name: 'ok' }], { ownPids: new Set() });
    expect(lines[1]).toBe('evil\\x1b]0;pwned\\x07 1');
    expect(lines[2]).toBe('ok                   1');
    for (const line of lines) expect(line).not.toMatch(CONTROL);
  });

  it('column titles from a query (the guided session\'s results) are escaped too', () => {
    const lines = textTable([{ id: 'x', title: 'col\u001b[2J', width: 12, text: () => 'v' }], [{}], { ownPids: new Set() });
    expect(lines[0]).toBe('col\\x1b[2J');
  });

  it('wrapped text (details, result boxes, the guided session) is escaped line by line', () => {
    const lines = wrapWords('SELECT\u001b[2J *\n\tFROM t', 40);
    expect(lines).toEqual(['SELECT\\x1b[2J *', '    FROM t']);
  });

  it('styled lines (header, status, problems) escape their pieces and keep their own SGR', () => {
    const line = styledLine([['db \u001b]0;x\u0007', { bold: true }], [' ok']], 80);
    expect(line).toBe('\u001b[1mdb \\x1b]0;x\\x07\u001b[22m ok');
    expect(styledLine([['\u001b[2J'.repeat(10)]], 10)).toBe('\\x1b[2J\\x…');
  });
});

describe('terminalFrame (the last guard on a whole frame)', () => {
  it('keeps pgtop\'s own SGR codes and line breaks, and nothing else that drives the terminal', () => {
    const frame = '\u001b[1mpgtop\u001b[22m  db shop\n\u001b[7m 1 activity \u001b[27m\n\u001b[38;5;196mred\u001b[39m';
    expect(terminalFrame(frame)).toBe(frame);
    const hostile = `ok\n\u001b[31mq\u001b[39m \u001b]0;pwned\u0007 \u001b[2J \u009b2J\ttab\u202e`;
    const guarded = terminalFrame(hostile);
    expect(guarded).toBe('ok\n\u001b[31mq\u001b[39m \\x1b]0;pwned\\x07 \\x1b[2J \\x9b2J\\ttab\\u202e');
    expect(guarded.replace(/\u001b\[[0-9;]*m/g, '')).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
  });
});

describe('terminalJson (--json)', () => {
  it('escapes what JSON.stringify leaves raw (DEL, C1, bidi) and parses back to the exact text', () => {
    const value = { name: `t${ALL_CONTROLS.join('')}\u202e\u2066x\u200b日本`, n: 1 };
    expect(JSON.stringify(value)).toMatch(/[\u007f-\u009f\u202e]/);
    const json = terminalJson(value, 2);
    expect(json).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\u200b]/);
    expect(json).toContain('\\u009b');
    expect(json).toContain('\\u202e');
    expect(JSON.parse(json)).toEqual(value);
    expect(terminalJson({ a: 'plain' })).toBe('{"a":"plain"}');
  });
});
