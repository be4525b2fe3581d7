// What takes over the body of the screen for a moment: help, details, a
// confirmation; and the one-line prompts for `:` and `/`.
import { Box, Text } from 'ink';
import React from 'react';
import { displayKey, type KeyBinding } from '../keys/commands.js';
import { clampScroll, DETAIL_CHROME_ROWS, detailLines, RESULT_MAX_WIDTH, resultLayout } from '../render/overlay-lines.js';
import { terminalLines, terminalText } from '../render/terminal-text.js';
import type { PendingAction, PendingInput } from '../store/store.js';

/** Text that may span lines (a statement, a detail) for a wrapping <Text>: each line made terminal text. */
function block(text: string): string {
  return terminalLines(text).join('\n');
}

/**
 * Global keys in as few lines as fit `width`: "? help · q quit · Tab next screen…",
 * for when the screen's own keys and the global ones do not all fit one per line.
 */
export function condensedKeyLines(bindings: readonly KeyBinding[], width: number): string[] {
  const items = bindings.map((b) => `${b.keys.map(displayKey).join('/')} ${b.hint ?? b.text.split(/[:(,]/)[0]!.trim()}`);
  const lines: string[] = [];
  for (const item of items) {
    const last = lines.at(-1);
    if (last !== undefined && last.length + 3 + item.length <= width) lines[lines.length - 1] = `${last} · ${item}`;
    else lines.push(item);
  }
  return lines;
}

export interface HelpOverlayProps {
  screen: string;
  /** What works on the screen (src/keys/commands.ts bindingsFor). */
  bindings: readonly KeyBinding[];
  readOnly: boolean;
  /** The server is a standby: what writes is listed as unavailable. */
  standby?: boolean;
  /** Commands that cannot work here, with why (a Kubernetes permission the review denied). */
  unavailable?: ReadonlyMap<string, string>;
  width: number;
  height?: number;
}

export function HelpOverlay({ screen, bindings: rows, readOnly, standby = false, unavailable, width, height = Infinity }: HelpOverlayProps): React.ReactElement {
  const keyText = (b: KeyBinding) => b.keys.map(displayKey).join(' ');
  // Title and footer take two lines; when every key does not fit one per line, the global ones are condensed.
  const fitsOnePerLine = rows.length + 2 <= height;
  const shown = fitsOnePerLine ? rows : rows.filter((b) => !b.global);
  const condensed = fitsOnePerLine ? [] : condensedKeyLines(rows.filter((b) => b.global), width);
  const keyWidth = Math.min(22, Math.max(...shown.map((b) => keyText(b).length), 0) + 2);
  return (
    <Box flexDirection="column" width={width} height={Number.isFinite(height) ? height : undefined} overflow="hidden">
      <Text bold>{`Keys on the ${screen} screen  (Esc, q or ? closes)`}</Text>
      {shown.map((b) => (
        <Text key={`${b.command}:${b.keys.join()}`} wrap="truncate">
          <Text bold>{keyText(b).padEnd(keyWidth)}</Text>
          {/* Before the text, which is often long: the line is cut at the terminal's width. */}
          {unavailable?.has(b.command) ? <Text dimColor>{`(unavailable: ${unavailable.get(b.command)}) `}</Text> : null}
          {b.text}
          {b.kind === 'changes-server' && readOnly ? <Text dimColor> (refused: read-only)</Text> : null}
          {b.primaryOnly && standby && !readOnly ? <Text dimColor> (unavailable: the server is a standby; run it on the primary)</Text> : null}
        </Text>
      ))}
      {condensed.map((line, i) => (
        <Text key={`global-${i}`} wrap="truncate" dimColor>
          {line}
        </Text>
      ))}
      <Text dimColor>{'Esc clears the filter · * in the PID column marks pgtop\'s own sessions'}</Text>
    </Box>
  );
}

/** "lines 1–18 of 40" and the keys, when not everything fits. */
function scrollFooter(first: number, shown: number, total: number): string {
  return `lines ${first + 1}–${first + shown} of ${total} · ↑↓ PgUp PgDn Home End scroll`;
}

