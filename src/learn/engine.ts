// The guided session's engine, without I/O: where the learner is, moving
// between steps, filling placeholders, picking SQL by server version,
// planning what a step will run, recording what it did, and evaluating
// checks through a runner function it is given (live.ts runs them against
// the server; tests pass their own).
import { quoteLiteral, quoteName } from '../sql/quote.js';
import type { Check, CheckResult, Part, Statement, Step, VersionedSql } from './types.js';

export interface Position {
  part: number;
  step: number;
}

/** Something the session created, and how reset removes it. */
export interface Created {
  label: string;
  step: string;
  undo: string[];
}

/** What is saved per server (progress file) and resumed. */
export interface Progress {
  version: 1;
  /** host:port/database: which server this is about (never a password). */
  server: string;
  position: Position;
  /** Step id → when it last ran successfully (ISO time). */
  ran: Record<string, string>;
  /** Part parameters as the server gave them (null: there was none). */
  params: Record<string, string | null>;
  /** In creation order; reset undoes them in reverse. */
  created: Created[];
}

export function emptyProgress(server: string): Progress {
  return { version: 1, server, position: { part: 0, step: 0 }, ran: {}, params: {}, created: [] };
}

/** A progress file's contents, if they are one; anything else starts afresh. */
export function parseProgress(text: string, server: string, parts: readonly Part[]): Progress {
  try {
    const data = JSON.parse(text) as Partial<Progress>;
    if (data.version !== 1 || typeof data.ran !== 'object' || !Array.isArray(data.created)) return emptyProgress(server);
    const progress: Progress = {
      version: 1,
      server,
      position: data.position ?? { part: 0, step: 0 },
      ran: data.ran ?? {},
      params: data.params ?? {},
      created: data.created,
    };
    return { ...progress, position: clampPosition(parts, progress.position) };
  } catch {
    return emptyProgress(server);
  }
}

function clampPosition(parts: readonly Part[], position: Position): Position {
  const part = Math.min(Math.max(0, position.part | 0), parts.length - 1);
  const steps = parts[part]?.steps.length ?? 1;
  return { part, step: Math.min(Math.max(0, position.step | 0), steps - 1) };
}

export interface StepRef {
  part: Part;
  step: Step;
  position: Position;
  /** 0-based index over the whole session. */
  index: number;
}

export function allSteps(parts: readonly Part[]): StepRef[] {
  const refs: StepRef[] = [];
  parts.forEach((part, p) => part.steps.forEach((step, s) => refs.push({ part, step, position: { part: p, step: s }, index: refs.length })));
  return refs;
}

export function currentStep(parts: readonly Part[], progress: Progress): StepRef {
  const { part, step } = clampPosition(parts, progress.position);
  return allSteps(parts).find((r) => r.position.part === part && r.position.step === step)!;
}

/** n / → (delta 1), b / ← (delta -1): across parts, stopping at either end. */
export function move(parts: readonly Part[], progress: Progress, delta: number): Progress {
  const steps = allSteps(parts);
  const here = currentStep(parts, progress).index;
  const next = steps[Math.min(Math.max(0, here + delta), steps.length - 1)]!;
  return { ...progress, position: next.position };
}

export interface SessionSummary {
  ran: number;
  total: number;
}

export function summary(parts: readonly Part[], progress: Progress): SessionSummary {
  const steps = allSteps(parts);
  return { ran: steps.filter((r) => progress.ran[r.step.id]).length, total: steps.length };
}

export function progressBar(done: number, total: number, width: number): string {
  const filled = total === 0 ? 0 : Math.round((done / total) * width);
  return '█'.repeat(filled) + '░'.repeat(Math.max(0, width - filled));
}

export function recordRan(progress: Progress, stepId: string, at: Date): Progress {
  return { ...progress, ran: { ...progress.ran, [stepId]: at.toISOString() } };
}

export function recordCreated(progress: Progress, created: Created[]): Progress {
  const known = new Set(progress.created.map((c) => c.label));
  return { ...progress, created: [...progress.created, ...created.filter((c) => !known.has(c.label))] };
}

// ---------------------------------------------------------------------------
// Placeholders

export interface FillContext {
  database: string;
  user: string;
  backupDir: string;
  params: Record<string, string | null>;
}

