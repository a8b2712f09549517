-- Customer survey tallies per (scope, period): responses submitted in it.
WITH periods AS (
    {periods}
),
responses AS (
    SELECT p.k, s.brand_id, s.nps_score, s.csat_score, s.effort_score, s.purpose_achieved
    FROM customer_surveys s
    JOIN periods p ON s.submitted_at >= p.period_start AND s.submitted_at < p.period_end
    WHERE 1 = 1 {survey_filters}
),
scoped AS (
    SELECT 'company' AS scope, r.* FROM responses r
    UNION ALL
    SELECT r.brand_id AS scope, r.* FROM responses r
)
SELECT scope, k,
       SUM(CASE WHEN purpose_achieved THEN 1 ELSE 0 END) AS purpose_achieved,
       COUNT(purpose_achieved) AS purpose_answers,
       SUM(CASE WHEN csat_score >= 4 THEN 1 ELSE 0 END) AS csat_satisfied,
       COUNT(csat_score) AS csat_answers,
       SUM(CAST(effort_score AS DOUBLE PRECISION)) AS effort_sum,
       COUNT(effort_score) AS effort_answers,
       SUM(CASE WHEN nps_score >= 9 THEN 1 ELSE 0 END) AS nps_promoters,
       SUM(CASE WHEN nps_score <= 6 THEN 1 ELSE 0 END) AS nps_detractors,
       COUNT(nps_score) AS nps_answers
FROM scoped
GROUP BY scope, k
