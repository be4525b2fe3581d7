// The plants of the hostile tenant (test/support/hostile-tenant.ts): for each
// function pgtop's SQL calls (test/support/shipped-sql.ts), a look-alike of
// every pg_catalog overload in each schema the tenant can write, made
// concrete where pg_catalog's is VARIADIC "any", "any" or polymorphic (so
// that it wins by exact match), aggregates included; and operators over
// pairs of catalog types. Each plant records itself through the recorder
// (RECORDER.record, created by the fixture), then does what the real one does.
import pg from 'pg';
import { calledNames, shippedSql } from './shipped-sql.js';

/** The fixture's schema of the recorder: the plants call RECORDER.record('signature'). */
export const RECORDER = 'pgtop_hostile_recorder';

const ident = (name: string): string => pg.escapeIdentifier(name);
const literal = (value: string): string => pg.escapeLiteral(value);

/** Types a polymorphic argument is made concrete with (catalog columns are of these). */
const POLY_TYPES = ['text', 'name', 'oid', 'smallint', 'integer', 'bigint', 'double precision', 'numeric', 'boolean', '"char"', 'timestamp with time zone', 'interval', 'xid', 'regclass', 'inet', 'pg_lsn'];
/** Types a VARIADIC "any" or "any" argument is made concrete with. */
const ANY_TYPES = ['text', 'name', 'oid', 'integer', 'bigint', 'double precision', 'numeric', 'boolean', '"char"', 'timestamp with time zone', 'interval', 'regclass'];
const ANY_CORE = ['text', 'name', 'oid', 'integer', 'bigint', 'double precision', 'numeric', 'boolean'];
const POLY = /\b(anyelement|anyarray|anynonarray|anycompatible|anycompatiblearray|anycompatiblenonarray)\b/;
const POLY_ALL = new RegExp(POLY.source, 'g');
const UNSUPPORTED_POLY = /\b(anyenum|anyrange|anymultirange|anycompatiblerange|anycompatiblemultirange)\b/;
const PSEUDO = /^(internal|cstring|record|trigger|event_trigger|language_handler|fdw_handler|table_am_handler|index_am_handler|tsm_handler|pg_ddl_command|opaque|unknown)$/;

/** Operators planted over pairs of catalog types, where pg_catalog can evaluate them. */
const OPERATORS = ['=', '<>', '~', '!~', '~~', '!~~', '~*', '<', '>', '<=', '>=', '+', '-', '||', '@>', '<@', '&&'];
const OPERATOR_TYPES = ['name', 'text', 'oid', '"char"', 'integer', 'bigint', 'double precision', 'numeric'];

interface ProcRow {
  name: string;
  kind: 'f' | 'a' | 'w' | 'p';
  aggkind: string | null;
  retset: boolean;
  variadic: boolean;
  in_types: string[];
  ret: string;
  arguments: string;
  result: string;
  has_out: boolean;
}

export interface SkippedPlant {
  signature: string;
  reason: string;
}

interface PlantSql {
  signature: string;
  statements: string[];
}

/** Combinations for a VARIADIC "any" tail: every type alone, pairs, triples and the key/value shapes of json_build_object. */
function variadicAnyTails(): string[][] {
  const tails: string[][] = ANY_TYPES.map((t) => [t]);
  for (const a of ANY_CORE) for (const b of ANY_CORE) tails.push([a, b]);
  const few = ['text', 'name', 'integer', 'bigint'];
  for (const a of few) for (const b of few) for (const c of few) tails.push([a, b, c]);
  for (const a of ANY_CORE) for (const b of ANY_CORE) tails.push(['text', a, 'text', b]);
  for (const a of ['text', 'name']) for (const b of ['text', 'name']) for (const c of ['text', 'name']) for (const d of ['text', 'name']) tails.push([a, b, c, d]);
  const seen = new Set<string>();
  return tails.filter((t) => !seen.has(t.join(',')) && seen.add(t.join(',')));
}

