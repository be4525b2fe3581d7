import { afterAll, beforeAll, expect, it } from 'vitest';
import { runPgtop } from '../support/binary.js';
import { startReplicationPair, type ReplicationPair } from '../support/replication.js';

let pair: ReplicationPair;
beforeAll(async () => { pair = await startReplicationPair(); }, 90_000);
afterAll(async () => { await pair?.stop(); });

it('prints', async () => {
  for (const on of ['primary', 'standby'] as const) {
    const { args, env } = pair.args(on);
    const text = await runPgtop([...args, '--once', '--screen', 'replication'], env);
    console.log(text.code, text.stdout, text.stderr);
    const h = await runPgtop([...args, '--once', '--screen', 'health'], env);
    console.log(h.code, h.stdout, h.stderr);
    const j = await runPgtop([...args, '--once', '--json', '--screen', 'replication'], env);
    console.log(j.stdout.slice(0, 3000));
  }
  expect(1).toBe(1);
});
