-- Order counts and revenue per (scope, period): the denominators of the
-- monthly impact-ledger metrics (GHG and energy per order, community
-- investment as a share of net revenue). Without the customer facts of
-- orders.sql it needs no join to the order history or to customers, so a
-- year of months is one ranged pass over orders.
-- Grain of the result: one row per (scope, k), k the index of a period.
-- Placeholders in braces are snippets chosen by pushdown.py (never values);
-- every value is a bound parameter. (No braces in comments: they would be
-- filled in too.)
WITH ranged AS (
    -- The period of each order by a chain of comparisons (see orders.sql).
    SELECT o.brand_id, {k_ordered_at} AS k, o.net_revenue, o.refunded_amount
    FROM orders o
    WHERE o.status = 'completed'
      AND o.ordered_at >= :range_start AND o.ordered_at < :range_end
      {order_filters}
),
by_brand AS (
    SELECT brand_id, k,
           COUNT(*) AS orders,
           SUM(net_revenue) AS revenue,
           SUM(refunded_amount) AS refunded
    FROM ranged
    GROUP BY brand_id, k
)
SELECT 'company' AS scope, k, SUM(orders) AS orders, SUM(revenue) AS revenue, SUM(refunded) AS refunded
FROM by_brand
GROUP BY k
UNION ALL
SELECT brand_id AS scope, k, orders, revenue, refunded
FROM by_brand
