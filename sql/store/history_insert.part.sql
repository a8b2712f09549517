-- A fragment: the INSERT of order_history rows for the completed orders of
-- {{ customers }} (every known customer on a rebuild, those of an import on
-- an update), each with its place among its customer's orders by the
-- Earlier rule. (Not sorted on insert: at ten million orders a final sort
-- costs a quarter of the rebuild, and the reads are scans.)
INSERT INTO order_history (order_id, customer_id, brand_id, channel, ordered_at, seq_c, next_at_c, seq_b, next_at_b)
SELECT o.order_id, o.customer_id, o.brand_id, o.channel, o.ordered_at,
       ROW_NUMBER() OVER (PARTITION BY o.customer_id ORDER BY o.ordered_at, o.order_id),
       LEAD(o.ordered_at) OVER (PARTITION BY o.customer_id ORDER BY o.ordered_at, o.order_id),
       ROW_NUMBER() OVER (PARTITION BY o.customer_id, o.brand_id ORDER BY o.ordered_at, o.order_id),
       LEAD(o.ordered_at) OVER (PARTITION BY o.customer_id, o.brand_id ORDER BY o.ordered_at, o.order_id)
FROM orders o
WHERE o.status = 'completed' AND {{ customers }}
