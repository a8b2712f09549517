-- Ticket tallies per (scope, period): tickets opened in it, resolved whenever.
-- Tallied once per (brand, period), in one pass over the range (k_opened_at,
-- a snippet, is the period of opened_at); the company's tallies are their sums.
WITH by_brand AS (
    SELECT brand_id, k,
           COUNT(resolved_at) AS tickets_resolved,
           SUM(CASE WHEN resolved_at IS NOT NULL AND contacts = 1 THEN 1 ELSE 0 END) AS tickets_one_contact
    FROM (
        SELECT {k_opened_at} AS k, brand_id, resolved_at, contacts
        FROM support_tickets
        WHERE opened_at >= :range_start AND opened_at < :range_end
          {customer_filters}
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
