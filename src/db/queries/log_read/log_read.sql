-- A slice of a log file by byte offset: $1 the file (relative to the data directory, or absolute), $2 the offset, $3 how many bytes; bytes, so a cut through a UTF-8 character is no error (superuser or EXECUTE granted)
SELECT pg_read_binary_file($1::text, $2::bigint, $3::bigint, true) AS bytes
