// `--once`: the chosen screen printed once, as text or as JSON, for scripts
// and cron. The same views and columns as the dashboard.
import { compactNumber, duration, percent } from '../format/format.js';
import { renderContext, type ScreenView } from '../render/screen-view.js';
import { textTable } from '../render/table.js';
import type { PgtopState } from '../store/store.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyView = ScreenView<any>;

/** Parts of a screen printed one after the other, each under its title (the roles, then the audit). */
export interface OncePart {
  title: string;
  /** Its name in the JSON document. */
  key: string;
  view: AnyView;
}

export function onceText(state: PgtopState, view: AnyView, width: number, parts?: readonly OncePart[]): string {
  const h = state.data.header;
  const c = state.connection;
  const lines = [
    `pgtop  PostgreSQL ${c.serverVersion ?? '?'}  db ${h?.database ?? '?'}  user ${h?.user ?? '?'}  ${c.target}`,
    `up ${h ? duration(h.uptimeSeconds) : '?'}  conn ${h ? `${h.connections}/${h.maxConnections}` : '?'}  cache hit ${percent(state.data.rates.cacheHitRatio)}  TPS ${compactNumber(state.data.rates.tps)}`,
  ];
  const result = state.data.results[state.ui.screen as keyof typeof state.data.results];
  const problem = result?.disabled ?? result?.error;
  for (const part of parts ?? [{ title: '', key: 'rows', view }]) {
    lines.push('');
    if (part.title) lines.push(`${part.title}:`);
    const notice = problem ?? (parts ? null : view.notice?.(state));
    if (notice) lines.push(notice);
    const rows = part.view.rows(state);
    if (rows.length === 0) lines.push(part.view.emptyText?.(state) ?? 'nothing to show');
    else lines.push(...textTable(part.view.columns, rows, renderContext(state), width));
  }
  return lines.join('\n') + '\n';
}

export function onceJson(state: PgtopState, view: AnyView, parts?: readonly OncePart[]): string {
  const ctx = renderContext(state);
  const result = state.data.results[state.ui.screen as keyof typeof state.data.results];
  const rowsOf = (v: AnyView) => v.rows(state).map((row) => (v.json ? v.json(row, ctx) : row));
  const document = {
    screen: state.ui.screen,
    server: {
      version: state.connection.serverVersion,
      versionNum: state.connection.serverVersionNum,
      target: state.connection.target,
      ...state.data.header,
    },
    error: result?.disabled ?? result?.error ?? null,
    ...(parts ? Object.fromEntries(parts.map((p) => [p.key, rowsOf(p.view)])) : { rows: rowsOf(view) }),
  };
  return JSON.stringify(document, null, 2) + '\n';
}
