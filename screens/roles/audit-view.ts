// The roles screen's second view (`A`): the security audit, worst first;
// Enter shows a finding's evidence and its fix as SQL.
import type { CellTone, Column } from '../../src/render/table.js';
import type { Severity } from '../../src/model/audit.js';
import type { FindingRow } from './data.js';

const SEVERITY_TONE: Record<Severity, CellTone> = { high: 'alert', medium: 'warn', unchecked: 'warn', low: 'normal', info: 'dim' };

export const findingColumns: readonly Column<FindingRow>[] = [
  {
    id: 'severity',
    title: 'SEVERITY',
    width: 9,
    text: (r) => (r.finding.severity === 'unchecked' ? 'unchecked' : r.finding.severity),
    tone: (r) => SEVERITY_TONE[r.finding.severity],
  },
  { id: 'check', title: 'CHECK', width: 30, priority: 2, text: (r) => r.finding.title },
  { id: 'subject', title: 'ABOUT', width: 20, priority: 1, text: (r) => r.finding.subject },
  { id: 'evidence', title: 'EVIDENCE', width: 'flex', minWidth: 18, text: (r) => r.finding.evidence },
];

export function findingMatches(row: FindingRow, filter: string): boolean {
  if (!filter) return true;
  const needle = filter.toLowerCase();
  const f = row.finding;
  return [f.severity, f.title, f.subject, f.evidence].some((field) => field.toLowerCase().includes(needle));
}

/** Enter on a finding; the last field (evidence and fix) wraps, so nothing is cut. */
export function findingDetail(row: FindingRow): [string, string][] {
  const f = row.finding;
  return [
    ['severity', f.severity === 'unchecked' ? 'not checked: this role may not read what the check needs' : f.severity],
    ['check', f.title],
    ['about', f.subject],
    ['why it matters', f.why],
    ['evidence, and the fix as SQL', `${f.evidence}\n\n${f.fix}`],
  ];
}