export function DetailView({ title, fields, scroll, width, height }: { title: string; fields: [string, string][]; scroll: number; width: number; height: number }): React.ReactElement {
  const lines = detailLines(fields, width);
  const visible = Math.max(1, height - DETAIL_CHROME_ROWS);
  const first = clampScroll(scroll, lines.length, visible);
  const shown = lines.slice(first, first + visible);
  return (
    <Box flexDirection="column" width={width} height={height} overflow="hidden">
      <Text bold>{`${title}  (Esc closes)`}</Text>
      {shown.map((line, i) => (
        <Text key={first + i} wrap="truncate">
          <Text bold>{line.text.slice(0, line.boldWidth)}</Text>
          {line.text.slice(line.boldWidth) || ' '}
        </Text>
      ))}
      {lines.length > visible ? <Text dimColor>{scrollFooter(first, shown.length, lines.length)}</Text> : null}
    </Box>
  );
}

export function ConfirmDialog({ action, typed, color, width }: { action: PendingAction; typed: string; color: boolean; width: number }): React.ReactElement {
  // Title, details and SQL name what the action acts on: server names, a backend's query.
  return (
    <Box flexDirection="column" borderStyle="round" borderColor={color ? 'red' : undefined} width={Math.min(width, 100)} paddingX={1}>
      <Text bold wrap="wrap">
        {block(action.title)}
      </Text>
      {action.details.map((line, i) => (
        <Text key={i} wrap="wrap">
          {block(line)}
        </Text>
      ))}
      <Text>
        {'will run: '}
        <Text bold color={color ? 'yellow' : undefined}>
          {block(action.sql)}
        </Text>
      </Text>
      {action.typeToConfirm === undefined ? (
        <Text bold>{'y to run it, n or Esc to leave it'}</Text>
      ) : (
        <Text bold>{terminalText(`type ${action.typeToConfirm} and Enter to run it, Esc to leave it: ${typed}`)}</Text>
      )}
    </Box>
  );
}

export function PromptLine({ prefix, text }: { prefix: string; text: string }): React.ReactElement {
  return (
    <Text wrap="truncate">
      <Text bold>{prefix}</Text>
      {terminalText(text)}
      <Text inverse> </Text>
    </Text>
  );
}

export function FormDialog({ input, text, choice, color, width }: { input: PendingInput; text: string; choice: number; color: boolean; width: number }): React.ReactElement {
  const { field } = input;
  return (
    <Box flexDirection="column" borderStyle="round" borderColor={color ? 'cyan' : undefined} width={Math.min(width, 100)} paddingX={1}>
      <Text bold wrap="wrap">
        {block(input.actionTitle)}
      </Text>
      <Text>{terminalText(`${input.count > 1 ? `(${input.position}/${input.count}) ` : ''}${field.label}`)}</Text>
      {field.kind === 'text' ? (
        <PromptLine prefix="> " text={field.secret ? '•'.repeat(Array.from(text).length) : text} />
      ) : (
        (field.choices ?? []).map((c, i) => (
          <Text key={c.value} inverse={i === choice} wrap="truncate">
            {terminalText(`${i + 1} ${c.label}`)}
          </Text>
        ))
      )}
      <Text dimColor>{field.kind === 'text' ? 'Enter to go on, Esc to leave it' : '↑/↓ or a number to choose, Enter to go on, Esc to leave it'}</Text>
    </Box>
  );
}

export function ResultBox({ title, lines, scroll, color, width, height }: { title: string; lines: string[]; scroll: number; color: boolean; width: number; height: number }): React.ReactElement {
  const { title: titleLines, lines: wrapped, visible } = resultLayout(title, lines, width, height);
  const first = clampScroll(scroll, wrapped.length, visible);
  const shown = wrapped.slice(first, first + visible);
  return (
    <Box flexDirection="column" borderStyle="round" borderColor={color ? 'green' : undefined} width={Math.min(width, RESULT_MAX_WIDTH)} paddingX={1}>
      {titleLines.map((line, i) => (
        <Text key={`title-${i}`} bold wrap="truncate">
          {line}
        </Text>
      ))}
      {shown.map((line, i) => (
        // An empty <Text> takes no row in Ink: a blank line is a space.
        <Text key={first + i} wrap="truncate">
          {line || ' '}
        </Text>
      ))}
      <Text dimColor wrap="truncate">{wrapped.length > visible ? `${scrollFooter(first, shown.length, wrapped.length)} · other keys close` : 'any key closes this'}</Text>
    </Box>
  );
}
