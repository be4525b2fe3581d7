// Cell tones to Ink colours, in one place; with colours off everything is plain.
import type { CellTone } from '../render/table.js';
import { styled } from './ansi.js';

export interface ToneStyle {
  color?: string;
  dimColor?: boolean;
}

const STYLES: Record<CellTone, ToneStyle> = {
  normal: {},
  dim: { dimColor: true },
  good: { color: 'green' },
  warn: { color: 'yellow' },
  alert: { color: 'red' },
};

export function toneStyle(tone: CellTone, color: boolean): ToneStyle {
  if (!color) return tone === 'dim' ? { dimColor: true } : {};
  return STYLES[tone];
}

/** The cell's text with its tone as escape codes (for lines drawn by AnsiLines). */
export function toneAnsi(text: string, tone: CellTone, color: boolean): string {
  const style = toneStyle(tone, color);
  return styled(text, { color: style.color, dim: style.dimColor });
}
