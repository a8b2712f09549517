-- Order counts and revenue per (scope, period): the denominators of the
-- monthly impact-ledger metrics (GHG and energy per order, community
-- investment as a share of net revenue). Without the customer facts of
-- orders.sql it needs no join to the order history or to customers, so a
-- year of months is one ranged pass over orders.
-- Grain of the result: one row per (scope, k), k the index of a period.
-- Placeholders in braces are snippets chosen by pushdown.py (never values);
-- every value is a bound parameter. (No braces in comments: they would be
-- filled in too.)
WITH by_brand AS (
    -- The period of each order by a chain of comparisons (see orders.sql).
    SELECT o.brand_id, {k_ordered_at} AS k,
           COUNT(*) AS orders,
           SUM(o.net_revenue) AS revenue,
           SUM(o.refunded_amount) AS refunded
    FROM orders o
    WHERE o.status = 'completed'
      AND o.ordered_at >= :range_start AND o.ordered_at < :range_end
      {order_filters}
    GROUP BY o.brand_id, {k_ordered_at}
)
SELECT 'company' AS scope, k, SUM(orders) AS orders, SUM(revenue) AS revenue, SUM(refunded) AS refunded
FROM by_brand
GROUP BY k
UNION ALL
SELECT brand_id AS scope, k, orders, revenue, refunded
FROM by_brand
