// Quoting names and values for SQL that pgtop shows and runs. Role names
// and PASSWORD cannot be bind parameters in CREATE/ALTER ROLE or GRANT, so
// they are quoted here, by libpq's rules (PQescapeIdentifier,
// PQescapeLiteral; pg's escapeIdentifier/escapeLiteral are the same, a unit
// test holds them equal). Pure, so views may show exactly what will run.

/** "name" with every " doubled: safe for any role, schema or database name. */
export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** 'value' with ' and \ doubled, as E'…' when it holds a backslash (right whatever standard_conforming_strings says). */
export function quoteLiteral(value: string): string {
  const body = value.replaceAll("'", "''").replaceAll('\\', '\\\\');
  return value.includes('\\') ? ` E'${body}'` : `'${body}'`;
}
