// Enabling pg_stat_statements from the statements screen: CREATE EXTENSION
// when the library is preloaded but the extension is not created in this
// database, ALTER EXTENSION … UPDATE when the server ships a newer version
// than the one installed (after a major upgrade). Preloading itself needs a
// restart, so pgtop only explains it.
// CREATE EXTENSION names its schema: pgtop's connections search only
// pg_catalog and pg_temp, and without SCHEMA the extension would land in
// pg_catalog. public is where it goes on a connection with the default path.
import { extensionOutdated, PG_STAT_STATEMENTS, type ExtensionStatus } from '../model/statements.js';
import type { ActionSpec } from './action.js';

const SCHEMA = 'public';
const CREATE = `CREATE EXTENSION IF NOT EXISTS ${PG_STAT_STATEMENTS} SCHEMA ${SCHEMA};`;
const UPDATE = `ALTER EXTENSION ${PG_STAT_STATEMENTS} UPDATE;`;

function describe(s: ExtensionStatus): string[] {
  return [
    `database   ${s.database}`,
    `installed  ${s.installedVersion ?? 'no'}`,
    `available  ${s.availableVersion ?? 'not shipped with this server'}`,
    `preloaded  ${s.preloaded === null ? 'unknown (needs pg_read_all_settings to see)' : s.preloaded ? 'yes' : 'no'}`,
  ];
}

export const createStatementsExtension: ActionSpec<ExtensionStatus> = {
  id: 'createStatementsExtension',
  danger: 'confirm',
  title: (s) => `Create the pg_stat_statements extension in database ${s.database}?`,
  sql: () => CREATE,
  details: (s) => [...describe(s), `schema     ${SCHEMA} (its view and functions go there)`, 'Needs a superuser (or the database owner where the extension is trusted).'],
  refuse: (s) => {
    if (!s.availableVersion) return 'this server does not ship pg_stat_statements (install the PostgreSQL contrib package)';
    if (s.preloaded === false) {
      return "pg_stat_statements is not in shared_preload_libraries: add it (ALTER SYSTEM SET shared_preload_libraries = 'pg_stat_statements') and restart the server first";
    }
    if (s.installedVersion) return `pg_stat_statements ${s.installedVersion} is already created in ${s.database}`;
    return null;
  },
  async run(ctx, s) {
    const client = await ctx.client();
    await client.query(CREATE);
    return `created pg_stat_statements in ${s.database} (schema ${SCHEMA})`;
  },
};

export const updateStatementsExtension: ActionSpec<ExtensionStatus> = {
  id: 'updateStatementsExtension',
  danger: 'confirm',
  title: (s) => `Update pg_stat_statements from ${s.installedVersion} to ${s.availableVersion}?`,
  sql: () => UPDATE,
  details: (s) => [...describe(s), 'Brings its views and functions up to the server: newer columns, fixed functions.'],
  refuse: (s) => (extensionOutdated(s) ? null : `pg_stat_statements ${s.installedVersion ?? ''} is already the newest this server ships`),
  async run(ctx, s) {
    const client = await ctx.client();
    await client.query(UPDATE);
    const version = (await client.query<{ v: string }>("SELECT extversion AS v FROM pg_extension WHERE extname = 'pg_stat_statements'")).rows[0]?.v;
    return `pg_stat_statements in ${s.database} is now ${version ?? s.availableVersion}`;
  },
};
