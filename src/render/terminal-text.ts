// The one place text from outside (query texts, names of roles, tables,
// schemas and databases, server messages, log lines, file names) becomes
// text for the terminal. A terminal obeys the control characters in what it
// is sent: ESC ] 0;… BEL retitles the window, ESC [2J wipes the screen, and
// C1 CSI (U+009B) does what ESC [ does on many terminals. Anyone who can
// name a table or send a query can put them there, and pgtop is usually run
// by a superuser. So every control character is shown as a visible escape:
//   \t \n \r          tab, line feed, carriage return
//   \x1b \x00 \x9b    every other C0 control, DEL and every C1 control
//                     (\xHH below U+0100, \uHHHH above; lowercase hex)
//   \u202e \u200b     Unicode format characters that make text display as
//                     other text ("Trojan Source"): the bidi embeddings,
//                     overrides, isolates and marks, and the invisible ones
//                     (zero-width space, word joiner, BOM, soft hyphen,
//                     line and paragraph separators). ZWJ and ZWNJ stay:
//                     emoji and several scripts need them, and they hide
//                     nothing on their own.
// A backslash is not escaped, so escaping escaped text changes nothing; the
// price is that a name holding the four characters `\x1b` reads like one
// holding ESC (--json has the exact text).
// --json keeps the exact text, escaped the JSON way: JSON.stringify escapes
// C0 but not DEL, C1 or the format characters, so terminalJson does those.

// Precompiled, and tested before any replacing: nearly all text has nothing
// to escape (this runs on every cell of every refresh).
 
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u00ad\u061c\u200b\u200e\u200f\u2028-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/;
const UNSAFE_ALL = new RegExp(UNSAFE.source, 'g');

const NAMED: Record<string, string> = { '\t': '\\t', '\n': '\\n', '\r': '\\r' };

function visibleEscape(char: string): string {
  const named = NAMED[char];
  if (named) return named;
  const code = char.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** One line for the terminal: every control and format character as a visible escape (see the top of this file). */
export function terminalText(text: string): string {
  return UNSAFE.test(text) ? text.replace(UNSAFE_ALL, visibleEscape) : text;
}

/** Columns a tab advances to (a multiple of): query texts are indented with them. */
const TAB_STOP = 4;

/** Multi-line text (a query, a statement, details) for the terminal: split into lines, tabs to spaces, each line through terminalText. */
export function terminalLines(text: string): string[] {
  return text.split(/\r?\n/).map((line) => terminalText(line.includes('\t') ? expandTabs(line) : line));
}

function expandTabs(line: string): string {
  let out = '';
  for (const char of line) out += char === '\t' ? ' '.repeat(TAB_STOP - (out.length % TAB_STOP)) : char;
  return out;
}

 
const STRAY = new RegExp(`(?!\\u001b\\[[0-9;]*m)(?!\\n)${UNSAFE.source}`);
const STRAY_ALL = new RegExp(STRAY.source, 'g');

/**
 * A whole frame as last guard before the terminal: anything terminalText
 * would escape, except the line breaks between the frame's lines and the SGR
 * sequences (ESC [ … m) pgtop styles with. Text that went through
 * terminalText passes unchanged; if some server text ever reaches a frame
 * without it, the frame's layout suffers, not the terminal.
 */
export function terminalFrame(frame: string): string {
  return STRAY.test(frame) ? frame.replace(STRAY_ALL, visibleEscape) : frame;
}

// Outside JSON strings there is only ASCII, so this only ever escapes inside them.
const UNSAFE_IN_JSON = new RegExp(UNSAFE.source.replace('\\u0000-\\u001f', ''));
const UNSAFE_IN_JSON_ALL = new RegExp(UNSAFE_IN_JSON.source, 'g');

/**
 * A value as JSON that is safe on a terminal and parses back to the exact
 * text: JSON.stringify escapes C0 controls (\u001b) itself, and leaves DEL,
 * C1 (U+009B, a CSI) and the format characters raw; those become \uXXXX here.
 */
export function terminalJson(value: unknown, indent?: number): string {
  const json = JSON.stringify(value, null, indent);
  return UNSAFE_IN_JSON.test(json) ? json.replace(UNSAFE_IN_JSON_ALL, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`) : json;
}
