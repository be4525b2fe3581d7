// What the learn screen shows, as lines, without React: the part and step,
// a progress bar over the session, the explanation, the seed's mistake, the
// exact SQL or command, the live checks (✓/✗ with why) and the step's
// result, fitted into the height there is. LearnScreen.tsx only draws it.
import type { Column } from '../../src/render/table.js';
import type { CellTone } from '../../src/render/table.js';
import { displayWidth, truncate } from '../../src/format/format.js';
import { currentStep, fill, missingReason, progressBar, summary, type FillContext } from '../../src/learn/engine.js';
import { stepCommand } from '../../src/learn/step-command.js';
import { wrapWords } from '../../src/render/overlay-lines.js';
import { terminalText } from '../../src/render/terminal-text.js';
import type { LearnState } from '../../src/learn/controller.js';
import type { ResultTable } from '../../src/learn/live.js';
import type { Step } from '../../src/learn/types.js';

export interface Line {
  text: string;
  tone?: CellTone;
  bold?: boolean;
}

export type Block = { kind: 'lines'; lines: Line[] } | { kind: 'table'; table: ResultTable; height: number };

/** Wraps prose at spaces to `width` columns, blank lines left out (a word longer than the line is cut). */
export function wrap(text: string, width: number): string[] {
  return wrapWords(text.split('\n').filter((p) => p.trim() !== '').join('\n'), width).filter((line) => line !== '');
}

const KIND_LABEL: Record<Step['action']['kind'], string> = {
  query: 'read-only query',
  change: 'changes the server: asks y/n first',
  backup: 'writes a backup file: asks y/n first',
  restore: 'changes the server: asks y/n first',
  read: 'nothing to run',
};

export interface LayoutInput {
  state: LearnState;
  ctx: FillContext;
  width: number;
  height: number;
}

