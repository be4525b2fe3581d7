// The guided session as data. A part (one file per part in parts/) is a
// list of steps; a step explains, runs one thing (a query, statements that
// change the server, a backup, a restore, or nothing), and names the success
// criteria that are checked live against the server. The parts hold only
// literals — strings, numbers, arrays, objects — no functions: a unit test
// checks that each part survives a JSON round trip. The engine (engine.ts)
// and the live runner (live.ts) give the data its meaning.
//
// Placeholders in text and SQL, filled by the engine (fill()):
//   {database}       the connected database, as an identifier (quoted when it must be)
//   {database:literal} the same as a string literal
//   {user}           the connected user, as an identifier
//   {backup_dir}     where backups go
//   {NAME}           a parameter of the part (params), as the server gave it
//   {NAME:literal}   that parameter as a string literal
//   {password:ROLE}  (statements only) a generated password, sent as its SCRAM verifier

export interface Part {
  /** 1…5, as in the seed. */
  number: number;
  id: string;
  title: string;
  /** The seed's time estimate. */
  minutes: number;
  intro: string;
  /**
   * Values looked up on the server when a step of this part is first shown
   * (the table with the most dead tuples…), remembered in the progress file
   * so later checks ask about the same thing. In order: later ones may use earlier ones.
   */
  params?: ParamDef[];
  steps: Step[];
}

export interface ParamDef {
  name: string;
  /** One row, one column: the value (NULL: there is none, and `missing` says why). */
  sql: string;
  /** Said when the query finds nothing, e.g. "no table in {database} yet". */
  missing: string;
}

export interface Step {
  /** Stable id, e.g. "users.app-user": the key of progress. */
  id: string;
  title: string;
  /** What the step teaches, in a few sentences; blank lines separate paragraphs. */
  explain: string;
  /** What the seed got wrong here, and why the step does it differently. */
  seedFix?: string;
  /** The pgtop screen that shows this step's result (o jumps there). */
  screen?: string;
  action: StepAction;
  checks?: Check[];
}

/** SQL that differs by server version: the first entry whose minVersion the server reaches. */
export interface VersionedSql {
  /** server_version_num, e.g. 130000; 0 for any. */
  minVersion: number;
  sql: string;
}

export type StepAction =
  /** Runs read-only (in a READ ONLY transaction) and shows the rows. */
  | { kind: 'query'; sql: VersionedSql[] }
  /** Changes the server: asks y/n first, showing every statement. */
  | { kind: 'change'; statements: Statement[]; passwords?: string[]; show?: string }
  /** A pg_dump (or pg_dumpall for globals) into the backup directory, verified before it gets its name. */
  | { kind: 'backup'; format: BackupFormat }
  /** Restores the newest full backup into a new database. */
  | { kind: 'restore'; into: string }
  /** Nothing to run: the step is reading (a command to schedule, say). */
  | { kind: 'read'; text: string };

export type BackupFormat = 'custom' | 'globals';

export interface Statement {
  sql: string;
  /** Skip the statement when this query returns a row (the object exists already). */
  unless?: string;
  /** When the statement ran: what it created, and how reset removes it again. */
  creates?: { label: string; undo: string[] };
  /** Run only when the session created `label` earlier (not in this run): e.g. a new password for its own role, never for someone else's. */
  onlyIfCreatedBefore?: string;
}

export type Check =
  /** One row or more of (ok boolean, reason text); passes when every row is ok. Runs READ ONLY, rolled back: a check never changes anything. */
  | { kind: 'sql'; criterion: string; sql: string }
  /**
   * A question about another role: its privileges answered by the privilege
   * functions on the admin's connection (never by acting as the role there);
   * `login`: also whether it can log in, by logging in when its password is
   * known (this run, ~/.pgpass).
   */
  | { kind: 'role'; criterion: string; role: string; login?: boolean; probe: RoleProbe; expect: 'allowed' | 'denied' }
  /** The newest pgtop backup of this kind in the backup directory, at most a day old, reads back. */
  | { kind: 'backup'; criterion: string; format: BackupFormat; contains?: string }
  /** Every table of the connected database is in `database`, with rows where the original has rows. */
  | { kind: 'restored'; criterion: string; database: string };

export type RoleProbe =
  /** The privilege on every table of the schema (has_any_column_privilege, and USAGE on the schema). */
  | { kind: 'tables'; privilege: 'SELECT' | 'INSERT'; schema: string }
  /** CREATE on the schema (has_schema_privilege). */
  | { kind: 'create'; schema: string }
  /** A query of privilege functions returning (ok, reason), with the role's name as $1; run READ ONLY on the admin's connection. */
  | { kind: 'privileges'; sql: string };

export interface CheckResult {
  criterion: string;
  ok: boolean;
  reason: string;
}
