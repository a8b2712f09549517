-- Order-level sums per (scope, period): every fact of orders.sql that does
-- not need a customer's history or the customers table (counts, revenue,
-- units, returns, delivery, CO2e, packaging, donations; and the
-- denominators of the monthly ledger metrics). With no join, a year of
-- months is one ranged pass over orders: what a trend of an order metric,
-- the Impact page and the GRI index run.
-- Grain of the result: one row per (scope, k), k the index of a period.
WITH ranged AS (
    -- The period of each order by a chain of comparisons (see orders.sql).
    SELECT {{ k_ordered_at }} AS k,
           o.customer_id, o.brand_id, o.ordered_at, o.units, o.net_revenue,
           o.refunded_amount, o.returned_units, o.donation_amount, o.promised_delivery_date,
           o.delivered_at, o.shipping_co2e_kg, o.packaging_kg, o.packaging_recycled_kg
    FROM orders o
    WHERE o.status = 'completed'
      AND o.ordered_at >= :range_start AND o.ordered_at < :range_end
      {{ order_filters }}
),
by_brand AS (
    -- The order sums orders.sql takes too (order_sums.part.sql).
    SELECT brand_id, k,
           {{ order_sums }}
    FROM ranged
    GROUP BY brand_id, k
)
SELECT 'company' AS scope, k,
       SUM(orders) AS orders, SUM(units) AS units, SUM(revenue) AS revenue, SUM(refunded) AS refunded,
       SUM(returned_units) AS returned_units, SUM(known_orders) AS known_orders,
       SUM(donating_orders) AS donating_orders, SUM(donations) AS donations,
       SUM(promised_delivered) AS promised_delivered, SUM(on_time) AS on_time,
       SUM(shipping_co2e) AS shipping_co2e, SUM(orders_with_co2e) AS orders_with_co2e,
       SUM(packaging) AS packaging, SUM(packaging_recycled) AS packaging_recycled,
       SUM(orders_with_packaging) AS orders_with_packaging
FROM by_brand
GROUP BY k
UNION ALL
SELECT brand_id AS scope, k,
       orders, units, revenue, refunded, returned_units, known_orders, donating_orders, donations,
       promised_delivered, on_time, shipping_co2e, orders_with_co2e, packaging, packaging_recycled,
       orders_with_packaging
FROM by_brand