/** A parameter the text needs and the server did not give, with what to say instead. */
/** A name as quote_ident() or format('%I') writes it, optionally schema-qualified: bare lower-case, or double-quoted with "" inside. */
const QUALIFIED_NAME = /^(?:[a-z_][a-z0-9_$]*|"(?:[^"]|"")+")(?:\.(?:[a-z_][a-z0-9_$]*|"(?:[^"]|"")+"))?$/;

/** A parameter that is not a name where SQL wants one: refused, never run. */
export class UnsafeParam extends Error {
  constructor(
    readonly param: string,
    value: string,
  ) {
    super(`${param} from the server is not a name (${JSON.stringify(value.slice(0, 60))}): pgtop does not put it into SQL`);
  }
}

export class MissingParam extends Error {
  constructor(readonly param: string) {
    super(`missing ${param}`);
  }
}

/**
 * Fills {database}, {user}, {backup_dir} and part parameters. 'sql' quotes
 * names as identifiers ({x:literal} as literals); 'text' writes them plain.
 * {password:ROLE} is left for the live runner. Throws MissingParam when a
 * parameter the server had no value for is used.
 */
export function fill(text: string, ctx: FillContext, mode: 'sql' | 'text'): string {
  return text.replace(/\{([a-z_]+)(?::(literal))?\}/g, (whole, name: string, literal?: string) => {
    let value: string | null | undefined;
    let identifier = true;
    if (name === 'database') value = ctx.database;
    else if (name === 'user') value = ctx.user;
    else if (name === 'backup_dir') {
      value = ctx.backupDir;
      identifier = false;
    } else if (name in ctx.params) {
      value = ctx.params[name];
      // Parameters come from the server already quoted (format('%I.%I')) or as plain data.
      identifier = false;
      if (value === null) throw new MissingParam(name);
      // Spliced into SQL as it is, a parameter must be a name and nothing else: it came from the server (and was
      // remembered in the progress file), so a value that is more than a name is refused, never run.
      if (mode === 'sql' && !literal && value !== undefined && !QUALIFIED_NAME.test(value)) throw new UnsafeParam(name, value);
    } else return whole;
    if (value === undefined) return whole;
    if (mode === 'text') return value;
    if (literal) return quoteLiteral(value);
    return identifier ? quoteName(value) : value;
  });
}

/** The SQL for this server: the first variant whose minVersion it reaches (newest first in the data). */
export function pickSql(variants: readonly VersionedSql[], serverVersionNum: number): string {
  const sorted = [...variants].sort((a, b) => b.minVersion - a.minVersion);
  const chosen = sorted.find((v) => serverVersionNum >= v.minVersion) ?? sorted.at(-1);
  return chosen?.sql ?? '';
}

/** Why a step or check cannot be filled, in words (the part's `missing` text), or null when it can. */
export function missingReason(part: Part, error: unknown, ctx: FillContext): string | null {
  if (!(error instanceof MissingParam)) return null;
  const def = part.params?.find((p) => p.name === error.param);
  try {
    return def ? fill(def.missing, ctx, 'text') : `${error.param} is not known`;
  } catch {
    return def?.missing ?? `${error.param} is not known`;
  }
}

/** Text for people: placeholders filled, or named when the server had no value. Never throws. */
export function fillText(text: string, ctx: FillContext): string {
  try {
    return fill(text, ctx, 'text');
  } catch {
    return text.replace(/\{([a-z_]+)(?::literal)?\}/g, '$1');
  }
}

/** A step's whole explanation (the e key): what it teaches, then what the seed got wrong. */
export function explanation(step: Step, ctx: FillContext): string[] {
  const text = (t: string) => fillText(t, ctx);
  return [...text(step.explain).split('\n').filter(Boolean), ...(step.seedFix ? ['', `Fixed from the seed: ${text(step.seedFix)}`] : [])];
}

// ---------------------------------------------------------------------------
// What a step will run

/** A change step's statement, filled, with its guard. */
export interface PlannedStatement {
  /** As sent (still holding {password:ROLE}, which the runner replaces by a SCRAM verifier). */
  sql: string;
  /** As shown before it runs: passwords as ‹generated›, the guard as a comment. */
  display: string;
  unless?: string;
  onlyIfCreatedBefore?: string;
  creates?: { label: string; undo: string[] };
}

const PASSWORD = /\{password:([a-z_][a-z0-9_]*)\}/g;

