-- The drivers' counts of one period from the fact store (SPEC section 6;
-- the store source's answer to what sql/drivers/counts.sql counts from the
-- tables): the same result, row for row, read from order_history, where
-- every completed order of a known customer carries what the drivers ask
-- of it whatever the period (sql/store/schema.sql).
--
-- An order is its customer's first in the period (Earlier rule) exactly
-- when the order before it was placed before the period's start, or there
-- is none: the order before it comes earlier by the same rule, so it lies
-- in the period unless it lies before it. So no numbering of the period's
-- orders and no join: one range of order_history, grouped.
--
-- Bound: start, anchor_end (the period's local midnights as stored UTC
-- instants), brand<i> (the brands asked for). Snippets: first_c, first_b
-- (1 for the first order of a scope asked for, else 0), next_c_within,
-- next_b_within (the next order in scope within 90 × 24 h).
SELECT brand_id, first_c, first_b, rep_c, rep_b, ot, pa, fcr, cause,
       COUNT(*) AS anchors, SUM(revenue_c) AS revenue_c, SUM(revenue_b) AS revenue_b
FROM (
    SELECT h.brand_id, {{ first_c }} AS first_c, {{ first_b }} AS first_b,
           CASE WHEN {{ first_c }} = 1 AND {{ next_c_within }} THEN 1 ELSE 0 END AS rep_c,
           CASE WHEN {{ first_b }} = 1 AND {{ next_b_within }} THEN 1 ELSE 0 END AS rep_b,
           h.on_time AS ot, h.purpose_achieved AS pa, h.first_contact AS fcr, h.cause,
           h.revenue_90d_c AS revenue_c, h.revenue_90d_b AS revenue_b
    FROM order_history h
    WHERE h.ordered_at >= :start AND h.ordered_at < :anchor_end
) flagged
WHERE first_c = 1 OR first_b = 1
GROUP BY brand_id, first_c, first_b, rep_c, rep_b, ot, pa, fcr, cause
