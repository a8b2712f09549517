-- Order and customer facts per (scope, period), computed in the database.
-- Grain of the result: one row per (scope, k), k the index of a period.
--
-- Written to read each order once and never group by customer:
--  * every fact is a sum over orders, taken per (brand, period) and summed
--    again for the company, so there is no UNION ALL fan-out of the orders;
--  * a customer is counted on their LAST order in the period (snippets
--    last_c, last_b). Without a channel filter that is the order whose next order
--    (order_history.next_at) falls after the period or does not exist; with
--    one, the next order may be filtered out, so the last is found by
--    ROW_NUMBER instead. Repeat = that last order's seq >= 2; new = the
--    period holds the customer's order with seq 1 (there is at most one).
WITH in_period AS (
    -- Completed orders placed in the range, after the segment filters, each
    -- with the index and end of its period (the periods are contiguous: a
    -- chain of comparisons, one pass). A range join to the periods instead
    -- lets PostgreSQL rescan the range once per period (52 weeks: 236 s at
    -- 10M orders).
    SELECT {{ k_ordered_at }} AS k, {{ end_ordered_at }} AS period_end,
           o.order_id, o.customer_id, o.brand_id, o.ordered_at, o.units, o.net_revenue,
           o.refunded_amount, o.returned_units, o.donation_amount, o.promised_delivery_date,
           o.delivered_at, o.shipping_co2e_kg, o.packaging_kg, o.packaging_recycled_kg
    FROM orders o
    WHERE o.status = 'completed'
      AND o.ordered_at >= :range_start AND o.ordered_at < :range_end
      {{ order_filters }}
),
flagged AS (
    -- Each order's place in its customer's history: the store's
    -- order_history, materialised once when orders change (no window over
    -- the order book), or, where it is not current (a warehouse that is
    -- only read), the same columns computed here by window functions
    -- (facts/order_history.part.sql).
    SELECT i.*, h.seq_c, h.seq_b,
           CASE WHEN i.customer_id IS NOT NULL AND {{ last_c }} THEN 1 ELSE 0 END AS last_c,
           CASE WHEN i.customer_id IS NOT NULL AND {{ last_b }} THEN 1 ELSE 0 END AS last_b,
           CASE WHEN h.seq_c = 1 AND h.next_at_c IS NOT NULL AND {{ next_c_within_90 }} THEN 1 ELSE 0 END AS repurchased_c,
           CASE WHEN h.seq_b = 1 AND h.next_at_b IS NOT NULL AND {{ next_b_within_90 }} THEN 1 ELSE 0 END AS repurchased_b,
           CASE WHEN c.customer_id IS NOT NULL THEN 1 ELSE 0 END AS opted_in
    FROM in_period i
    LEFT JOIN {{ order_history }} h
        ON h.order_id = i.order_id AND h.ordered_at >= :range_start AND h.ordered_at < :range_end
    -- Only opted-in customers: a smaller hash table, the same count.
    LEFT JOIN customers c ON c.customer_id = i.customer_id AND c.marketing_opt_in
),
by_brand AS (
    -- _c columns count in the company's history, _b in the brand's.
    SELECT brand_id, k,
           {{ order_sums }},
           SUM(CASE WHEN seq_c >= 2 THEN 1 ELSE 0 END) AS returning_orders_c,
           SUM(CASE WHEN seq_b >= 2 THEN 1 ELSE 0 END) AS returning_orders_b,
           SUM(last_c) AS active_customers_c,
           SUM(last_b) AS active_customers_b,
           SUM(CASE WHEN last_c = 1 AND seq_c >= 2 THEN 1 ELSE 0 END) AS repeat_customers_c,
           SUM(CASE WHEN last_b = 1 AND seq_b >= 2 THEN 1 ELSE 0 END) AS repeat_customers_b,
           SUM(CASE WHEN seq_c = 1 THEN 1 ELSE 0 END) AS new_customers_c,
           SUM(CASE WHEN seq_b = 1 THEN 1 ELSE 0 END) AS new_customers_b,
           SUM(repurchased_c) AS repurchased_90d_c,
           SUM(repurchased_b) AS repurchased_90d_b,
           SUM(last_c * opted_in) AS opted_in_customers_c,
           SUM(last_b * opted_in) AS opted_in_customers_b
    FROM flagged
    GROUP BY brand_id, k
)
SELECT 'company' AS scope, k,
       SUM(orders) AS orders,
       SUM(units) AS units,
       SUM(revenue) AS revenue,
       SUM(refunded) AS refunded,
       SUM(returned_units) AS returned_units,
       SUM(known_orders) AS known_orders,
       SUM(returning_orders_c) AS returning_orders,
       SUM(donating_orders) AS donating_orders,
       SUM(donations) AS donations,
       SUM(promised_delivered) AS promised_delivered,
       SUM(on_time) AS on_time,
       SUM(shipping_co2e) AS shipping_co2e,
       SUM(orders_with_co2e) AS orders_with_co2e,
       SUM(packaging) AS packaging,
       SUM(packaging_recycled) AS packaging_recycled,
       SUM(orders_with_packaging) AS orders_with_packaging,
       SUM(active_customers_c) AS active_customers,
       SUM(repeat_customers_c) AS repeat_customers,
       SUM(new_customers_c) AS new_customers,
       SUM(repurchased_90d_c) AS repurchased_90d,
       SUM(opted_in_customers_c) AS opted_in_customers
FROM by_brand
GROUP BY k
UNION ALL
SELECT brand_id AS scope, k,
       orders, units, revenue, refunded, returned_units, known_orders,
       returning_orders_b AS returning_orders,
       donating_orders, donations, promised_delivered, on_time, shipping_co2e, orders_with_co2e,
       packaging, packaging_recycled, orders_with_packaging,
       active_customers_b AS active_customers,
       repeat_customers_b AS repeat_customers,
       new_customers_b AS new_customers,
       repurchased_90d_b AS repurchased_90d,
       opted_in_customers_b AS opted_in_customers
FROM by_brand
