// `--once`: the chosen screen printed once, as text or as JSON, for scripts
// and cron. The same views and columns as the dashboard.
import { compactNumber, duration, percent } from '../format/format.js';
import { renderContext, type ScreenView } from '../render/screen-view.js';
import { textTable } from '../render/table.js';
import type { PgtopState } from '../store/store.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function onceText(state: PgtopState, view: ScreenView<any>, width: number): string {
  const h = state.data.header;
  const c = state.connection;
  const lines = [
    `pgtop  PostgreSQL ${c.serverVersion ?? '?'}  db ${h?.database ?? '?'}  user ${h?.user ?? '?'}  ${c.target}`,
    `up ${h ? duration(h.uptimeSeconds) : '?'}  conn ${h ? `${h.connections}/${h.maxConnections}` : '?'}  cache hit ${percent(state.data.rates.cacheHitRatio)}  TPS ${compactNumber(state.data.rates.tps)}`,
    '',
  ];
  const result = state.data.results[state.ui.screen as keyof typeof state.data.results];
  const problem = result?.disabled ?? result?.error ?? view.notice?.(state);
  if (problem) lines.push(problem);
  const rows = view.rows(state);
  if (rows.length === 0) lines.push(view.emptyText?.(state) ?? 'nothing to show');
  else lines.push(...textTable(view.columns, rows, renderContext(state), width));
  return lines.join('\n') + '\n';
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function onceJson(state: PgtopState, view: ScreenView<any>): string {
  const ctx = renderContext(state);
  const result = state.data.results[state.ui.screen as keyof typeof state.data.results];
  const document = {
    screen: state.ui.screen,
    server: {
      version: state.connection.serverVersion,
      versionNum: state.connection.serverVersionNum,
      target: state.connection.target,
      ...state.data.header,
    },
    error: result?.disabled ?? result?.error ?? null,
    rows: view.rows(state).map((row) => (view.json ? view.json(row, ctx) : row)),
  };
  return JSON.stringify(document, null, 2) + '\n';
}