export function planStatements(statements: readonly Statement[], ctx: FillContext): PlannedStatement[] {
  return statements.map((s) => {
    const sql = fill(s.sql, ctx, 'sql');
    const shown = sql.replace(PASSWORD, "'‹generated›'");
    const guard = s.unless
      ? '   -- skipped when it exists already'
      : s.onlyIfCreatedBefore
        ? `   -- only when this session created ${fill(s.onlyIfCreatedBefore.replace(/^\w+ /, ''), ctx, 'text')} earlier`
        : '';
    return {
      sql,
      display: `${shown};${guard}`,
      unless: s.unless === undefined ? undefined : fill(s.unless, ctx, 'sql'),
      onlyIfCreatedBefore: s.onlyIfCreatedBefore === undefined ? undefined : fill(s.onlyIfCreatedBefore, ctx, 'text'),
      creates: s.creates && { label: fill(s.creates.label, ctx, 'text'), undo: s.creates.undo.map((u) => fill(u, ctx, 'sql')) },
    };
  });
}

/** The roles whose passwords a statement sets. */
export function passwordRoles(sql: string): string[] {
  return [...sql.matchAll(PASSWORD)].map((m) => m[1]!);
}

/** Reset's statements: every undo, newest creation first. */
export function undoPlan(progress: Progress): { label: string; statements: string[] }[] {
  return [...progress.created].reverse().map((c) => ({ label: c.label, statements: c.undo }));
}

// ---------------------------------------------------------------------------
// Parameters and checks

/** Looks a parameter up on the server: its one value, or null. */
export type ParamRunner = (sql: string) => Promise<string | null>;

/** The part's parameters not yet known, looked up in order (later ones may use earlier ones). */
export async function resolveParams(part: Part, progress: Progress, ctx: Omit<FillContext, 'params'>, run: ParamRunner): Promise<Progress> {
  let params = { ...progress.params };
  for (const def of part.params ?? []) {
    // A value is kept (later checks ask about the same table); a lookup that found nothing is tried again (the extension may exist by now).
    if (params[def.name] !== undefined && params[def.name] !== null) continue;
    let value: string | null;
    try {
      value = await run(fill(def.sql, { ...ctx, params }, 'sql'));
    } catch (error) {
      if (!(error instanceof MissingParam)) throw error;
      value = null;
    }
    params = { ...params, [def.name]: value };
  }
  return { ...progress, params };
}

/** A check with its placeholders filled, ready for the runner. */
export type FilledCheck = Check;

export type CheckRunner = (check: FilledCheck) => Promise<Omit<CheckResult, 'criterion'>>;

function fillCheck(check: Check, ctx: FillContext): FilledCheck {
  const text = (t: string) => fill(t, ctx, 'text');
  const sql = (t: string) => fill(t, ctx, 'sql');
  switch (check.kind) {
    case 'sql':
      return { ...check, criterion: text(check.criterion), sql: sql(check.sql) };
    case 'role':
      return {
        ...check,
        criterion: text(check.criterion),
        probe: check.probe.kind === 'privileges' ? { ...check.probe, sql: sql(check.probe.sql) } : check.probe,
      };
    case 'backup':
      return { ...check, criterion: text(check.criterion), contains: check.contains && text(check.contains) };
    case 'restored':
      return { ...check, criterion: text(check.criterion), database: text(check.database) };
  }
}

/** Every check of a step, one result each, in order; a runner's error is a ✗ with the error as the reason. */
export async function evaluateChecks(part: Part, step: Step, ctx: FillContext, run: CheckRunner): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  for (const check of step.checks ?? []) {
    // As the learner reads it, even when the check cannot be filled.
    const criterion = fillText(check.criterion, ctx);
    let filled: FilledCheck;
    try {
      filled = fillCheck(check, ctx);
    } catch (error) {
      results.push({ criterion, ok: false, reason: missingReason(part, error, ctx) ?? oneLineMessage(error) });
      continue;
    }
    try {
      const { ok, reason } = await run(filled);
      results.push({ criterion, ok, reason });
    } catch (error) {
      results.push({ criterion, ok: false, reason: oneLineMessage(error) });
    }
  }
  return results;
}

export function oneLineMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/\s*\n\s*/g, ' ').trim() || 'unknown error';
}
