-- Order and customer facts per (scope, period), computed in the database.
-- Grain of the result: one row per (scope, k), k the index of a period.
-- Placeholders in braces are dialect snippets chosen by pushdown.py (never
-- values); every value is a bound parameter.
WITH periods AS (
    {periods}
),
range_orders AS (
    -- Completed orders placed in any period, after the segment filters.
    SELECT o.order_id, o.customer_id
    FROM orders o
    WHERE o.status = 'completed'
      AND o.ordered_at >= :range_start AND o.ordered_at < :range_end
      {order_filters}
),
in_period AS (
    SELECT p.k, o.*, h.seq_c, h.next_at_c, h.seq_b, h.next_at_b
    FROM orders o
    JOIN range_orders r ON r.order_id = o.order_id
    JOIN periods p ON o.ordered_at >= p.period_start AND o.ordered_at < p.period_end
    -- Each order's place in its customer's history, materialised once when
    -- orders change (sql/order_history.sql): no window over the order book.
    LEFT JOIN order_history h
        ON h.order_id = o.order_id AND h.ordered_at >= :range_start AND h.ordered_at < :range_end
),
scoped AS (
    -- Each order once for the company (company history) and once for its
    -- brand (brand history).
    SELECT 'company' AS scope, i.*, i.seq_c AS seq, i.next_at_c AS next_at FROM in_period i
    UNION ALL
    SELECT i.brand_id AS scope, i.*, i.seq_b AS seq, i.next_at_b AS next_at FROM in_period i
),
order_facts AS (
    SELECT scope, k,
           COUNT(*) AS orders,
           SUM(units) AS units,
           SUM(net_revenue) AS revenue,
           SUM(refunded_amount) AS refunded,
           SUM(returned_units) AS returned_units,
           SUM(CASE WHEN customer_id IS NOT NULL THEN 1 ELSE 0 END) AS known_orders,
           SUM(CASE WHEN seq >= 2 THEN 1 ELSE 0 END) AS returning_orders,
           SUM(CASE WHEN donation_amount > 0 THEN 1 ELSE 0 END) AS donating_orders,
           SUM(donation_amount) AS donations,
           SUM(CASE WHEN promised_delivery_date IS NOT NULL AND delivered_at IS NOT NULL THEN 1 ELSE 0 END) AS promised_delivered,
           SUM(CASE WHEN promised_delivery_date IS NOT NULL AND delivered_at IS NOT NULL
                     AND {delivered_date} <= promised_delivery_date THEN 1 ELSE 0 END) AS on_time,
           SUM(shipping_co2e_kg) AS shipping_co2e,
           COUNT(shipping_co2e_kg) AS orders_with_co2e,
           SUM(CASE WHEN packaging_recycled_kg IS NOT NULL THEN packaging_kg END) AS packaging,
           SUM(CASE WHEN packaging_kg IS NOT NULL THEN packaging_recycled_kg END) AS packaging_recycled,
           SUM(CASE WHEN packaging_kg IS NOT NULL AND packaging_recycled_kg IS NOT NULL THEN 1 ELSE 0 END) AS orders_with_packaging
    FROM scoped
    GROUP BY scope, k
),
per_customer AS (
    SELECT scope, k, customer_id,
           MAX(seq) AS max_seq,
           MAX(CASE WHEN seq = 1 THEN 1 ELSE 0 END) AS is_new,
           MAX(CASE WHEN seq = 1 AND next_at IS NOT NULL AND {next_within_90} THEN 1 ELSE 0 END) AS repurchased
    FROM scoped
    WHERE customer_id IS NOT NULL
    GROUP BY scope, k, customer_id
),
customer_facts AS (
    SELECT pc.scope, pc.k,
           COUNT(*) AS active_customers,
           SUM(CASE WHEN pc.max_seq >= 2 THEN 1 ELSE 0 END) AS repeat_customers,
           SUM(pc.is_new) AS new_customers,
           SUM(pc.repurchased) AS repurchased_90d,
           SUM(CASE WHEN c.marketing_opt_in THEN 1 ELSE 0 END) AS opted_in_customers
    FROM per_customer pc
    LEFT JOIN customers c ON c.customer_id = pc.customer_id
    GROUP BY pc.scope, pc.k
)
SELECT f.*, cf.active_customers, cf.repeat_customers, cf.new_customers, cf.repurchased_90d,
       cf.opted_in_customers
FROM order_facts f
LEFT JOIN customer_facts cf ON cf.scope = f.scope AND cf.k = f.k
