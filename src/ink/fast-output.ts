// A faster stand-in for Ink's internal Output (ink/build/output.js), the
// step that turns the laid-out tree into the frame's text. Ink's version
// builds a grid of one object per cell (10 000 at 200x50), splits every
// written line into one styled object per character and joins them again:
// ~60 ms per frame of a full dashboard on a 2-core machine, most of pgtop's
// CPU. In a dashboard the writes on a line almost never overlap (a header,
// a table row, a status line), so this version keeps each write as a string
// and joins a line's writes left to right with spaces between them. When
// writes do overlap (a box drawn over text) or a box clips its children, it
// hands the whole frame to Ink's own Output, so the result is the same.
// src/bundle-patches.mjs puts it into the bundle.
// Every frame, either way, leaves through terminalFrame: the last guard that
// no control character reaches the terminal but pgtop's own colours (server
// text is made terminal text where it is drawn; this catches what a new
// component might forget, at the cost of that frame's layout).
import { displayWidth } from '../format/format.js';
import { terminalFrame } from '../render/terminal-text.js';

export interface OutputOptions {
  width: number;
  height: number;
}

type Transformer = (line: string, index: number) => string;

interface WriteOperation {
  type: 'write';
  x: number;
  y: number;
  text: string;
  transformers: Transformer[];
}

interface ClipOperation {
  type: 'clip';
  clip: unknown;
}

type Operation = WriteOperation | ClipOperation | { type: 'unclip' };

/** What Ink's renderer needs of an Output. */
export interface InkOutput {
  write(x: number, y: number, text: string, options: { transformers: Transformer[] }): void;
  clip(clip: unknown): void;
  unclip(): void;
  get(): { output: string; height: number };
}

export type InkOutputClass = new (options: OutputOptions) => InkOutput;

 
const ANSI = /\u001b\[[0-9;:?]*[ -/]*[@-~]|\u001b\]8;[^\u0007\u001b]*(?:\u0007|\u001b\\)/g;
/** Columns a written line takes on the terminal. */
export function lineWidth(line: string): number {
  return displayWidth(line.includes('\u001b') ? line.replace(ANSI, '') : line);
}

/** The Output class Ink's renderer uses, with `Fallback` (Ink's own) for frames it does not handle. */
export function fastOutputClass(Fallback: InkOutputClass): InkOutputClass {
  return class FastOutput implements InkOutput {
    private readonly operations: Operation[] = [];
    private clipped = false;

    constructor(private readonly options: OutputOptions) {}

    write(x: number, y: number, text: string, options: { transformers: Transformer[] }): void {
      if (!text) return;
      this.operations.push({ type: 'write', x, y, text, transformers: options.transformers });
    }

    clip(clip: unknown): void {
      this.clipped = true;
      this.operations.push({ type: 'clip', clip });
    }

    unclip(): void {
      this.operations.push({ type: 'unclip' });
    }

    get(): { output: string; height: number } {
      const { height } = this.options;
      if (this.clipped) return this.fallback();
      const rows: { x: number; line: string }[][] = Array.from({ length: height }, () => []);
      for (const op of this.operations) {
        if (op.type !== 'write') continue;
        if (op.x < 0) return this.fallback();
        const lines = op.text.split('\n');
        for (let index = 0; index < lines.length; index += 1) {
          const row = rows[op.y + index];
          if (!row) continue;
          let line = lines[index]!;
          for (const transform of op.transformers) line = transform(line, index);
          row.push({ x: op.x, line });
        }
      }
      const out = new Array<string>(height);
      for (let y = 0; y < height; y += 1) {
        const writes = rows[y]!;
        if (writes.length > 1) writes.sort((a, b) => a.x - b.x); // stable: equal x keeps write order
        let text = '';
        let column = 0;
        for (let k = 0; k < writes.length; k += 1) {
          const { x, line } = writes[k]!;
          if (x < column) return this.fallback(); // overlapping writes: Ink's grid decides who wins each cell
          text += ' '.repeat(x - column) + line;
          // Measured only when another write follows on the line: most lines (a table's rows) are one write,
          // and measuring a coloured line was a tenth of a refresh's CPU.
          if (k + 1 < writes.length) column = x + lineWidth(line);
        }
        out[y] = text.trimEnd();
      }
      return { output: terminalFrame(out.join('\n')), height };
    }

    /** The same frame through Ink's own Output. */
    private fallback(): { output: string; height: number } {
      const output = new Fallback(this.options);
      for (const op of this.operations) {
        if (op.type === 'write') output.write(op.x, op.y, op.text, { transformers: op.transformers });
        else if (op.type === 'clip') output.clip(op.clip);
        else output.unclip();
      }
      const frame = output.get();
      return { ...frame, output: terminalFrame(frame.output) };
    }
  };
}