/** The concrete argument lists (and result type) a catalog function is planted with; a string says why it is not. */
function instantiations(p: ProcRow): { args: string[]; ret: string }[] | string {
  const all = [...p.in_types, p.ret];
  if (all.some((t) => UNSUPPORTED_POLY.test(t))) return 'enum and range polymorphism is not planted';
  const pseudoIn = p.in_types.find((t) => PSEUDO.test(t));
  if (pseudoIn) return `takes ${pseudoIn}`;
  if (PSEUDO.test(p.ret) && p.ret !== 'record') return `returns ${p.ret}`;
  const poly = all.some((t) => POLY.test(t));
  if (poly && p.has_out) return 'polymorphic with OUT parameters';
  const polyVariants: { args: string[]; ret: string }[] = poly
    ? POLY_TYPES.map((t) => {
        const sub = (type: string) =>
          type.replace(POLY_ALL, (m) => (m.endsWith('array') && !m.endsWith('nonarray') ? `${t}[]` : t));
        return { args: p.in_types.map(sub), ret: sub(p.ret) };
      })
    : [{ args: p.in_types, ret: p.ret }];
  const out: { args: string[]; ret: string }[] = [];
  for (const v of polyVariants) {
    const anyPositions = v.args.flatMap((t, i) => (t === '"any"' ? [i] : []));
    if (p.variadic && v.args.at(-1) === '"any"') {
      const head = v.args.slice(0, -1);
      if (head.includes('"any"')) return '"any" before VARIADIC "any"';
      for (const tail of variadicAnyTails()) out.push({ args: [...head, ...tail], ret: v.ret });
    } else if (anyPositions.length === 1) {
      for (const t of ANY_TYPES) out.push({ args: v.args.map((a, i) => (i === anyPositions[0] ? t : a)), ret: v.ret });
    } else if (anyPositions.length === 2) {
      for (const a of ANY_CORE) for (const b of ANY_CORE) out.push({ args: v.args.map((x, i) => (i === anyPositions[0] ? a : i === anyPositions[1] ? b : x)), ret: v.ret });
    } else if (anyPositions.length > 2) {
      return 'more than two "any" arguments';
    } else {
      out.push(v);
    }
  }
  return out;
}

const BODY_TAG = '$pgtop_plant$';

function recordCall(signature: string): string {
  return `SELECT ${RECORDER}.record(${literal(signature)});`;
}

/**
 * The statements that plant function p in schema s, one entry per signature.
 * Not plantable from SQL, and so skipped (the fixture lists them in `skipped`):
 * window functions (rank()), ordered-set and hypothetical-set aggregates
 * (rank("any") WITHIN GROUP), and enum or range polymorphism (max(anyenum),
 * min(anyenum), unnest(anymultirange)) — that is the whole list for the SQL
 * pgtop ships today.
 */