/** The screen, top to bottom, in at most `height` lines. */
export function learnLayout({ state, ctx, width, height }: LayoutInput): Block[] {
  const ref = currentStep(state.parts, state.progress);
  const { part, step, position } = ref;
  const sum = summary(state.parts, state.progress);
  const stepsInPart = part.steps.length;
  const text = (t: string) => {
    try {
      return fill(t, ctx, 'text');
    } catch (error) {
      return t.replace(/\{([a-z_]+)(?::literal)?\}/g, (_, name: string) => (name in ctx.params ? `‹${missingReason(part, error, ctx) ?? name}›` : name));
    }
  };

  const head = `Part ${part.number}/${state.parts.length} ${part.title} (~${part.minutes} min) · step ${position.step + 1}/${stepsInPart}`;
  const count = ` ${sum.ran}/${sum.total} run`;
  // The bar takes what the line has left, between 5 and 30 columns.
  const barWidth = Math.max(5, Math.min(30, width - displayWidth(head) - 2 - count.length));
  const progress = `${progressBar(sum.ran, sum.total, barWidth)}${count}`;
  const header: Line[] = [
    { text: truncate(`${head}  ${progress}`, width), bold: true },
    // A step's title may name the learner's tables (its parameters): terminal text before it is cut to the width.
    { text: truncate(terminalText(`${part.number}.${position.step + 1} ${text(step.title)}  · ${KIND_LABEL[step.action.kind]}`), width), bold: true, tone: step.action.kind === 'query' || step.action.kind === 'read' ? 'normal' : 'warn' },
  ];

  const explain = [...(position.step === 0 ? wrap(part.intro, width).map((l) => ({ text: l, tone: 'dim' })) : []), ...wrap(text(step.explain), width).map((l) => ({ text: l }))];
  const seed: Line[] = step.seedFix ? wrap(`Fixed from the seed: ${text(step.seedFix)}`, width).map((l) => ({ text: l, tone: 'dim' })) : [];
  let commandLines: string[];
  try {
    commandLines = stepCommand(step, ctx, state.serverVersionNum ?? 0);
  } catch (error) {
    commandLines = [`cannot run here: ${missingReason(part, error, ctx) ?? String(error)}`];
  }
  // Wrapped, not cut: the exact SQL is the point of the step (its indentation kept).
  const command = commandLines.flatMap((l) => wrapWords(l, width - 2)).map((l) => ({ text: `│ ${l}`, tone: 'good' }));

  const results = state.checks[step.id];
  // Each criterion with its reason, wrapped (the reason is the point), at most three lines.
  const checks: Line[] = (step.checks ?? []).flatMap((check, i): Line[] => {
    const r = results?.[i];
    const criterion = r?.criterion ?? text(check.criterion);
    if (!r) return [{ text: truncate(terminalText(`… ${criterion}: checking`), width), tone: 'dim' }];
    const lines = wrap(`${r.ok ? '✓' : '✗'} ${criterion} — ${r.reason}`, width - 2).slice(0, 3);
    return lines.map((l, n) => ({ text: n === 0 ? l : `  ${l}`, tone: r.ok ? 'good' : 'alert' }));
  });
  const checkHead: Line[] = checks.length ? [{ text: `Success criteria${state.checking ? ' (checking…)' : ', checked live'}:`, bold: true }] : [];

  const output = state.output?.stepId === step.id ? state.output : null;
  const ran = state.progress.ran[step.id];
  const outputLines: Line[] = output
    ? output.lines.flatMap((l) => wrap(l, width)).map((l) => ({ text: l, tone: output.failed ? 'alert' : 'normal' }))
    : [{ text: ran ? `ran ${ran.slice(0, 19).replace('T', ' ')} UTC · Enter runs it again` : 'Enter runs this step', tone: 'dim' }];
  const table = output?.table;

  // Fit: header, checks and one output line always; then the rest by what matters most.
  let budget = height - header.length - checkHead.length - checks.length - outputLines.length;
  const take = <T>(lines: T[], most: number): T[] => {
    const n = Math.max(0, Math.min(lines.length, most, budget));
    budget -= n;
    return lines.slice(0, n);
  };
  const tableRows = table ? Math.min(table.rows.length + 1, Math.max(3, Math.floor(budget / 2))) : 0;
  budget -= tableRows;
  // The exact SQL first (leaving the explanation two lines at least), then the explanation, then the seed's mistake.
  const explainFloor = Math.min(explain.length, 2);
  let shownCommand = take(command, Math.max(2, budget - explainFloor));
  if (shownCommand.length < command.length && shownCommand.length > 0) {
    shownCommand = [...shownCommand.slice(0, -1), { text: `│ … ${command.length - shownCommand.length + 1} more lines (e shows them all)`, tone: 'dim' }];
  }
  let shownExplain = take(explain, 10);
  const shownSeed = take(seed, 4);
  if (shownExplain.length < explain.length || shownSeed.length < seed.length) {
    // Cut short on a small terminal: say where the rest is.
    const last: Line = { text: truncate('… e shows the whole explanation', width), tone: 'dim' };
    shownExplain = shownSeed.length ? shownExplain : [...shownExplain.slice(0, -1), last];
    if (shownSeed.length) shownSeed.splice(shownSeed.length - 1, 1, last);
  }

  const blocks: Block[] = [{ kind: 'lines', lines: [...header, ...shownExplain, ...shownSeed, ...shownCommand, ...checkHead, ...checks, ...outputLines] }];
  if (table && tableRows > 0) blocks.push({ kind: 'table', table, height: tableRows - 1 });
  return blocks;
}

/** Columns for a result table: as wide as their widest cell (at most 40), later columns dropped first when narrow. */
export function resultColumns(table: ResultTable): Column<string[]>[] {
  return table.columns.map((title, i) => {
    // Measured as the table will show them: cells and titles are server text (src/render/table.ts escapes them).
    const widest = Math.max(displayWidth(terminalText(title)), ...table.rows.map((r) => displayWidth(terminalText(r[i] ?? ''))));
    return { id: String(i), title, width: Math.max(2, Math.min(40, widest)), priority: i, text: (row: string[]) => row[i] ?? '' };
  });
}
