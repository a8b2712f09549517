-- Workforce facts per (scope, period) from rows whose whole month lies in
-- the period; "last month" is the latest period_start among them.
WITH periods AS (
    {date_periods}
),
rows_in AS (
    SELECT p.k, t.*
    FROM workforce t
    JOIN periods p ON t.period_start >= p.period_start AND {month_end} <= p.period_end
),
scoped AS (
    SELECT 'company' AS scope, r.* FROM rows_in r
    UNION ALL
    SELECT r.brand_id AS scope, r.* FROM rows_in r WHERE r.brand_id IS NOT NULL
),
marked AS (
    SELECT s.*, MAX(s.period_start) OVER (PARTITION BY s.scope, s.k) AS last_month
    FROM scoped s
)
SELECT scope, k,
       COUNT(*) AS workforce_rows,
       SUM(voluntary_leavers) AS voluntary_leavers,
       SUM(voluntary_leavers + involuntary_leavers) AS leavers,
       SUM((headcount_start + headcount_end) / 2.0) / COUNT(DISTINCT period_start) AS average_headcount,
       SUM(CASE WHEN period_start = last_month THEN headcount_end ELSE 0 END) AS last_headcount,
       SUM(training_hours) AS training_hours
FROM marked
GROUP BY scope, k
