// Proves the tmux driver that end-to-end tests of the binary rely on.
import { afterEach, describe, expect, it } from 'vitest';

import { startTmux } from '../support/tmux.js';
import type { TmuxSession } from '../support/tmux.js';

describe('tmux driver', () => {
  let session: TmuxSession | undefined;
  afterEach(async () => {
    await session?.kill();
    session = undefined;
  });

  it('types into a real terminal and reads the exit status', async () => {
    session = await startTmux({ command: ['sh', '-c', 'printf hello; read x; echo got:$x; exit 3'], cols: 80, rows: 10 });
    await session.waitForText('hello');
    await session.sendText("it's; ");
    await session.sendKeys('fine;', 'Enter');
    const screen = await session.waitForText(/got:/);
    expect(screen).toContain("got:it's; fine;");
    expect(await session.waitForExit(5_000)).toBe(3);
    await session.kill();
    await session.kill();
  });

  it('reports the last screen when the text never shows', async () => {
    session = await startTmux({ command: ['sh', '-c', 'echo nothing-here; sleep 30'] });
    await session.waitForText('nothing-here');
    await expect(session.waitForText('never', 300)).rejects.toThrow(/last screen:[\s\S]*nothing-here/);
  });
});
