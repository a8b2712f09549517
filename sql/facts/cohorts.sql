-- Cohort retention cells (docs/metrics.md#cohorts), computed in the database.
-- Grain of the result: one row per (scope, first_start, period_start) with at
-- least one customer back: scope 'company' or a brand_id, first_start the
-- start of the cohort's week (month), period_start that of the period the
-- customers ordered in, customers how many distinct customers of the cohort
-- placed a completed order in it. The cohort size is the cell where
-- period_start = first_start (every customer of a cohort ordered in its first
-- period); pushdown.py takes it from there and finishes in Polars.
--
-- Periods local to the company's zone or cut by the NRF calendar read the
-- orders through a projection adding each order's local date (`orders`).
--
-- Cost: one scan of orders, one sort by customer and one window pass; no
-- join. (At 10M orders a join to order_history, or a GROUP BY per customer
-- joined back, costs several times more.)
WITH activity AS (
    -- Each (customer, period, brand) with a completed order of a known
    -- customer. A customer's first completed order in scope (seq 1 of the
    -- materialised history) lies in their earliest such period, so the
    -- cohorts below are running minimums over the customer's periods.
    -- `+ 0`: grouping on the bare column lets PostgreSQL read orders in
    -- customer order through its index, a random read per order (3x slower
    -- at 10M orders than a scan and a sort).
    SELECT o.customer_id + 0 AS customer_id, {{ period_start }} AS period_start, o.brand_id
    FROM {{ orders }}
    WHERE o.status = 'completed' AND o.customer_id IS NOT NULL
    GROUP BY o.customer_id + 0, {{ period_start }}, o.brand_id
),
marked AS (
    -- One window, so one pass: the company cohort (the customer's first
    -- period), whether this row is the first of its (customer, period) so
    -- the company counts a customer once whatever the brands they bought
    -- from, and each requested brand's cohort (the first period with that
    -- brand, up to and including this row). period_start is never NULL,
    -- so where NULLs sort changes nothing; NULLS FIRST is the order every
    -- engine keeps in a window with a frame (BigQuery and Spark sort NULLs
    -- first by themselves, and BigQuery cannot be told NULLS LAST there),
    -- so the query transpiles (src/purpose_metrics/transpile.py).
    SELECT brand_id, period_start,
           FIRST_VALUE(period_start) OVER w AS first_c,
           CASE WHEN LAG(period_start) OVER w = period_start THEN 0 ELSE 1 END AS first_of_period{{ brand_firsts }}
    FROM activity
    WINDOW w AS (PARTITION BY customer_id ORDER BY period_start NULLS FIRST ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
),
combined AS (
    -- Small: brands x company cohorts x brand cohorts x periods at most.
    SELECT brand_id, first_c, {{ first_b }} AS first_b, period_start,
           COUNT(*) AS brand_customers,
           SUM(first_of_period) AS company_customers
    FROM marked
    GROUP BY brand_id, first_c, {{ first_b }}, period_start
),
cells AS (
    SELECT 'company' AS scope, first_c AS first_start, period_start,
           SUM(company_customers) AS customers
    FROM combined
    GROUP BY first_c, period_start
    UNION ALL
    SELECT brand_id AS scope, first_b AS first_start, period_start,
           SUM(brand_customers) AS customers
    FROM combined
    WHERE first_b IS NOT NULL
    GROUP BY brand_id, first_b, period_start
)
SELECT scope, first_start, period_start, CAST(customers AS BIGINT) AS customers
FROM cells
WHERE {{ scope_filter }}
