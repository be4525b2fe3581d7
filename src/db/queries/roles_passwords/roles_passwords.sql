-- How each login role's password is stored (none, md5, SCRAM), never the hash itself; pg_authid needs superuser (PostgreSQL 13+)
SELECT rolname AS name,
       CASE WHEN rolpassword IS NULL THEN 'none'
            WHEN rolpassword LIKE 'md5%' THEN 'md5'
            WHEN rolpassword LIKE 'SCRAM-SHA-256$%' THEN 'scram-sha-256'
            ELSE 'other' END AS password_kind
FROM pg_authid
WHERE rolcanlogin
