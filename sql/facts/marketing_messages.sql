-- Message tallies per (scope, period): messages sent in it (pushdown).
-- Grain: one row per (scope, k). Tallied once per (brand, period) in one
-- pass over the range; the company's are their sums.
WITH by_brand AS (
    SELECT brand_id, k,
{{ message_tallies }}
    FROM (
        SELECT {{ k_sent_at }} AS k, brand_id, clicked_at, unsubscribed_at
        FROM marketing_messages
        WHERE sent_at >= :range_start AND sent_at < :range_end
          {{ message_filters }}
    ) messages
    GROUP BY brand_id, k
)
SELECT 'company' AS scope, k,
       SUM(messages) AS messages,
       SUM(messages_clicked) AS messages_clicked,
       SUM(messages_unsubscribed) AS messages_unsubscribed
FROM by_brand
GROUP BY k
UNION ALL
SELECT brand_id AS scope, k, messages, messages_clicked, messages_unsubscribed
FROM by_brand
