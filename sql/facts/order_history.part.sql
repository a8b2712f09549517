-- A fragment: what facts/orders.sql joins as `h` where the store's
-- order_history is not current (a warehouse read by a role that cannot
-- write, data loaded by other means): each completed order of a known
-- customer with its place among the customer's orders by the Earlier rule
-- (ordered_at, then order_id), in the company (_c) and in its brand (_b),
-- as sql/store/history_insert.part.sql numbers them. It reads and sorts the
-- whole order book on every query: a warehouse's work, where the store
-- keeps it once.
(
    SELECT order_id, ordered_at,
           ROW_NUMBER() OVER (PARTITION BY customer_id ORDER BY ordered_at, order_id) AS seq_c,
           LEAD(ordered_at) OVER (PARTITION BY customer_id ORDER BY ordered_at, order_id) AS next_at_c,
           ROW_NUMBER() OVER (PARTITION BY customer_id, brand_id ORDER BY ordered_at, order_id) AS seq_b,
           LEAD(ordered_at) OVER (PARTITION BY customer_id, brand_id ORDER BY ordered_at, order_id) AS next_at_b
    FROM orders
    WHERE status = 'completed' AND customer_id IS NOT NULL
)
