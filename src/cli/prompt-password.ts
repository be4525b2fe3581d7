// psql's password prompt: asked on the terminal, not echoed, before the
// dashboard starts (the dashboard itself never prompts; a typed password is
// remembered for reconnects).

/** Resolves to the typed password, or undefined when there is no terminal or the user pressed Ctrl-C/Ctrl-D. */
export function promptPassword(question: string, input: NodeJS.ReadStream = process.stdin, output: NodeJS.WriteStream = process.stderr): Promise<string | undefined> {
  if (!input.isTTY) return Promise.resolve(undefined);
  return new Promise((resolve) => {
    let typed = '';
    const finish = (value: string | undefined) => {
      input.setRawMode(false);
      input.pause();
      input.off('data', onData);
      output.write('\n');
      resolve(value);
    };
    const onData = (chunk: Buffer | string) => {
      for (const char of chunk.toString('utf8')) {
        if (char === '\r' || char === '\n') return finish(typed);
        if (char === '\u0003' || char === '\u0004') return finish(undefined);
        if (char === '\u007f' || char === '\b') typed = Array.from(typed).slice(0, -1).join('');
        else if (char >= ' ') typed += char;
      }
    };
    output.write(question);
    input.setRawMode(true);
    input.resume();
    input.on('data', onData);
  });
}
