-- The earliest and latest delivered_at of the orders that can be anchors of
-- a period (drivers/counts.sql): the local date of a delivery is cut exactly
-- for instants in between (sqltext.Dialect.local_day).
SELECT MIN(delivered_at) AS lo, MAX(delivered_at) AS hi
FROM orders
WHERE status = 'completed' AND customer_id IS NOT NULL
  AND ordered_at >= :start AND ordered_at < :anchor_end
