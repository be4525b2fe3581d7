// SGR styling for lines drawn by AnsiLines: the same styles Ink's <Text>
// props give (color, dimColor, bold, inverse, strikethrough), as escape codes.
import { displayWidth, truncate } from '../format/format.js';
import { terminalText } from '../render/terminal-text.js';

export interface AnsiStyle {
  color?: string;
  dim?: boolean;
  bold?: boolean;
  inverse?: boolean;
  /** Struck through: a key that cannot work here. */
  strike?: boolean;
}

const COLORS: Record<string, number> = { black: 30, red: 31, green: 32, yellow: 33, blue: 34, magenta: 35, cyan: 36, white: 37, gray: 90, grey: 90 };

export function styled(text: string, style: AnsiStyle): string {
  if (!text) return text;
  let open = '';
  let close = '';
  if (style.bold) {
    open += '\u001b[1m';
    close = '\u001b[22m' + close;
  }
  if (style.dim) {
    open += '\u001b[2m';
    close = '\u001b[22m' + close;
  }
  if (style.inverse) {
    open += '\u001b[7m';
    close = '\u001b[27m' + close;
  }
  if (style.strike) {
    open += '\u001b[9m';
    close = '\u001b[29m' + close;
  }
  const color = style.color ? COLORS[style.color] : undefined;
  if (color) {
    open += `\u001b[${color}m`;
    close = '\u001b[39m' + close;
  }
  return open + text + close;
}

/**
 * Styled pieces of one line, cut to `width` columns (the last piece that does
 * not fit ends in "…"). Pieces are text from anywhere (a database name, a
 * server's error): each goes through terminalText before it is measured.
 */
export function styledLine(pieces: readonly (readonly [text: string, style?: AnsiStyle])[], width: number): string {
  let out = '';
  let used = 0;
  for (const [raw, style] of pieces) {
    if (!raw) continue;
    const text = terminalText(raw);
    const w = displayWidth(text);
    if (used + w > width) {
      // The remaining room, with the line's own ellipsis (as Ink's wrap="truncate").
      const rest = truncate(text, width - used);
      out += style ? styled(rest, style) : rest;
      return out;
    }
    out += style ? styled(text, style) : text;
    used += w;
  }
  return out;
}
