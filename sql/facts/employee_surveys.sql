-- Employee survey tallies per (scope, period). Brand-less responses
-- (company-wide functions) count for the company only.
WITH periods AS (
    {periods}
),
responses AS (
    SELECT p.k, e.brand_id, e.enps_score, e.engagement_score, e.purpose_alignment
    FROM employee_surveys e
    JOIN periods p ON e.submitted_at >= p.period_start AND e.submitted_at < p.period_end
),
scoped AS (
    SELECT 'company' AS scope, r.* FROM responses r
    UNION ALL
    SELECT r.brand_id AS scope, r.* FROM responses r WHERE r.brand_id IS NOT NULL
)
SELECT scope, k,
       SUM(CASE WHEN enps_score >= 9 THEN 1 ELSE 0 END) AS enps_promoters,
       SUM(CASE WHEN enps_score <= 6 THEN 1 ELSE 0 END) AS enps_detractors,
       COUNT(enps_score) AS enps_answers,
       SUM(engagement_score) AS engagement_sum,
       COUNT(engagement_score) AS engagement_answers,
       SUM(CASE WHEN purpose_alignment >= 4 THEN 1 ELSE 0 END) AS aligned,
       COUNT(purpose_alignment) AS alignment_answers
FROM scoped
GROUP BY scope, k
