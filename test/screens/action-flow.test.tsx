// The one path every action takes: questions, confirmation, run, outcome.
import { afterEach, describe, expect, it } from 'vitest';
import { actionRequest, type ActionSpec } from '../../src/actions/action.js';
import { connectedWith } from '../support/fixtures.js';
import { renderApp, type RenderedApp } from '../support/render-app.js';

let app: RenderedApp | undefined;
afterEach(() => app?.unmount());

const runs: Record<string, string>[] = [];
const exportTable: ActionSpec<{ table: string }> = {
  id: 'exportTable',
  danger: 'confirm',
  inputs: (t) => [
    { key: 'file', label: 'file name', kind: 'text', initial: `${t.table}.csv`, validate: (v) => (v.endsWith('.csv') ? null : 'the file name must end in .csv') },
    { key: 'format', label: 'format', kind: 'choice', choices: [{ value: 'csv', label: 'CSV' }, { value: 'tsv', label: 'TSV' }, { value: 'json', label: 'JSON' }] },
  ],
  title: (t) => `Export ${t.table}?`,
  sql: (t, v) => `COPY ${t.table} TO '${v.file}' (FORMAT ${v.format})`,
  details: (t) => [`table ${t.table}`],
  async run(_ctx, t, values) {
    runs.push({ table: t.table, ...values });
    return { message: `exported ${t.table}`, detail: { title: 'Export done', lines: [`written to ${values.file}`] } };
  },
};

describe('an action with questions', () => {
  it('asks each input, validates, confirms with the exact statement, runs, and shows the outcome', async () => {
    app = renderApp({ patch: connectedWith([]) });
    await app.waitFor('QUERY');
    app.services.requestAction(actionRequest(exportTable, { table: 'orders' }), 'orders');
    let frame = await app.waitFor('(1/2) file name');
    expect(frame).toContain('> orders.csv');
    await app.press('backspace', 'backspace', 'backspace', 'x', 't', 't', 'enter');
    await app.waitFor('the file name must end in .csv');
    await app.press('backspace', 'backspace', 'backspace', 'c', 's', 'v', 'enter');
    frame = await app.waitFor('(2/2) format');
    expect(frame).toMatch(/1 CSV[\s\S]*2 TSV[\s\S]*3 JSON/);
    await app.press('down', 'down', 'up', 'enter');
    frame = await app.waitFor('will run');
    expect(frame).toContain("COPY orders TO 'orders.csv' (FORMAT tsv)");
    await app.press('y');
    frame = await app.waitFor('Export done');
    expect(frame).toContain('written to orders.csv');
    expect(runs).toEqual([{ table: 'orders', file: 'orders.csv', format: 'tsv' }]);
    await app.press('x');
    frame = await app.waitFor((f) => !f.includes('Export done'));
    expect(frame).toContain('exported orders');
  });

  it('Esc at a question drops the action and says it was not run', async () => {
    app = renderApp({ patch: connectedWith([]) });
    await app.waitFor('QUERY');
    app.services.requestAction(actionRequest(exportTable, { table: 'orders' }), 'orders');
    await app.waitFor('file name');
    await app.press('escape');
    await app.waitFor('not run: Export orders?');
  });
});
