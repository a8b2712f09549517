-- fact_orders for the (brand, day) cells in scope of {{ cells }} (all of them
-- on a rebuild): order sums and the history flags, per (brand, UTC day,
-- channel, region, segment). The caller has deleted those cells first.
INSERT INTO fact_orders (
    brand_id, day, channel, region, segment,
    orders, units, revenue, refunded, returned_units, known_orders, donating_orders, donations,
    promised_delivered, on_time, shipping_co2e, orders_with_co2e, packaging, packaging_recycled,
    orders_with_packaging, returning_orders_c, returning_orders_b, new_customers_c, new_customers_b,
    repurchased_90d_c, repurchased_90d_b
)
SELECT brand_id, day, channel, region, segment,
{{ order_sums }},
       SUM(CASE WHEN seq_c >= 2 THEN 1 ELSE 0 END),
       SUM(CASE WHEN seq_b >= 2 THEN 1 ELSE 0 END),
       SUM(CASE WHEN seq_c = 1 THEN 1 ELSE 0 END),
       SUM(CASE WHEN seq_b = 1 THEN 1 ELSE 0 END),
       SUM(CASE WHEN seq_c = 1 AND next_at_c IS NOT NULL AND {{ next_c_within_90 }} THEN 1 ELSE 0 END),
       SUM(CASE WHEN seq_b = 1 AND next_at_b IS NOT NULL AND {{ next_b_within_90 }} THEN 1 ELSE 0 END)
FROM (
    SELECT o.brand_id, {{ order_day }} AS day, o.channel, c.region, c.segment,
           o.customer_id, o.ordered_at, o.units, o.net_revenue, o.refunded_amount, o.returned_units,
           o.donation_amount, o.promised_delivery_date, o.delivered_at, o.shipping_co2e_kg,
           o.packaging_kg, o.packaging_recycled_kg,
           h.seq_c, h.next_at_c, h.seq_b, h.next_at_b
    FROM orders o
    LEFT JOIN order_history h ON h.order_id = o.order_id {{ history_range }}
    LEFT JOIN customers c ON c.customer_id = o.customer_id
    WHERE o.status = 'completed' {{ cells }}
) completed
GROUP BY brand_id, day, channel, region, segment;
