-- Indexes for PostgreSQL and SQLite only: they read a range of orders
-- through an index. DuckDB skips row groups by their min/max of ordered_at,
-- and an ART index on ten million orders costs memory and import time.
CREATE INDEX IF NOT EXISTS orders_ordered_at ON orders (ordered_at);

-- The first and last dates of the other tables the Data page shows (a MIN
-- and a MAX each, answered from an index's ends rather than a scan of
-- millions of rows); a period's surveys, tickets and messages read through
-- them too.
CREATE INDEX IF NOT EXISTS customer_surveys_submitted_at ON customer_surveys (submitted_at);

CREATE INDEX IF NOT EXISTS support_tickets_opened_at ON support_tickets (opened_at);

CREATE INDEX IF NOT EXISTS marketing_messages_sent_at ON marketing_messages (sent_at);

CREATE INDEX IF NOT EXISTS customers_created_at ON customers (created_at);
