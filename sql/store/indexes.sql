-- Indexes of the fact store for PostgreSQL and SQLite, which read a range
-- through an index. DuckDB skips row groups by their min/max of `day`, and
-- an index there would cost memory and import time for nothing.
CREATE INDEX IF NOT EXISTS order_history_customer ON order_history (customer_id);

CREATE INDEX IF NOT EXISTS order_history_order ON order_history (order_id);

-- The drivers read the orders of a period (sql/drivers/stored_counts.sql).
CREATE INDEX IF NOT EXISTS order_history_ordered ON order_history (ordered_at);

CREATE INDEX IF NOT EXISTS fact_orders_day ON fact_orders (day);

CREATE INDEX IF NOT EXISTS fact_customer_surveys_day ON fact_customer_surveys (day);

CREATE INDEX IF NOT EXISTS fact_support_tickets_day ON fact_support_tickets (day);

CREATE INDEX IF NOT EXISTS fact_marketing_messages_day ON fact_marketing_messages (day);

CREATE INDEX IF NOT EXISTS fact_customer_sets_day ON fact_customer_sets (day);

CREATE INDEX IF NOT EXISTS fact_customer_week_sets_week ON fact_customer_week_sets (week);
