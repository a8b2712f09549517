-- Rebuild order_history from orders (portable: DuckDB, PostgreSQL, SQLite).
-- Statements are separated by a semicolon at the end of a line.
DELETE FROM order_history;

-- In time order, so that block statistics on ordered_at let a ranged read
-- skip most of the table.
INSERT INTO order_history (order_id, ordered_at, seq_c, next_at_c, seq_b, next_at_b)
SELECT o.order_id, o.ordered_at,
       ROW_NUMBER() OVER (PARTITION BY o.customer_id ORDER BY o.ordered_at, o.order_id),
       LEAD(o.ordered_at) OVER (PARTITION BY o.customer_id ORDER BY o.ordered_at, o.order_id),
       ROW_NUMBER() OVER (PARTITION BY o.customer_id, o.brand_id ORDER BY o.ordered_at, o.order_id),
       LEAD(o.ordered_at) OVER (PARTITION BY o.customer_id, o.brand_id ORDER BY o.ordered_at, o.order_id)
FROM orders o
WHERE o.status = 'completed' AND o.customer_id IS NOT NULL
ORDER BY o.ordered_at, o.order_id;

DELETE FROM history_state;

INSERT INTO history_state (orders_total, orders_completed, max_order_id, sum_order_id, refreshed_at)
SELECT COUNT(*),
       COALESCE(SUM(CASE WHEN status = 'completed' THEN 1 ELSE 0 END), 0),
       MAX(order_id),
       SUM(CAST(order_id AS DOUBLE PRECISION)),
       :refreshed_at
FROM orders;
