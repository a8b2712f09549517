-- The drivers' counts of one period (docs/metrics.md#drivers, SPEC section
-- 6), computed in the database: what metrics/drivers.py `count_drivers`
-- counts in Polars from the window's rows, by the same rules to the letter.
--
-- Grain of the result: one row per combination of an anchor order's brand,
-- the scopes it anchors (first_c: the company's; first_b: its brand's, when
-- asked for), whether the customer repurchased there (rep_c, rep_b), and its
-- group under each driver (ot: on_time_delivery, pa: purpose_achieved, fcr:
-- first_contact_resolution, cause: cause_participation; 1 good, 0 bad, NULL
-- left out): how many anchors, and what their customers spent in their 90
-- days in each scope (revenue_c, revenue_b). sources/pushdown.py sums these
-- into the counts per (scope, driver). What comes back grows with brands,
-- not with orders (at most a few thousand rows per brand).
--
-- Written to read the window's orders twice (the anchors, and what their
-- customers did next) and number the period's orders by the Earlier rule,
-- never the window's: an order that anchors both the company and its brand
-- is one row carrying both flags. A customer repurchased when a later order
-- in scope lies within the 90 days; every such order is read anyway for
-- what they spent, so no stored history (order_history) is needed, and the
-- same query serves whether it is current or not.
--
-- Bound: start, anchor_end (the period's local midnights as stored UTC
-- instants), window_end (anchor_end + 90 days), brand<i> (the brands asked
-- for). Snippets: first_c, first_b (1 for the first order of a scope asked
-- for, else 0), within_window (the 90 × 24 h after the anchor),
-- delivered_date (the company-local date of delivered_at), materialized /
-- not_materialized (CTE hints where the backend has them).
WITH window_orders AS {{ not_materialized }} (
    -- Completed orders of known customers placed in [start, window end):
    -- every order that can be an anchor or come after one.
    SELECT o.order_id, o.customer_id, o.brand_id, o.ordered_at, o.promised_delivery_date,
           o.delivered_at, o.donation_amount, o.net_revenue - o.refunded_amount AS revenue
    FROM orders o
    WHERE o.status = 'completed' AND o.customer_id IS NOT NULL
      AND o.ordered_at >= :start AND o.ordered_at < :window_end
),
anchors AS {{ materialized }} (
    -- The orders that anchor a scope: first_c when it is its customer's
    -- first completed order placed in [start, anchor end) by the Earlier
    -- rule (ordered_at, then order_id), first_b when it is their first
    -- there in its brand (a brand asked for).
    SELECT x.order_id, x.customer_id, x.brand_id, x.ordered_at, x.promised_delivery_date,
           x.delivered_at, x.donation_amount, x.first_c, x.first_b
    FROM (
        SELECT w.order_id, w.customer_id, w.brand_id, w.ordered_at, w.promised_delivery_date,
               w.delivered_at, w.donation_amount, {{ first_c }} AS first_c, {{ first_b }} AS first_b
        FROM window_orders w
        WHERE w.ordered_at < :anchor_end
    ) x
    WHERE x.first_c = 1 OR x.first_b = 1
),
{{ order_answers }},
later AS (
    -- What each anchor's customer did in the 90 days after it: their
    -- completed orders after the anchor (Earlier rule) placed up to anchor +
    -- 90 days, counted and summed (net_revenue - refunded_amount) in the
    -- company (_c) and in the anchor's brand (_b).
    SELECT a.order_id, COUNT(*) AS n_c, SUM(w.revenue) AS revenue_c,
           SUM(CASE WHEN w.brand_id = a.brand_id THEN 1 ELSE 0 END) AS n_b,
           SUM(CASE WHEN w.brand_id = a.brand_id THEN w.revenue END) AS revenue_b
    FROM anchors a
    JOIN window_orders w ON w.customer_id = a.customer_id
    WHERE (w.ordered_at > a.ordered_at OR (w.ordered_at = a.ordered_at AND w.order_id > a.order_id))
      AND {{ within_window }}
    GROUP BY a.order_id
),
flagged AS (
    -- Each anchor order: whether its customer repurchased in each scope it
    -- anchors (rep_c, rep_b), what they spent, and its group under every
    -- driver (1 good, 0 bad, NULL left out).
    SELECT a.brand_id, a.first_c, a.first_b,
           CASE WHEN a.first_c = 1 AND l.n_c > 0 THEN 1 ELSE 0 END AS rep_c,
           CASE WHEN a.first_b = 1 AND l.n_b > 0 THEN 1 ELSE 0 END AS rep_b,
           CASE WHEN a.promised_delivery_date IS NOT NULL AND a.delivered_at IS NOT NULL
                THEN CASE WHEN {{ delivered_date }} <= a.promised_delivery_date THEN 1 ELSE 0 END
           END AS ot,
           s.good AS pa,
           t.good AS fcr,
           CASE WHEN a.donation_amount > 0 THEN 1 ELSE 0 END AS cause,
           COALESCE(l.revenue_c, 0) AS revenue_c,
           COALESCE(l.revenue_b, 0) AS revenue_b
    FROM anchors a
    LEFT JOIN surveys s ON s.order_id = a.order_id
    LEFT JOIN tickets t ON t.order_id = a.order_id
    LEFT JOIN later l ON l.order_id = a.order_id
)
-- One row per combination of flags: the drivers' counts are sums over them.
SELECT brand_id, first_c, first_b, rep_c, rep_b, ot, pa, fcr, cause,
       COUNT(*) AS anchors, SUM(revenue_c) AS revenue_c, SUM(revenue_b) AS revenue_b
FROM flagged
GROUP BY brand_id, first_c, first_b, rep_c, rep_b, ot, pa, fcr, cause
