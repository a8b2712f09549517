-- A fragment: message tallies over a GROUP BY of messages (sent in the
-- period), pasted into facts/marketing_messages.sql and
-- store/fact_marketing_messages.sql.
           COUNT(*) AS messages,
           COUNT(clicked_at) AS messages_clicked,
           COUNT(unsubscribed_at) AS messages_unsubscribed
