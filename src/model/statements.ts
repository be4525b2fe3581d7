// pg_stat_statements: its status in a database, and one statement's figures.

export const PG_STAT_STATEMENTS = 'pg_stat_statements';

/** Where pg_stat_statements stands on this connection's database. */
export interface ExtensionStatus {
  database: string;
  /** pg_extension.extversion in this database; null when not created here. */
  installedVersion: string | null;
  schema: string | null;
  /** The version the server's files provide (ALTER EXTENSION … UPDATE goes there); null when not shipped. */
  availableVersion: string | null;
  /** In shared_preload_libraries; null when this role may not read that setting. */
  preloaded: boolean | null;
  /** shared_preload_libraries as set (null when hidden from this role): what to keep when adding to it. */
  preloadLibraries: string | null;
  /** Member of pg_read_all_stats: sees every user's statements. */
  seesAll: boolean;
}

/** An extension version as the .sql files are named: "1.8" → 10800, "1.10" → 11000; null when not a version. */
export function extensionVersionNum(version: string | null): number | null {
  const match = version ? /^(\d+)\.(\d+)/.exec(version) : null;
  return match ? Number(match[1]) * 10000 + Number(match[2]) * 100 : null;
}

/** True when ALTER EXTENSION … UPDATE would bring a newer version. */
export function extensionOutdated(status: ExtensionStatus): boolean {
  const installed = extensionVersionNum(status.installedVersion);
  const available = extensionVersionNum(status.availableVersion);
  return installed !== null && available !== null && installed < available;
}

/** Which pg_stat_statements entry a row is: what reads its text name it by. */
export interface StatementRef {
  /** The role's and the database's oids, as text. */
  userId: string | null;
  dbId: string | null;
  queryId: string | null;
  /** Top-level statement (null before pg_stat_statements 1.9). */
  toplevel: boolean | null;
}

/** One normalized statement: its totals since the statistics were last reset. */
export interface Statement extends StatementRef {
  /** Unique per row: queryid, database, user and whether it ran at top level. */
  key: string;
  database: string | null;
  user: string | null;
  /**
   * The first QUERY_PREFIX_CHARS characters of the text (src/db/queries/statements/texts.ts):
   * the list never reads whole texts. Empty when hidden or not read.
   */
  query: string;
  /** The whole text's length in characters; null when the text was not read. */
  queryLength: number | null;
  /** Why the text was not read (it took too long), or null. */
  textError: string | null;
  /** Another user's statement and this role lacks pg_read_all_stats: no queryid, no text. */
  hidden: boolean;
  calls: number;
  rows: number;
  /** Execution plus planning time (planning only counts with pg_stat_statements.track_planning). */
  totalMs: number;
  execMs: number;
  planMs: number | null;
  meanMs: number;
  minMs: number | null;
  maxMs: number | null;
  stddevMs: number | null;
  sharedHit: number;
  sharedRead: number;
  sharedDirtied: number;
  sharedWritten: number;
  tempRead: number;
  tempWritten: number;
  /** Time spent reading and writing blocks (needs track_io_timing). */
  ioMs: number | null;
  /** shared_blks_hit / (hit + read), 0..1; null when it read no blocks. */
  hitRatio: number | null;
}

/** A row's key, from what names its entry (the texts' rows rebuild it to find their statement). */
export function statementKey(ref: StatementRef, hiddenBy = ''): string {
  // Hidden rows have no queryid: their totals tell them apart well enough.
  return [ref.queryId ?? `hidden:${hiddenBy}`, ref.dbId ?? '', ref.userId ?? '', ref.toplevel === false ? 'nested' : 'top'].join('/');
}

/** A statement's text (read apart from the list, src/db/queries/statements/texts.ts): its first characters (or all of it) and its whole length. */
export interface StatementText {
  key: string;
  text: string;
  /** In characters, as the server counts them. */
  length: number;
}
