-- A fragment: two CTEs (SPEC section 6) of the orders in the CTE
-- {{ orders }}: `surveys`, per order its latest customer survey with
-- purpose_achieved set (the latest submitted_at, then the highest
-- response_id), good 1 when true and 0 when false; and `tickets`, per order
-- with a support ticket, good 1 when every ticket on it is resolved with
-- contacts = 1, else 0. Used by sql/drivers/counts.sql (from the tables)
-- and sql/store/history_insert.part.sql (kept per order in the store).
surveys AS (
    SELECT order_id, CASE WHEN purpose_achieved THEN 1 ELSE 0 END AS good
    FROM (
        SELECT s.order_id, s.purpose_achieved,
               ROW_NUMBER() OVER (PARTITION BY s.order_id
                                  ORDER BY s.submitted_at DESC, s.response_id DESC) AS r
        FROM customer_surveys s
        WHERE s.purpose_achieved IS NOT NULL AND s.order_id IN (SELECT order_id FROM {{ orders }})
    ) answered
    WHERE r = 1
),
tickets AS (
    SELECT t.order_id,
           MIN(CASE WHEN t.resolved_at IS NOT NULL AND t.contacts = 1 THEN 1 ELSE 0 END) AS good
    FROM support_tickets t
    WHERE t.order_id IN (SELECT order_id FROM {{ orders }})
    GROUP BY t.order_id
)
