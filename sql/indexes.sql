-- Indexes for PostgreSQL and SQLite only: they read a range of orders
-- through an index. DuckDB skips row groups by their min/max of ordered_at,
-- and an ART index on ten million orders costs memory and import time.
CREATE INDEX IF NOT EXISTS orders_ordered_at ON orders (ordered_at);
