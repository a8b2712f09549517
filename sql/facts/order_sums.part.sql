-- A fragment, not a query: the order-level sums, one definition, pasted
-- into the SELECT lists of facts/orders.sql, facts/order_totals.sql and
-- store/fact_orders.sql (a GROUP BY over completed orders). Sums over no
-- order are 0 (empty sets: docs/metrics.md).
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
                     AND {{ delivered_date }} <= promised_delivery_date THEN 1 ELSE 0 END) AS on_time,
           COALESCE(SUM(shipping_co2e_kg), 0) AS shipping_co2e,
           COUNT(shipping_co2e_kg) AS orders_with_co2e,
           COALESCE(SUM(CASE WHEN packaging_recycled_kg IS NOT NULL THEN packaging_kg END), 0) AS packaging,
           COALESCE(SUM(CASE WHEN packaging_kg IS NOT NULL THEN packaging_recycled_kg END), 0) AS packaging_recycled,
           SUM(CASE WHEN packaging_kg IS NOT NULL AND packaging_recycled_kg IS NOT NULL THEN 1 ELSE 0 END) AS orders_with_packaging
