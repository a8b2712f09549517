-- Cohort retention cells (SPEC section 4, Cohorts), computed in the database.
-- Grain of the result: one row per (scope, first_start, period_start) with at
-- least one customer back: scope 'company' or a brand_id, first_start the
-- start of the cohort's week (month), period_start that of the period the
-- customers ordered in, customers how many distinct customers of the cohort
-- placed a completed order in it. The cohort size is the cell where
-- period_start = first_start (every customer of a cohort ordered in its first
-- period); pushdown.py takes it from there and finishes in Polars.
-- Placeholders in braces are dialect snippets chosen by pushdown.py (never
-- values); every value is a bound parameter.
WITH activity AS (
    -- Each (customer, period, brand) with a completed order of a known
    -- customer: one pass over orders, no join. A customer's first completed
    -- order in scope (seq 1 of the materialised history) lies in their
    -- earliest such period, so the cohort is the MIN below.
    SELECT o.customer_id, {period_start} AS period_start, o.brand_id
    FROM orders o
    WHERE o.status = 'completed' AND o.customer_id IS NOT NULL
    GROUP BY o.customer_id, {period_start}, o.brand_id
),
marked AS (
    -- The company cohort, the brand cohort, and whether this row is the
    -- first of its (customer, period) so the company counts a customer once
    -- whatever the number of brands they bought from in the period.
    SELECT brand_id, period_start,
           MIN(period_start) OVER (PARTITION BY customer_id) AS first_c,
           MIN(period_start) OVER (PARTITION BY customer_id, brand_id) AS first_b,
           CASE WHEN ROW_NUMBER() OVER (PARTITION BY customer_id, period_start ORDER BY brand_id) = 1
                THEN 1 ELSE 0 END AS first_of_period
    FROM activity
),
combined AS (
    -- Small: brands x company cohorts x brand cohorts x periods at most.
    SELECT brand_id, first_c, first_b, period_start,
           COUNT(*) AS brand_customers,
           SUM(first_of_period) AS company_customers
    FROM marked
    GROUP BY brand_id, first_c, first_b, period_start
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
    GROUP BY brand_id, first_b, period_start
)
SELECT scope, first_start, period_start, CAST(customers AS BIGINT) AS customers
FROM cells
WHERE {scope_filter}
