// How numbers, durations and text look on screen: compact, fixed-width
// friendly, readable at a glance in an 80-column terminal.
import stringWidth from 'string-width';

/** 3s, 4m05s, 2h13m, 3d04h; "" for null. */
export function duration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return '';
  if (seconds < 10) return `${Math.max(0, seconds).toFixed(1)}s`;
  const s = Math.floor(seconds);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${h}h${String(m % 60).padStart(2, '0')}m`;
  const d = Math.floor(h / 24);
  return `${d}d${String(h % 24).padStart(2, '0')}h`;
}

/** 12.3 / 1.2k / 4.5M: rates and counts. */
export function compactNumber(value: number | null | undefined, digits = 1): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '–';
  const abs = Math.abs(value);
  if (abs >= 1e9) return `${(value / 1e9).toFixed(digits)}G`;
  if (abs >= 1e6) return `${(value / 1e6).toFixed(digits)}M`;
  if (abs >= 1e4) return `${(value / 1e3).toFixed(digits)}k`;
  return abs >= 100 || Number.isInteger(value) ? String(Math.round(value)) : value.toFixed(digits);
}

/** 31 457 280: every digit, in groups of three (no-break spaces, so a line never breaks inside it). */
export function groupedNumber(value: number): string {
  return Math.round(value).toString().replace(/\B(?=(\d{3})+(?!\d))/g, '\u00a0');
}

export function percent(ratio: number | null | undefined, digits = 1): string {
  if (ratio === null || ratio === undefined || !Number.isFinite(ratio)) return '–';
  return `${(ratio * 100).toFixed(digits)}%`;
}

/** One line of SQL: whitespace runs collapsed, so a query fits a table cell. */
export function oneLineSql(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** Cut to a display width (wide CJK and emoji count two columns) with an ellipsis. */
export function truncate(text: string, width: number): string {
  if (width <= 0) return '';
  if (isNarrowText(text)) return text.length <= width ? text : text.slice(0, width - 1) + '…';
  if (stringWidth(text) <= width) return text;
  let out = '';
  let used = 0;
  for (const char of text) {
    const w = stringWidth(char);
    if (used + w > width - 1) break;
    out += char;
    used += w;
  }
  return out + '…';
}

/** Truncate or pad to exactly `width` columns. */
export function pad(text: string, width: number, align: 'left' | 'right' = 'left'): string {
  const cut = truncate(text, width);
  const fill = ' '.repeat(Math.max(0, width - displayWidth(cut)));
  return align === 'right' ? fill + cut : cut + fill;
}

export function displayWidth(text: string): number {
  return isNarrowText(text) ? text.length : stringWidth(text);
}

// Most cells are ASCII, or hold only characters one column wide for sure
// ("…" that truncate adds, arrows, box drawing, Latin letters): skip the
// Unicode width tables for them, which segment the text into graphemes (hot
// path: every cell of every refresh; ~7 ms a frame of 10 000 rows otherwise).
// Searched for the first character outside the set: ten times faster than
// matching the whole text against the set, which counts for a 30 MB statement.
// pgtop's own marks are in it (‹hidden›, ◀ on the horizon's holder, ▶): one of
// them on screen sent every frame through the width tables, and the first
// Intl.Segmenter loads ICU's break-iterator data, ~4 MB of peak RSS.
// (◽ and ◾, U+25FD–25FE, are two columns wide: left out.)
const NOT_NARROW = /[^\x20-\x7e\u00a0-\u00ac\u00ae-\u017f\u2013\u2014\u2018-\u201f\u2022\u2026\u2039\u203a\u2190-\u2193\u2500-\u259f\u25a0-\u25fc\u2713\u2717]/;

/** True when every character of the text is one UTF-16 unit and one column wide. */
export function isNarrowText(text: string): boolean {
  return !NOT_NARROW.test(text);
}

/** What a screen shows for what this role may not see (another role's query, a database's size): the why goes in the details. */
export const HIDDEN = '‹hidden›';
