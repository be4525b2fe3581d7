// Cell tones to Ink colours, in one place; with colours off everything is plain.
import type { CellTone } from '../render/table.js';

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
