// Every piece of SQL pgtop ships, and the functions it calls, derived from
// the source so that a new query is covered by itself: the .sql files of the
// query registry, every string of the guided session's parts, and the SQL
// inside string and template literals of src/, screens/ and hooks/ (read with
// the TypeScript parser, so comments and code are never taken for SQL).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { PARTS } from '../../src/learn/parts/index.js';
import { PACKAGE_ROOT, QUERIES_DIR } from './paths.js';

export interface SqlText {
  /** Where it was found: a file (and line), or the part's path. */
  source: string;
  text: string;
}

function filesUnder(dir: string, suffixes: readonly string[]): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && suffixes.some((s) => entry.name.endsWith(s)))
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
}

/** The registry's SQL files, one text each. */
export function queryFiles(): SqlText[] {
  return filesUnder(QUERIES_DIR, ['.sql']).map((file) => ({ source: file.slice(PACKAGE_ROOT.length + 1), text: readFileSync(file, 'utf8') }));
}

/** Every string anywhere in the guided session's parts (SQL, guards, undo statements, parameters, probes). */
export function sessionStrings(): SqlText[] {
  const found: SqlText[] = [];
  const walk = (value: unknown, path: string): void => {
    if (typeof value === 'string') found.push({ source: `session ${path}`, text: value });
    else if (Array.isArray(value)) value.forEach((item, i) => walk(item, `${path}[${i}]`));
    else if (value && typeof value === 'object') for (const [key, item] of Object.entries(value)) walk(item, `${path}.${key}`);
  };
  PARTS.forEach((part) => walk(part, part.id));
  return found;
}

// A literal that holds one of these words is taken for SQL; a false positive
// only adds plants, it never hides a call.
const SQL_WORD = /\b(select|from|where|join|returning|values|insert|update|delete|vacuum|analyze|reindex|create|alter|grant|revoke|drop|copy|show|set|with)\b/i;

/** SQL in string and template literals of pgtop's TypeScript (a template's ${…} parts become a placeholder). */
export function inlineSql(): SqlText[] {
  const dirs = ['src', 'screens', 'hooks'].map((d) => join(PACKAGE_ROOT, d));
  const found: SqlText[] = [];
  for (const file of dirs.flatMap((dir) => filesUnder(dir, ['.ts', '.tsx']))) {
    const code = readFileSync(file, 'utf8');
    const source = ts.createSourceFile(file, code, ts.ScriptTarget.Latest, true, file.endsWith('.tsx') ? ts.ScriptKind.TSX : ts.ScriptKind.TS);
    const visit = (node: ts.Node): void => {
      let text: string | null = null;
      if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) text = node.text;
      else if (ts.isTemplateExpression(node)) text = [node.head.text, ...node.templateSpans.map((span) => span.literal.text)].join(' x ');
      if (text !== null && text.includes('(') && SQL_WORD.test(text)) {
        const line = source.getLineAndCharacterOfPosition(node.getStart()).line + 1;
        found.push({ source: `${file.slice(PACKAGE_ROOT.length + 1)}:${line}`, text });
      }
      // A template's spans may hold more literals (nested templates, strings in ${…}).
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return found;
}

/** All three. */
export function shippedSql(): SqlText[] {
  return [...queryFiles(), ...sessionStrings(), ...inlineSql()];
}

// A name followed by "(": unqualified, or qualified with pg_catalog (a call
// made safe that way is still planted: it costs nothing and keeps the list
// honest). A name qualified with another schema is the user's own object.
const CALL = /(?<![\w$".])(?:pg_catalog\s*\.\s*)?([A-Za-z_][A-Za-z0-9_$]*)\s*\(/g;

/**
 * The lower-cased names called as functions in these texts, each with one
 * place that calls it. Keywords that take parentheses (IN, VALUES, OVER…)
 * come along too: the caller keeps only the names pg_catalog has.
 */
export function calledNames(texts: readonly SqlText[]): Map<string, string> {
  const names = new Map<string, string>();
  for (const { source, text } of texts) {
    for (const match of text.matchAll(CALL)) {
      const name = match[1]!.toLowerCase();
      if (!names.has(name)) names.set(name, source);
    }
  }
  return names;
}
