-- A fragment: ticket tallies over a GROUP BY of tickets (opened in the
-- period, resolved whenever), pasted into facts/support_tickets.sql and
-- store/fact_support_tickets.sql.
           COUNT(resolved_at) AS tickets_resolved,
           SUM(CASE WHEN resolved_at IS NOT NULL AND contacts = 1 THEN 1 ELSE 0 END) AS tickets_one_contact