function plantFunction(p: ProcRow, schema: string, counter: () => number): PlantSql[] | string {
  if (p.kind === 'w') return 'window function (only C can define one)';
  if (p.kind === 'p') return 'procedure';
  if (p.kind === 'a' && p.aggkind !== 'n') return 'ordered-set or hypothetical-set aggregate';
  if (p.kind === 'a' && p.variadic) return 'variadic aggregate';
  const variants = instantiations(p);
  if (typeof variants === 'string') return variants;
  const s = ident(schema);
  const fn = ident(p.name);
  const verbatim = variants.length === 1 && variants[0]!.args === p.in_types;
  return variants.map(({ args, ret }) => {
    const signature = `${p.name}(${args.join(',')})`;
    const params = args.map((_, i) => `$${i + 1}`);
    if (p.kind === 'a') {
      const n = counter();
      const argsType = `${s}.${ident(`pgtop_hostile_aggargs_${n}`)}`;
      const step = `${s}.${ident(`pgtop_hostile_aggstep_${n}`)}`;
      const final = `${s}.${ident(`pgtop_hostile_aggfinal_${n}`)}`;
      const columns = args.map((t, i) => `a${i + 1} ${t}`).join(', ');
      const row = `ROW(${args.map((_, i) => `$${i + 2}`).join(', ')})::${argsType}`;
      const inner = args.length ? args.map((_, i) => `x.a${i + 1}`).join(', ') : '*';
      return {
        signature,
        statements: [
          `CREATE TYPE ${argsType} AS (${columns})`,
          `CREATE FUNCTION ${step}(${argsType}[]${args.map((t) => `, ${t}`).join('')}) RETURNS ${argsType}[] LANGUAGE sql AS ${BODY_TAG} SELECT pg_catalog.array_append($1, ${row}) ${BODY_TAG}`,
          `CREATE FUNCTION ${final}(${argsType}[]) RETURNS ${ret} LANGUAGE sql AS ${BODY_TAG} ${recordCall(signature)} SELECT pg_catalog.${fn}(${inner}) FROM pg_catalog.unnest($1) x ${BODY_TAG}`,
          `CREATE AGGREGATE ${s}.${fn}(${args.length ? args.join(', ') : '*'}) (SFUNC = ${step}, STYPE = ${argsType}[], FINALFUNC = ${final}, INITCOND = '{}')`,
        ],
      };
    }
    // The same parameters as pg_catalog's (names, OUT, DEFAULT, VARIADIC) when nothing had to be made concrete.
    const parameters = verbatim ? p.arguments : args.join(', ');
    const returns = verbatim ? p.result : `${p.retset ? 'SETOF ' : ''}${ret}`;
    const passed = verbatim && p.variadic ? [...params.slice(0, -1), `VARIADIC ${params.at(-1)}`] : params;
    const call = `pg_catalog.${fn}(${passed.join(', ')})`;
    if (ret === 'record' && !p.has_out) {
      // A bare record (jsonb_to_recordset): its caller's column list cannot be passed on, so this plant
      // records and returns nothing — not stealthy, but the attack it stands for is the same.
      return {
        signature,
        statements: [
          `CREATE FUNCTION ${s}.${fn}(${parameters}) RETURNS ${returns} LANGUAGE plpgsql AS ${BODY_TAG} BEGIN PERFORM ${RECORDER}.record(${literal(signature)}); ${p.retset ? 'RETURN' : 'RETURN NULL'}; END ${BODY_TAG}`,
        ],
      };
    }
    const select = p.retset || ret === 'record' ? `SELECT * FROM ${call}` : `SELECT ${call}`;
    return {
      signature,
      statements: [`CREATE FUNCTION ${s}.${fn}(${parameters}) RETURNS ${returns} LANGUAGE sql AS ${BODY_TAG} ${recordCall(signature)} ${select} ${BODY_TAG}`],
    };
  });
}

export interface Planting {
  /** Reads pg_catalog (a superuser's client, search_path pinned); the caller ends it. */
  catalog: () => Promise<pg.Client>;
  /** Runs the statements as the tenant, each on its own; the ones the server refused (1-based), with why. */
  asTenant: (statements: string[]) => Promise<{ i: number; error: string }[]>;
  /** The schemas the tenant can write, public among them. */
  schemas: string[];
}

export interface Planted {
  /** "public: format(text,name,name)", "own schema: operator name !~ name"… */
  planted: string[];
  skipped: SkippedPlant[];
  /** The called names pg_catalog has. */
  called: string[];
}

