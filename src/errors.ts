// Errors a user reads. Every failure pgtop reports is one of these: a message
// that names the cause and the fix, and the exit code docs/command-line.md promises for it.
// Anything else reaching the top level is a bug, and is still printed as one line.

export const EXIT_OK = 0;
export const EXIT_RUNTIME = 1;
export const EXIT_USAGE = 2;

export class PgtopError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT_RUNTIME,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** Bad flags, bad arguments, a non-terminal without --once: exit code 2. */
export class UsageError extends PgtopError {
  constructor(message: string) {
    super(message, EXIT_USAGE);
  }
}

/** The server could not be reached or refused us before the dashboard started. */
export class ConnectionError extends PgtopError {
  constructor(
    message: string,
    readonly code?: string,
  ) {
    super(message, EXIT_RUNTIME);
  }
}

/** An action (cancel, terminate, vacuum…) failed or was refused; shown in the status line. */
export class ActionError extends PgtopError {}

/** One line, never a stack trace: what a user sees for any error. */
export function oneLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/\s*\n\s*/g, ' ').trim() || 'unknown error';
}

/** The SQLSTATE of a pg error, if there is one. */
export function sqlState(error: unknown): string | undefined {
  if (error && typeof error === 'object' && 'code' in error) {
    const code = (error).code;
    return typeof code === 'string' ? code : undefined;
  }
  return undefined;
}
