-- fact_marketing_messages for the (brand, day) cells of {{ cells }}: message
-- tallies per (brand, UTC day of sent_at, region, segment).
INSERT INTO fact_marketing_messages (brand_id, day, region, segment, messages, messages_clicked, messages_unsubscribed)
SELECT brand_id, day, region, segment,
{{ message_tallies }}
FROM (
    SELECT m.brand_id, {{ day_of_sent_at }} AS day, c.region, c.segment, m.clicked_at, m.unsubscribed_at
    FROM marketing_messages m
    LEFT JOIN customers c ON c.customer_id = m.customer_id
    WHERE 1 = 1 {{ cells }}
) messages
GROUP BY brand_id, day, region, segment;
