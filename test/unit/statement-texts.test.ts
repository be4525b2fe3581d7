// The statements list's second step: the text of a statement is read once,
// when it enters the list; a steady list reads no text; a read that fails is
// said on the rows and rests; a lost connection is not hidden as a text error.
import { describe, expect, it } from 'vitest';
import { mapStatementText, QUERY_PREFIX_CHARS, TEXTS_REST_MS, completeStatementTexts } from '../../src/db/queries/statements/texts.js';
import type { StatementText } from '../../src/model/statements.js';
import type { CompletionStep } from '../../src/db/completion.js';
import type { QueryId } from '../../src/model/rows.js';
import { statement } from '../support/maintenance-fixtures.js';

/** A step whose texts query answers from `texts` (by key) and records each call. */
function fakeStep(texts: Record<string, string>, options: { fail?: Error | undefined } = {}) {
  const calls: { id: QueryId; keys: unknown[]; chars: unknown }[] = [];
  let now = 1_000;
  const step: CompletionStep = {
    connection: {},
    now: () => now,
    async run(id, params) {
      const keys = JSON.parse(params[0] as string) as { userid: string; dbid: string; queryid: string; toplevel: boolean }[];
      calls.push({ id, keys, chars: params[1] });
      if (options.fail) throw options.fail;
      return keys
        .map((k) => mapStatementText({ userid: k.userid, dbid: k.dbid, queryid: k.queryid, toplevel: k.toplevel, query: texts[k.queryid]?.slice(0, QUERY_PREFIX_CHARS) ?? null, query_length: texts[k.queryid]?.length ?? null }))
        .filter((t): t is StatementText => texts[t.key.split('/')[0]!] !== undefined);
    },
  };
  return { step, calls, advance: (ms: number) => (now += ms), fail: (error: Error | undefined) => (options.fail = error) };
}

/** A row as the list's query maps it: no text yet. */
const listed = (queryId: string) => statement({ key: `${queryId}/16384/10/top`, queryId, query: '', queryLength: null });

describe('statement texts', () => {
  it('reads the first characters of each new statement once; a steady list reads no text', async () => {
    const big = `SELECT ${'x, '.repeat(10_000)}1`;
    const { step, calls } = fakeStep({ '1': 'SELECT 1', '2': big });
    const rows = await completeStatementTexts([listed('1'), listed('2')], step);
    expect(calls).toEqual([{ id: 'statementTexts', keys: [{ userid: '10', dbid: '16384', queryid: '1', toplevel: true }, { userid: '10', dbid: '16384', queryid: '2', toplevel: true }], chars: QUERY_PREFIX_CHARS }]);
    expect(rows.map((r) => [r.query.length, r.queryLength, r.textError])).toEqual([[8, 8, null], [QUERY_PREFIX_CHARS, big.length, null]]);

    await completeStatementTexts([listed('2'), listed('1')], step);
    expect(calls).toHaveLength(1);
    // A new statement: only it is read.
    const third = await completeStatementTexts([listed('1'), listed('2'), listed('3')], { ...step, run: async (id, params) => ((await step.run(id, params)) as StatementText[]).concat(mapStatementText({ userid: '10', dbid: '16384', queryid: '3', toplevel: true, query: 'SELECT 3', query_length: 8 })) });
    expect(calls[1]!.keys).toEqual([{ userid: '10', dbid: '16384', queryid: '3', toplevel: true }]);
    expect(third[2]!.query).toBe('SELECT 3');
  });

  it('never reads a hidden statement, and does not ask again for one gone between the two reads', async () => {
    const { step, calls } = fakeStep({});
    const hidden = statement({ key: 'hidden:1/16384/10/top', queryId: null, hidden: true, query: '', queryLength: null });
    const rows = await completeStatementTexts([hidden, listed('9')], step);
    expect(calls[0]!.keys).toEqual([{ userid: '10', dbid: '16384', queryid: '9', toplevel: true }]);
    expect(rows.map((r) => r.textError)).toEqual([null, null]);
    await completeStatementTexts([hidden, listed('9')], step);
    expect(calls).toHaveLength(1);
  });

  it('says on each row why the read failed (a timeout), and rests before it tries again', async () => {
    const timeout = Object.assign(new Error('canceling statement due to statement timeout'), { code: '57014' });
    const { step, calls, advance, fail } = fakeStep({ '1': 'SELECT 1' }, { fail: timeout });
    let rows = await completeStatementTexts([listed('1')], step);
    expect(rows[0]).toMatchObject({ query: '', queryLength: null, textError: 'canceling statement due to statement timeout' });
    await completeStatementTexts([listed('1')], step);
    expect(calls).toHaveLength(1);
    advance(TEXTS_REST_MS);
    fail(undefined);
    rows = await completeStatementTexts([listed('1')], step);
    expect(calls).toHaveLength(2);
    expect(rows[0]).toMatchObject({ query: 'SELECT 1', queryLength: 8, textError: null });
  });

  it('lets a lost connection through, for the scheduler to reconnect', async () => {
    const { step } = fakeStep({}, { fail: Object.assign(new Error('Connection terminated unexpectedly'), {}) });
    await expect(completeStatementTexts([listed('1')], step)).rejects.toThrow('Connection terminated unexpectedly');
    const admin = fakeStep({}, { fail: Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }) });
    await expect(completeStatementTexts([listed('1')], admin.step)).rejects.toThrow('administrator command');
  });
});
