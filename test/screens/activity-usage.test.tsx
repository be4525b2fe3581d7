// The activity screen's process columns (CPU%, MEM, READ/s, WRITE/s) from
// processUsage, joined by pid: shown only when there are figures, sortable
// with `s` (the burner on top), in the details, and dropped before STATE
// and QUERY on an 80-column terminal.
import { afterEach, describe, expect, it } from 'vitest';
import type { ProcessUsage } from '../../src/model/host.js';
import type { PgtopState } from '../../src/store/store.js';
import { backend, connectedWith } from '../support/fixtures.js';
import { renderApp, type RenderedApp } from '../support/render-app.js';

let app: RenderedApp | undefined;
afterEach(() => {
  app?.unmount();
  app = undefined;
});

const backends = [
  backend({ pid: 101, user: 'alice', query: 'SELECT * FROM invoices', querySeconds: 40, xactSeconds: 40 }),
  backend({ pid: 102, user: 'bob', query: 'SELECT count(*) FROM generate_series(1, 1e9)', querySeconds: 5, xactSeconds: 5 }),
  backend({ pid: 103, user: 'carol', state: 'idle', query: 'COMMIT', querySeconds: 400, xactSeconds: null }),
];

const usage: ProcessUsage[] = [
  { pid: 101, cpuPercent: 3.2, rssBytes: 24 * 1024 * 1024, memPercent: 0.6, readBytesPerSecond: 8 * 1024 * 1024, writeBytesPerSecond: 0 },
  { pid: 102, cpuPercent: 97.5, rssBytes: 30 * 1024 * 1024, memPercent: 0.7, readBytesPerSecond: 0, writeBytesPerSecond: 69 * 1024 * 1024 },
  { pid: 103, cpuPercent: null, rssBytes: 12 * 1024 * 1024, memPercent: 0.3, readBytesPerSecond: null, writeBytesPerSecond: null },
  // The checkpointer: no backend row, so no line.
  { pid: 50, cpuPercent: 0, rssBytes: 1024, memPercent: 0, readBytesPerSecond: 0, writeBytesPerSecond: 0 },
];

function withUsage(rows: ProcessUsage[]) {
  const base = connectedWith(backends);
  return (s: PgtopState) => {
    base(s);
    s.data.results = { ...s.data.results, processUsage: { rows, updatedAt: Date.now(), error: null, disabled: null } };
  };
}

describe('activity: the process columns', () => {
  it('shows CPU%, MEM, READ/s and WRITE/s by pid, and s sorts by CPU: the burner on top', async () => {
    app = renderApp({ patch: withUsage(usage) });
    await app.resize(190, 30);
    let frame = await app.waitFor('CPU%');
    expect(frame).toMatch(/PID\s+USER\s+DB\s+APP\s+CLIENT\s+CPU%\s+MEM\s+READ\/s\s+WRITE\/s\s+STATE/);
    expect(frame).toMatch(/ 102 .* 97\.5\s+0\.7\s+0 B\s+69 MB active/);
    expect(frame).toMatch(/ 101 .* 3\.2\s+0\.6\s+8\.0 MB\s+0 B active/);
    // The first sample of a process: no CPU yet, not 0.
    expect(frame).toMatch(/ 103 .*\s+0\.3\s+idle/);
    expect(frame).not.toMatch(/^\s+50 /m);
    // From TIME (alice's 40 s first), one s later by CPU%.
    await app.press('s');
    frame = await app.waitFor('sort CPU% ↓');
    const order = ['102', '101', '103'].map((pid) => frame.indexOf(` ${pid} `));
    expect(order).toEqual([...order].sort((a, b) => a - b));
    // The details of the selected row (the top one) say its process's figures.
    await app.press('\r');
    frame = await app.waitFor('process');
    expect(frame).toMatch(/process\s+CPU 97\.5% · RSS 30 MB \(0\.7% of memory\) · read 0 B\/s · write 69 MB\/s/);
  });

  it('on an 80-column terminal STATE and QUERY stay: the process columns go first', async () => {
    app = renderApp({ patch: withUsage(usage) });
    await app.resize(80, 24);
    const frame = await app.waitFor('STATE');
    expect(frame).toMatch(/PID\s+STATE\s+WAIT\s+XACT\s+TIME\s+QUERY/);
    expect(frame).not.toContain('WRITE/s');
    await app.resize(110, 24);
    expect(await app.waitFor('CPU%')).toMatch(/PID\s+USER\s+DB\s+CPU%\s+STATE\s+WAIT/);
  });

  it('without figures (a remote server, a pod without sh) the columns are absent, not zero', async () => {
    app = renderApp({ patch: withUsage([]) });
    await app.resize(160, 30);
    const frame = await app.waitFor('CLIENT');
    expect(frame).toMatch(/CLIENT\s+STATE/);
    expect(frame).not.toContain('CPU%');
    await app.press('s');
    expect(await app.waitFor('sort XACT')).not.toContain('CPU%');
  });
});
