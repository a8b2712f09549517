-- Message tallies per (scope, period): messages sent in it.
WITH periods AS (
    {periods}
),
messages AS (
    SELECT p.k, m.brand_id, m.clicked_at, m.unsubscribed_at
    FROM marketing_messages m
    JOIN periods p ON m.sent_at >= p.period_start AND m.sent_at < p.period_end
    WHERE 1 = 1 {customer_filters}
),
scoped AS (
    SELECT 'company' AS scope, m.* FROM messages m
    UNION ALL
    SELECT m.brand_id AS scope, m.* FROM messages m
)
SELECT scope, k,
       COUNT(*) AS messages,
       COUNT(clicked_at) AS messages_clicked,
       COUNT(unsubscribed_at) AS messages_unsubscribed
FROM scoped
GROUP BY scope, k
