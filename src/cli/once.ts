// `--once`: the chosen screen printed once, as text or as JSON, for scripts
// and cron. The same views and columns as the dashboard. What failed to load
// is said where its rows would be (never the empty text) and in the JSON's
// "error"; the caller exits 1 then.
import type { OncePart } from '../../screens/definition.js';
import type { ScreenFailure } from '../../screens/index.js';
import { compactNumber, duration, percent } from '../format/format.js';
import { poolerText } from '../model/pooler.js';
import { renderContext, viewColumns, type AnyScreenView } from '../render/screen-view.js';
import { textTable } from '../render/table.js';
import { terminalJson, terminalLines } from '../render/terminal-text.js';
import { roleText, serverRole } from '../model/header.js';
import type { PgtopState } from '../store/store.js';

type AnyView = AnyScreenView;

export type { OncePart };

export function onceText(state: PgtopState, view: AnyView, width: number, parts?: readonly OncePart[], failures: readonly ScreenFailure[] = []): string {
  const h = state.data.header;
  const c = state.connection;
  const lines = [
    `pgtop  PostgreSQL ${c.serverVersion ?? '?'}${roleText(h)}  db ${h?.database ?? '?'}  user ${h?.user ?? '?'}  ${c.target}${c.pooler ? `  ${poolerText(c.pooler)}` : ''}`,
    `up ${h ? duration(h.uptimeSeconds) : '?'}  conn ${h ? `${h.connections}/${h.maxConnections}` : '?'}  cache hit ${percent(state.data.rates.cacheHitRatio)}  TPS ${compactNumber(state.data.rates.tps)}`,
  ];
  const said = new Set<ScreenFailure>();
  const body: string[] = [];
  for (const part of parts ?? [{ title: '', key: 'rows', view }]) {
    body.push('');
    if (part.title) body.push(`${part.title}:`);
    // A part shows its own source's failure; a part that has no one source (a whole screen, the audit) every failure.
    const own = failures.filter((f) => part.source === undefined || f.source === part.source);
    for (const failure of own) {
      said.add(failure);
      body.push(`error: ${failure.text}`);
    }
    const notice = parts ? null : view.notice?.(state);
    if (notice) body.push(notice);
    const rows = part.view.rows(state);
    if (rows.length > 0) body.push(...textTable(viewColumns(part.view, state), rows, renderContext(state), width));
    else if (own.length === 0) body.push(part.view.emptyText?.(state) ?? 'nothing to show');
  }
  const unsaid = failures.filter((f) => !said.has(f));
  if (unsaid.length) lines.push('', ...unsaid.map((f) => `error: ${f.text}`));
  lines.push(...body);
  // No colours here, so no escape sequence of pgtop's own: every line, whatever
  // it holds (names, query texts, errors), is terminal text. Cells were already.
  return lines.flatMap((line) => terminalLines(line)).join('\n') + '\n';
}

/** The JSON document: the exact text, escaped the JSON way (terminalJson); every failure in "error" and "errors". */
export function onceJson(state: PgtopState, view: AnyView, parts?: readonly OncePart[], failures: readonly ScreenFailure[] = []): string {
  const ctx = renderContext(state);
  const rowsOf = (v: AnyView): unknown[] => (v.rows(state) as unknown[]).map((row) => (v.json ? v.json(row, ctx) : row));
  const document = {
    screen: state.ui.screen,
    server: {
      version: state.connection.serverVersion,
      versionNum: state.connection.serverVersionNum,
      target: state.connection.target,
      role: serverRole(state.data.header),
      pooler: state.connection.pooler,
      ...state.data.header,
    },
    error: failures.length ? failures.map((f) => f.text).join('; ') : null,
    // "query": the source that failed (its name from before there were other sources than queries).
    errors: failures.map((f) => ({ query: f.source, message: f.text })),
    ...(parts ? Object.fromEntries(parts.map((p) => [p.key, rowsOf(p.view)])) : { rows: rowsOf(view) }),
  };
  return terminalJson(document, 2) + '\n';
}