async function withCatalog<T>(open: () => Promise<pg.Client>, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = await open();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Plants every catalog function the shipped SQL calls, and the operators, in each schema, as the tenant. */
export async function plantEverything({ catalog, asTenant, schemas }: Planting): Promise<Planted> {
  const wanted = [...calledNames(shippedSql()).keys()];
  const procs = await withCatalog(catalog, (c) =>
    c.query<ProcRow>(
      `SELECT p.proname AS name, p.prokind AS kind, a.aggkind, p.proretset AS retset, p.provariadic <> 0 AS variadic,
              ARRAY(SELECT format_type(t, NULL) FROM unnest(p.proargtypes) WITH ORDINALITY u(t, i) ORDER BY i) AS in_types,
              format_type(p.prorettype, NULL) AS ret,
              pg_get_function_arguments(p.oid) AS arguments, pg_get_function_result(p.oid) AS result,
              p.proallargtypes IS NOT NULL AS has_out
         FROM pg_proc p LEFT JOIN pg_aggregate a ON a.aggfnoid = p.oid
        WHERE p.pronamespace = 'pg_catalog'::regnamespace AND p.proname = ANY($1)
        ORDER BY p.proname, p.oid`,
      [wanted],
    ),
  );
  const called = [...new Set(procs.rows.map((p) => p.name))];
  const skipped: SkippedPlant[] = [];
  const plants: PlantSql[] = [];
  let n = 0;
  const counter = () => ++n;
  for (const schema of schemas) {
    for (const p of procs.rows) {
      const made = plantFunction(p, schema, counter);
      if (typeof made === 'string') {
        if (schema === schemas[0]) skipped.push({ signature: `${p.name}(${p.in_types.join(',')})`, reason: made });
      } else {
        plants.push(...made.map((m) => ({ ...m, signature: `${schema === 'public' ? 'public' : 'own schema'}: ${m.signature}` })));
      }
    }
  }
  plants.push(...(await operatorPlants(catalog, schemas)));

  const statements = plants.flatMap((p) => p.statements);
  const owner = plants.flatMap((p) => p.statements.map(() => p));
  const failed = new Map<PlantSql, string>();
  for (const f of await asTenant(statements)) failed.set(owner[f.i - 1]!, f.error);
  for (const [plant, error] of failed) skipped.push({ signature: plant.signature, reason: `the server refused it: ${error}` });
  return { planted: plants.filter((p) => !failed.has(p)).map((p) => p.signature), skipped, called };
}

/** Operators over pairs of catalog types, wherever pg_catalog's operator of that name takes the pair (exactly or by implicit cast). */
async function operatorPlants(catalog: () => Promise<pg.Client>, schemas: string[]): Promise<PlantSql[]> {
  const pairs = OPERATORS.flatMap((op) => OPERATOR_TYPES.flatMap((l) => OPERATOR_TYPES.map((r) => ({ op, l, r }))));
  // What pg_catalog gives for each pair (null: it has no such operator, even through casts).
  const resolved = await withCatalog(catalog, async (c) => {
    await c.query(`
      CREATE FUNCTION pg_temp.result_type(l text, op text, r text) RETURNS text LANGUAGE plpgsql AS $f$
      DECLARE t text;
      BEGIN
        EXECUTE format('SELECT pg_catalog.format_type(pg_catalog.pg_typeof(NULL::%s OPERATOR(pg_catalog.%s) NULL::%s), NULL)', l, op, r) INTO t;
        RETURN t;
      EXCEPTION WHEN OTHERS THEN RETURN NULL;
      END $f$`);
    const r = await c.query<{ l: string; op: string; r: string; result: string | null }>(
      'SELECT l, op, r, pg_temp.result_type(l, op, r) AS result FROM unnest($1::text[], $2::text[], $3::text[]) AS x(l, op, r)',
      [pairs.map((p) => p.l), pairs.map((p) => p.op), pairs.map((p) => p.r)],
    );
    return r.rows;
  });
  const plants: PlantSql[] = [];
  let n = 0;
  for (const schema of schemas) {
    const s = ident(schema);
    for (const { l, op, r, result } of resolved) {
      if (!result) continue;
      n += 1;
      const fn = `${s}.${ident(`pgtop_hostile_op_${n}`)}`;
      const signature = `operator ${l} ${op} ${r}`;
      plants.push({
        signature: `${schema === 'public' ? 'public' : 'own schema'}: ${signature}`,
        statements: [
          `CREATE FUNCTION ${fn}(${l}, ${r}) RETURNS ${result} LANGUAGE sql AS ${BODY_TAG} ${recordCall(signature)} SELECT $1 OPERATOR(pg_catalog.${op}) $2 ${BODY_TAG}`,
          `CREATE OPERATOR ${s}.${op} (LEFTARG = ${l}, RIGHTARG = ${r}, FUNCTION = ${fn})`,
        ],
      });
    }
  }
  return plants;
}
