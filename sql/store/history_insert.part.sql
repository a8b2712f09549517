-- A fragment of three statements: the order_history rows of the completed
-- orders of {{ customers }} (every known customer on a rebuild, those of an
-- import on an update), each with its place among its customer's orders by
-- the Earlier rule and what the drivers ask of it (sql/store/schema.sql).
-- (Not sorted on insert: at ten million orders a final sort costs a quarter
-- of the rebuild, and the reads are scans.)
--
-- The numbered orders are a temporary table, not a CTE: SQLite scans a
-- CTE joined to a CTE once per row (no automatic index; the bundled
-- sample's history took 9.3 s on SQLite, 0.4 s this way), and the three
-- reads below need them materialised on every backend anyway.
CREATE TEMP TABLE _pm_placed AS
WITH completed AS (
    -- (What the windows below carry is kept narrow: they sort it.)
    SELECT o.order_id, o.customer_id, o.brand_id, o.channel, o.ordered_at,
           o.net_revenue - o.refunded_amount AS revenue,
           CASE WHEN o.promised_delivery_date IS NOT NULL AND o.delivered_at IS NOT NULL
                THEN CASE WHEN {{ o_delivered_date }} <= o.promised_delivery_date THEN 1 ELSE 0 END
           END AS on_time,
           CASE WHEN o.donation_amount > 0 THEN 1 ELSE 0 END AS cause
    FROM orders o
    WHERE o.status = 'completed' AND {{ customers }}
)
SELECT c.order_id, c.customer_id, c.brand_id, c.channel, c.ordered_at, c.revenue, c.on_time, c.cause,
       ROW_NUMBER() OVER (PARTITION BY c.customer_id ORDER BY c.ordered_at, c.order_id) AS seq_c,
       LAG(c.ordered_at) OVER (PARTITION BY c.customer_id ORDER BY c.ordered_at, c.order_id) AS prev_at_c,
       LEAD(c.ordered_at) OVER (PARTITION BY c.customer_id ORDER BY c.ordered_at, c.order_id) AS next_at_c,
       ROW_NUMBER() OVER (PARTITION BY c.customer_id, c.brand_id ORDER BY c.ordered_at, c.order_id) AS seq_b,
       LAG(c.ordered_at) OVER (PARTITION BY c.customer_id, c.brand_id ORDER BY c.ordered_at, c.order_id) AS prev_at_b,
       LEAD(c.ordered_at) OVER (PARTITION BY c.customer_id, c.brand_id ORDER BY c.ordered_at, c.order_id) AS next_at_b
FROM completed c;

INSERT INTO order_history (order_id, customer_id, brand_id, channel, ordered_at,
                           seq_c, prev_at_c, next_at_c, seq_b, prev_at_b, next_at_b,
                           revenue_90d_c, revenue_90d_b, on_time, cause, purpose_achieved, first_contact)
WITH later AS (
    -- What each order's customer spent after it (Earlier rule) up to 90 ×
    -- 24 h on, in the company and in the order's brand. Only orders whose
    -- next order lies in that window spend anything (the others: 0); only
    -- orders placed within the window of the one before them can be spent
    -- (if the one before lies further back, so does every earlier one).
    SELECT a.order_id, SUM(w.revenue) AS revenue_c,
           SUM(CASE WHEN w.brand_id = a.brand_id THEN w.revenue ELSE 0 END) AS revenue_b
    FROM _pm_placed a
    JOIN _pm_placed w ON w.customer_id = a.customer_id
    WHERE a.next_at_c <= {{ a_plus_window }} AND w.ordered_at <= {{ w_prev_plus_window }}
      AND (w.ordered_at > a.ordered_at OR (w.ordered_at = a.ordered_at AND w.order_id > a.order_id))
      AND w.ordered_at <= {{ a_plus_window }}
    GROUP BY a.order_id
),
{{ order_answers }}
SELECT p.order_id, p.customer_id, p.brand_id, p.channel, p.ordered_at,
       p.seq_c, p.prev_at_c, p.next_at_c, p.seq_b, p.prev_at_b, p.next_at_b,
       COALESCE(l.revenue_c, 0), COALESCE(l.revenue_b, 0), p.on_time, p.cause, s.good, t.good
FROM _pm_placed p
LEFT JOIN later l ON l.order_id = p.order_id
LEFT JOIN surveys s ON s.order_id = p.order_id
LEFT JOIN tickets t ON t.order_id = p.order_id;

DROP TABLE _pm_placed
