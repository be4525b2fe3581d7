// The config screen from fake state: the administration session's settings
// first in readable units, changed ones with their source, a pending restart marked.
import { afterEach, describe, expect, it } from 'vitest';
import { connectedWithResults, result, setting } from '../support/maintenance-fixtures.js';
import { renderApp, type RenderedApp } from '../support/render-app.js';

let app: RenderedApp | undefined;
afterEach(() => app?.unmount());

const settings = [
  setting({ name: 'zz_changed', setting: '250', unit: 'ms', defaultValue: '0', source: 'configuration file', changed: true, sourceFile: '/etc/postgresql.conf', sourceLine: 12 }),
  setting({ name: 'shared_buffers', setting: '16384', unit: '8kB', defaultValue: '16384', key: true, pendingRestart: true, context: 'postmaster' }),
  setting({ name: 'work_mem', setting: '12288', unit: 'kB', defaultValue: '4096', source: 'database', key: true, changed: true }),
  setting({ name: 'checkpoint_completion_target', setting: '0.9', defaultValue: '0.9', key: true }),
];

describe('config screen', () => {
  it('lists the key settings first in readable units, then the changed ones; marks a pending restart', async () => {
    app = renderApp({ screen: 'config', patch: connectedWithResults({ config: result(settings) }) });
    const frame = await app.waitFor('SETTING');
    expect(frame).toMatch(/•shared_buffers\s+128MB\s+128MB\s+default .*RESTART PENDING/);
    expect(frame).toMatch(/•work_mem\s+12MB\s+4MB\s+database/);
    expect(frame).toMatch(/•checkpoint_completion_target\s+0\.9/);
    expect(frame).toMatch(/ zz_changed\s+250ms\s+0\s+config file/);
    expect(frame.indexOf('•work_mem')).toBeLessThan(frame.indexOf('zz_changed'));
    expect(frame).toContain('restart pending for shared_buffers');
  });

  it('explains a setting on Enter: value, default, where it is set, what changing it takes', async () => {
    app = renderApp({ screen: 'config', patch: connectedWithResults({ config: result(settings) }) });
    await app.waitFor('SETTING');
    await app.press('/', 'z', 'z', 'enter', 'enter');
    const frame = await app.waitFor('Config: details');
    expect(frame).toMatch(/value\s+250ms/);
    expect(frame).toMatch(/source\s+configuration file \(\/etc\/postgresql\.conf:12\)/);
    expect(frame).toMatch(/changing it takes\s+any user/);
  });
});
