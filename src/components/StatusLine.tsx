// The bottom lines: the outcome of the last action or command, and the keys
// that matter on this screen (from the keymap).
import { Text } from 'ink';
import React from 'react';
import { terminalText } from '../render/terminal-text.js';
import { styled } from './ansi.js';
import type { StatusLine as Status } from '../store/store.js';

export interface StatusLineProps {
  status: Status | null;
  hints: string;
  /** Keys of this screen that cannot work here, struck through after the others, and why (a Kubernetes permission). */
  unavailable?: { hints: string; reason: string } | null;
  color: boolean;
}

export function StatusLine({ status, hints, unavailable, color }: StatusLineProps): React.ReactElement {
  const tone = !color || !status ? undefined : status.kind === 'error' ? 'red' : status.kind === 'success' ? 'green' : undefined;
  return (
    <>
      <Text wrap="truncate" color={tone}>
        {/* One line, whatever the text: a multi-statement action reads as one. It holds server errors and names: terminal text. */}
        {status ? terminalText(status.text.replace(/\s*\n\s*/g, ' ')) : ' '}
      </Text>
      <Text wrap="truncate" dimColor>
        {hints}
        {unavailable ? (
          <>
            {'  '}
            {/* As escape codes, not Ink's prop: they are what the frame holds whatever chalk thinks of the terminal. */}
            {styled(unavailable.hints, { strike: true })}
            {`: ${unavailable.reason}`}
          </>
        ) : null}
      </Text>
    </>
  );
}
