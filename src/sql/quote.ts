// The one place names and values are quoted for SQL that pgtop shows and
// runs. Role names and PASSWORD cannot be bind parameters in CREATE/ALTER
// ROLE or GRANT, so they are quoted here, by libpq's rules
// (PQescapeIdentifier, PQescapeLiteral; node-postgres's escapeIdentifier and
// escapeLiteral are the same, a unit test holds them equal, and they are not
// imported so that views and the model need no database client). Pure, so
// views may show exactly what will run.

/** "name" with every " doubled: safe for any role, schema or database name. */
export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** 'value' with ' and \ doubled, as E'…' when it holds a backslash (right whatever standard_conforming_strings says). */
export function quoteLiteral(value: string): string {
  const body = value.replaceAll("'", "''").replaceAll('\\', '\\\\');
  return value.includes('\\') ? ` E'${body}'` : `'${body}'`;
}

// The key words quote_ident() quotes: every one that is not unreserved (pg_get_keywords() of
// PostgreSQL 15, and those 16–18 added). A name that is one needs quotes to be read as a name.
const RESERVED = new Set(
  ('all analyse analyze and any array as asc asymmetric authorization between bigint binary bit boolean both case ' +
    'cast char character check coalesce collate collation column concurrently constraint create cross ' +
    'current_catalog current_date current_role current_schema current_time current_timestamp current_user dec ' +
    'decimal default deferrable desc distinct do else end except exists extract false fetch float for foreign ' +
    'freeze from full grant greatest group grouping having ilike in initially inner inout int integer intersect ' +
    'interval into is isnull join json json_array json_arrayagg json_exists json_object json_objectagg json_query ' +
    'json_scalar json_serialize json_table json_value lateral leading least left like limit localtime ' +
    'localtimestamp merge_action national natural nchar none normalize not notnull null nullif numeric offset on ' +
    'only or order out outer overlaps overlay placing position precision primary real references returning right ' +
    'row select session_user setof similar smallint some substring symmetric system_user table tablesample then ' +
    'time timestamp to trailing treat trim true union unique user using values varchar variadic verbose when where ' +
    'window with xmlattributes xmlconcat xmlelement xmlexists xmlforest xmlnamespaces xmlparse xmlpi xmlroot ' +
    'xmlserialize xmltable').split(' '),
);

/** A name as PostgreSQL's quote_ident() writes it: bare when it can be (for SQL people read), else as quoteIdent. */
export function quoteName(name: string): string {
  return /^[a-z_][a-z0-9_$]*$/.test(name) && !RESERVED.has(name) ? name : quoteIdent(name);
}
