-- Statement texts: pg_stat_statements 1.4–1.8 (no toplevel): the first $2 characters (all of it when $2 is null) and the length of the statements $1 names
-- $1: a JSON array of {"userid", "dbid", "queryid"}. Reading any text makes the server load and copy every statement's text (it has no way to read one),
-- so this runs for the statements new to the list, and for one when its details open; never on every refresh.
SELECT s.userid::text AS userid, s.dbid::text AS dbid, s.queryid::text AS queryid, NULL::bool AS toplevel,
       CASE WHEN $2::int IS NULL THEN s.query ELSE left(s.query, $2::int) END AS query,
       length(s.query) AS query_length
FROM @extschema@.pg_stat_statements(true) s
JOIN jsonb_to_recordset($1::jsonb) AS k(userid oid, dbid oid, queryid int8)
  ON s.userid = k.userid AND s.dbid = k.dbid AND s.queryid = k.queryid
