-- A fragment, not a query: the order-level sums of orders.sql and
-- order_totals.sql, one definition (the orders facts grouped per brand and
-- period). Pasted into their SELECT lists by pushdown.render_queries; no
-- braces in comments.
           COUNT(*) AS orders,
           SUM(units) AS units,
           SUM(net_revenue) AS revenue,
           SUM(refunded_amount) AS refunded,
           SUM(returned_units) AS returned_units,
           SUM(CASE WHEN customer_id IS NOT NULL THEN 1 ELSE 0 END) AS known_orders,
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
