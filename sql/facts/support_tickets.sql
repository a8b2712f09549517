-- Ticket tallies per (scope, period): tickets opened in it, resolved
-- whenever (pushdown). Grain: one row per (scope, k). Tallied once per
-- (brand, period) in one pass over the range; the company's are their sums.
WITH by_brand AS (
    SELECT brand_id, k,
{{ ticket_tallies }}
    FROM (
        SELECT {{ k_opened_at }} AS k, brand_id, resolved_at, contacts
        FROM support_tickets
        WHERE opened_at >= :range_start AND opened_at < :range_end
          {{ ticket_filters }}
    ) tickets
    GROUP BY brand_id, k
)
SELECT 'company' AS scope, k,
       SUM(tickets_resolved) AS tickets_resolved,
       SUM(tickets_one_contact) AS tickets_one_contact
FROM by_brand
GROUP BY k
UNION ALL
SELECT brand_id AS scope, k, tickets_resolved, tickets_one_contact
FROM by_brand
