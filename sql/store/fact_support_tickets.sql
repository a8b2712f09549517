-- fact_support_tickets for the (brand, day) cells of {{ cells }}: ticket
-- tallies per (brand, UTC day of opened_at, region, segment).
INSERT INTO fact_support_tickets (brand_id, day, region, segment, tickets_resolved, tickets_one_contact)
SELECT brand_id, day, region, segment,
{{ ticket_tallies }}
FROM (
    SELECT t.brand_id, {{ day_of_opened_at }} AS day, c.region, c.segment, t.resolved_at, t.contacts
    FROM support_tickets t
    LEFT JOIN customers c ON c.customer_id = t.customer_id
    WHERE 1 = 1 {{ cells }}
) tickets
GROUP BY brand_id, day, region, segment;
