// The one query registry. Each query is SQL in src/db/queries/<area>/, one
// file per first server version it serves (`locks.sql`, then
// `locks_post_140000.sql` for 14 and later, as pg_activity names them), plus a
// pure mapper from raw rows. Version differences live here and nowhere else.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { QUERIES_DIR } from '../paths.js';
import { mapBackend } from './queries/activity/map.js';
import { mapHeader } from './queries/header/map.js';
import { mapLockParticipant } from './queries/locks/map.js';
import type { RawRow } from './queries/row.js';

interface QueryDefinition<Row> {
  /** Folder under src/db/queries and file stem of its .sql files. */
  area: string;
  /** What the query is for, shown when it is switched off. */
  title: string;
  map(row: RawRow): Row;
}

export const QUERIES = {
  header: { area: 'header', title: 'server summary', map: mapHeader },
  activity: { area: 'activity', title: 'activity', map: mapBackend },
  locks: { area: 'locks', title: 'blocking tree', map: mapLockParticipant },
} satisfies Record<string, QueryDefinition<unknown>>;

export type QueryId = keyof typeof QUERIES;
export type RowOf<Q extends QueryId> = ReturnType<(typeof QUERIES)[Q]['map']>;
export type RowsByQuery = { [Q in QueryId]: RowOf<Q>[] };

interface Variant {
  minVersion: number;
  file: string;
}

const variantCache = new Map<string, Variant[]>();

function variants(area: string): Variant[] {
  let list = variantCache.get(area);
  if (!list) {
    const pattern = new RegExp(`^${area}(?:_post_(\\d{6}))?\\.sql$`);
    list = readdirSync(join(QUERIES_DIR, area))
      .map((file) => ({ file, match: pattern.exec(file) }))
      .filter((entry) => entry.match)
      .map(({ file, match }) => ({ file, minVersion: Number(match![1] ?? 0) }))
      .sort((a, b) => b.minVersion - a.minVersion);
    variantCache.set(area, list);
  }
  return list;
}

const sqlCache = new Map<string, string>();

/** The SQL for a query on a server of this version (server_version_num). */
export function sqlFor(id: QueryId, serverVersionNum: number): string {
  const area = QUERIES[id].area;
  const variant = variants(area).find((v) => v.minVersion <= serverVersionNum);
  if (!variant) throw new Error(`no ${id} query for server version ${serverVersionNum}`);
  const path = join(QUERIES_DIR, area, variant.file);
  let sql = sqlCache.get(path);
  if (sql === undefined) {
    sql = readFileSync(path, 'utf8');
    sqlCache.set(path, sql);
  }
  return sql;
}

/** Which file serves a query on a version: for tests and `--debug` output. */
export function sqlFileFor(id: QueryId, serverVersionNum: number): string | undefined {
  return variants(QUERIES[id].area).find((v) => v.minVersion <= serverVersionNum)?.file;
}

export function mapRows<Q extends QueryId>(id: Q, rows: RawRow[]): RowOf<Q>[] {
  const map = QUERIES[id].map as (row: RawRow) => RowOf<Q>;
  return rows.map(map);
}
