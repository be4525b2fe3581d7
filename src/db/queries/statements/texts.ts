// Statement texts, read apart from the list. pg_stat_statements keeps texts of
// any size in a file, and reading any text (pg_stat_statements(true)) makes the
// server load that whole file and copy every statement's text, while it holds
// the lock new statements wait for: six 30 MB texts made every refresh take
// seconds. So the list reads pg_stat_statements(false) (no texts), and the
// first QUERY_PREFIX_CHARS characters of a statement's text, with its length,
// are read once, when it first enters the list (statement_texts*.sql). The
// whole text of one statement is read when its details open (the dashboard
// scheduler's read(), src/db/detail-text.ts).
import type { CompletionStep } from '../../completion.js';
import { oneLine, sqlState } from '../../../errors.js';
import { num, str, bool, type RawRow } from '../row.js';
import { statementKey, type Statement, type StatementRef, type StatementText } from '../../../model/statements.js';

/** How much of a statement's text the list reads: enough to recognise it, and a whole ordinary query. */
export const QUERY_PREFIX_CHARS = 400;
/** After a failed read (the texts are so large it timed out), the list does without texts this long before it tries again. */
export const TEXTS_REST_MS = 30_000;

export function mapStatementText(row: RawRow): StatementText {
  const ref: StatementRef = { userId: str(row, 'userid'), dbId: str(row, 'dbid'), queryId: str(row, 'queryid'), toplevel: bool(row, 'toplevel') };
  return { key: statementKey(ref), text: str(row, 'query') ?? '', length: num(row, 'query_length') ?? 0 };
}

/** The parameters of statement_texts*.sql: which statements, and how many characters of each (null: all). */
export function statementTextParams(refs: readonly StatementRef[], chars: number | null): [string, number | null] {
  const keys = refs.map((r) => ({ userid: r.userId, dbid: r.dbId, queryid: r.queryId, toplevel: r.toplevel }));
  return [JSON.stringify(keys), chars];
}

/** What the list remembers between refreshes, per connection. */
interface TextMemory {
  /** By row key; null: gone from pg_stat_statements between the two reads (not asked again). */
  texts: Map<string, StatementText | null>;
  error: string | null;
  restUntil: number;
}

const memories = new WeakMap<object, TextMemory>();

/** An error of the texts' query itself (a timeout), not of the connection: the list goes on without texts. */
function isQueryError(error: unknown): boolean {
  const code = sqlState(error) ?? '';
  return /^[0-9A-Z]{5}$/.test(code) && !code.startsWith('08') && !code.startsWith('57P');
}

/**
 * The registry's second step for the statements list: each row's text prefix,
 * read for the rows new since the last refresh only. A steady list costs no
 * text read at all; a failed read is said on each row (textError) and not
 * tried again for TEXTS_REST_MS.
 */
export async function completeStatementTexts(rows: Statement[], step: CompletionStep): Promise<Statement[]> {
  let memory = memories.get(step.connection);
  if (!memory) {
    memory = { texts: new Map(), error: null, restUntil: 0 };
    memories.set(step.connection, memory);
  }
  const missing = rows.filter((r) => !r.hidden && r.queryId !== null && !memory.texts.has(r.key));
  if (missing.length > 0 && step.now() >= memory.restUntil) {
    try {
      const read = (await step.run('statementTexts', statementTextParams(missing, QUERY_PREFIX_CHARS))) as StatementText[];
      for (const row of missing) memory.texts.set(row.key, null);
      for (const text of read) memory.texts.set(text.key, text);
      memory.error = null;
    } catch (error) {
      if (!isQueryError(error)) throw error;
      memory.error = oneLine(error);
      memory.restUntil = step.now() + TEXTS_REST_MS;
    }
  }
  // Keep only what the list shows: the memory never outgrows one list.
  const shown = new Set(rows.map((r) => r.key));
  for (const key of memory.texts.keys()) if (!shown.has(key)) memory.texts.delete(key);
  const error = memory.error;
  return rows.map((row) => {
    const text = memory.texts.get(row.key);
    if (text) return { ...row, query: text.text, queryLength: text.length };
    if (row.hidden || text === null) return row;
    return { ...row, textError: error ?? 'not read yet' };
  });
}
