-- Employee survey tallies per (scope, period). Brand-less responses
-- (company-wide functions) count for the company only.
-- Tallied once per (brand, period), in one pass over the range
-- (k_submitted_at, a snippet, is the period of submitted_at); the company's tallies are
-- their sums, the brand-less group included.
WITH by_brand AS (
    SELECT brand_id, k,
           SUM(CASE WHEN enps_score >= 9 THEN 1 ELSE 0 END) AS enps_promoters,
           SUM(CASE WHEN enps_score <= 6 THEN 1 ELSE 0 END) AS enps_detractors,
           COUNT(enps_score) AS enps_answers,
           SUM(engagement_score) AS engagement_sum,
           COUNT(engagement_score) AS engagement_answers,
           SUM(CASE WHEN purpose_alignment >= 4 THEN 1 ELSE 0 END) AS aligned,
           COUNT(purpose_alignment) AS alignment_answers
    FROM (
        SELECT {k_submitted_at} AS k, brand_id, enps_score, engagement_score, purpose_alignment
        FROM employee_surveys
        WHERE submitted_at >= :range_start AND submitted_at < :range_end
    ) responses
    GROUP BY brand_id, k
)
SELECT 'company' AS scope, k,
       SUM(enps_promoters) AS enps_promoters,
       SUM(enps_detractors) AS enps_detractors,
       SUM(enps_answers) AS enps_answers,
       SUM(engagement_sum) AS engagement_sum,
       SUM(engagement_answers) AS engagement_answers,
       SUM(aligned) AS aligned,
       SUM(alignment_answers) AS alignment_answers
FROM by_brand
GROUP BY k
UNION ALL
SELECT brand_id AS scope, k,
       enps_promoters, enps_detractors, enps_answers, engagement_sum, engagement_answers,
       aligned, alignment_answers
FROM by_brand
WHERE brand_id IS NOT NULL
