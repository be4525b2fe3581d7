// The demo database: a small shop with the problems a DBA meets every week,
// so every pgtop screen has something to show. Tiny on purpose (a few MB,
// loaded in well under a second): the point is the shapes, not the volume.
//
//   events        many dead tuples, autovacuum switched off on it (bloat)
//   orders        an index nothing uses (orders_note_idx) and one that
//                 duplicates another's leading column (sizes)
//   accounts      the row the lock scenario fights over (locks)
//   roles         an application role, a reporting role in a group, and a
//                 LOGIN SUPERUSER left over from a migration (roles audit)
//   schema public CREATE granted to PUBLIC, as every database had before
//                 PostgreSQL 15 and upgraded ones still have (security audit)

/** The roles the workload connects as; their passwords are generated per demo. */
export interface DemoPasswords {
  shopApp: string;
  shopReporting: string;
  legacyAdmin: string;
}

export const DEMO_DATABASE = 'demo';

/** Run as the superuser in the `postgres` database: roles are cluster-wide. */
export function rolesSql(passwords: DemoPasswords, quote: (value: string) => string): string[] {
  return [
    `CREATE ROLE shop_app LOGIN PASSWORD ${quote(passwords.shopApp)}`,
    `CREATE ROLE shop_reporting LOGIN PASSWORD ${quote(passwords.shopReporting)}`,
    'CREATE ROLE analysts NOLOGIN',
    'GRANT analysts TO shop_reporting',
    // A finding for the security audit: a login superuser other than postgres.
    `CREATE ROLE legacy_admin LOGIN SUPERUSER PASSWORD ${quote(passwords.legacyAdmin)}`,
    `CREATE DATABASE ${DEMO_DATABASE}`,
  ];
}

/** Run as the superuser in the demo database: tables, data, grants. One round trip. */
export const SCHEMA_SQL = `
CREATE TABLE customers (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name text NOT NULL,
  email text NOT NULL UNIQUE,
  country text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO customers (name, email, country, created_at)
SELECT 'Customer ' || i, 'customer' || i || '@example.com', (ARRAY['DE','FR','US','JP','BR'])[1 + i % 5],
       now() - make_interval(hours => i)
FROM generate_series(1, 2000) AS i;

CREATE TABLE products (
  id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name text NOT NULL,
  price numeric(10,2) NOT NULL,
  stock int NOT NULL
);
INSERT INTO products (name, price, stock)
SELECT 'Product ' || i, round((5 + (i * 7919) % 200)::numeric, 2), 1000 FROM generate_series(1, 200) AS i;

CREATE TABLE orders (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  customer_id bigint NOT NULL,
  status text NOT NULL,
  total numeric(12,2) NOT NULL,
  note text,
  created_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO orders (customer_id, status, total, note, created_at)
SELECT 1 + (i * 31) % 2000, (ARRAY['paid','shipped','delivered','cancelled'])[1 + i % 4], (i % 500) + 9.99,
       CASE WHEN i % 10 = 0 THEN 'gift wrap' END, now() - make_interval(mins => i * 7)
FROM generate_series(1, 10000) AS i;
CREATE INDEX orders_customer_id_idx ON orders (customer_id);
-- Its leading column duplicates orders_customer_id_idx: one of them is redundant.
CREATE INDEX orders_customer_id_created_at_idx ON orders (customer_id, created_at);
-- Nothing ever searches by note: an index that costs every write and serves no read.
CREATE INDEX orders_note_idx ON orders (note);

CREATE TABLE order_items (
  order_id bigint NOT NULL,
  product_id int NOT NULL,
  quantity int NOT NULL,
  price numeric(10,2) NOT NULL,
  PRIMARY KEY (order_id, product_id)
);
INSERT INTO order_items (order_id, product_id, quantity, price)
SELECT o.id, 1 + (o.id + k * 97) % 200, 1 + k, 10
FROM orders o CROSS JOIN generate_series(1, 2) AS k;

CREATE TABLE accounts (
  id int PRIMARY KEY,
  owner text NOT NULL,
  balance numeric(12,2) NOT NULL
);
INSERT INTO accounts SELECT i, 'account ' || i, 1000 FROM generate_series(1, 10) AS i;

-- An append-mostly log someone switched autovacuum off on "to save I/O",
-- then purged two thirds of: its dead tuples stay until someone VACUUMs.
CREATE TABLE events (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  kind text NOT NULL,
  payload text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
) WITH (autovacuum_enabled = false);
INSERT INTO events (kind, payload)
SELECT (ARRAY['login','view','cart','checkout'])[1 + i % 4], repeat(md5(i::text), 3) FROM generate_series(1, 60000) AS i;
DELETE FROM events WHERE id % 3 <> 0;

-- Foreign keys after the load: one validating scan each instead of a trigger per row.
ALTER TABLE orders ADD FOREIGN KEY (customer_id) REFERENCES customers;
ALTER TABLE order_items ADD FOREIGN KEY (order_id) REFERENCES orders ON DELETE CASCADE,
                        ADD FOREIGN KEY (product_id) REFERENCES products;

GRANT CONNECT ON DATABASE ${DEMO_DATABASE} TO shop_app, shop_reporting;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO shop_app;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO shop_app;
GRANT SELECT ON ALL TABLES IN SCHEMA public TO analysts;
-- As before PostgreSQL 15 (and in every database upgraded from then).
GRANT CREATE ON SCHEMA public TO PUBLIC;
ANALYZE customers, products, orders, order_items, accounts, events;
`;

/**
 * pg_stat_statements counts from server start (the library is preloaded),
 * so forget the setup's statements. The guided session's demo then drops
 * the extension again: enabling it is one of the session's steps.
 */
export function statementsSql(enable: boolean): string[] {
  return [
    'CREATE EXTENSION IF NOT EXISTS pg_stat_statements',
    'SELECT pg_stat_statements_reset()',
    ...(enable ? [] : ['DROP EXTENSION pg_stat_statements']),
  ];
}
