// The whole text of one statement, read when its details open (Enter): the
// list holds only the first characters of each (src/db/queries/statements/
// texts.ts). Read once per Enter, never on a refresh, on the monitor
// connection (the scheduler's onMonitor); the store says loading, then the
// text or why it could not be read. One text at a time: a 30 MB text is not kept for
// every statement the user looked at.
import type { StatementText } from '../model/statements.js';
import { statementTextParams } from './queries/statements/texts.js';
import { oneLine } from '../errors.js';
import { setData, type DetailFetch, type DetailText, type PgtopStore } from '../store/store.js';

/** Runs the statement texts query with these parameters (DashboardScheduler's read()). */
export type ReadStatementTexts = (id: 'statementTexts', params: readonly unknown[]) => Promise<StatementText[]>;

export class DetailTextReader {
  constructor(
    private readonly store: PgtopStore,
    private readonly read: ReadStatementTexts,
  ) {}

  /** Read the text the details of `request.key` need, unless it is read or being read; a failed read is tried again. */
  request(request: DetailFetch): void {
    const current = this.store.getState().data.detailText;
    if (current?.key === request.key && current.state !== 'failed') return;
    setData(this.store, { detailText: { key: request.key, state: 'loading' } });
    this.read('statementTexts', statementTextParams([request.statement], null)).then(
      (rows) => {
        const row = rows[0];
        this.settle(
          request.key,
          row
            ? { key: request.key, state: 'loaded', text: row.text }
            : { key: request.key, state: 'failed', error: 'it is no longer in pg_stat_statements (reset or evicted since the list was read)' },
        );
      },
      (error: unknown) => this.settle(request.key, { key: request.key, state: 'failed', error: oneLine(error) }),
    );
  }

  /** Only while the details still wait for this text: another Enter since replaced it. */
  private settle(key: string, outcome: DetailText): void {
    const current = this.store.getState().data.detailText;
    if (current?.key === key && current.state === 'loading') setData(this.store, { detailText: outcome });
  }
}
