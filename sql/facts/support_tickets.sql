-- Ticket tallies per (scope, period): tickets opened in it, resolved whenever.
WITH periods AS (
    {periods}
),
tickets AS (
    SELECT p.k, t.brand_id, t.resolved_at, t.contacts
    FROM support_tickets t
    JOIN periods p ON t.opened_at >= p.period_start AND t.opened_at < p.period_end
    WHERE 1 = 1 {customer_filters}
),
scoped AS (
    SELECT 'company' AS scope, t.* FROM tickets t
    UNION ALL
    SELECT t.brand_id AS scope, t.* FROM tickets t
)
SELECT scope, k,
       COUNT(resolved_at) AS tickets_resolved,
       SUM(CASE WHEN resolved_at IS NOT NULL AND contacts = 1 THEN 1 ELSE 0 END) AS tickets_one_contact
FROM scoped
GROUP BY scope, k
