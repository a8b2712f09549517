-- Customer survey tallies per (scope, period): responses submitted in it,
-- computed in the database (pushdown). Grain of the result: one row per
-- (scope, k), k the index of a period. Tallied once per (brand, period), in
-- one pass over the range (k_submitted_at is the period of submitted_at);
-- the company's tallies are their sums.
WITH by_brand AS (
    SELECT brand_id, k,
{{ survey_tallies }}
    FROM (
        SELECT {{ k_submitted_at }} AS k, brand_id, nps_score, csat_score, effort_score, purpose_achieved
        FROM customer_surveys
        WHERE submitted_at >= :range_start AND submitted_at < :range_end
          {{ survey_filters }}
    ) responses
    GROUP BY brand_id, k
)
SELECT 'company' AS scope, k,
       SUM(purpose_achieved) AS purpose_achieved,
       SUM(purpose_answers) AS purpose_answers,
       SUM(csat_satisfied) AS csat_satisfied,
       SUM(csat_answers) AS csat_answers,
       SUM(effort_sum) AS effort_sum,
       SUM(effort_answers) AS effort_answers,
       SUM(nps_promoters) AS nps_promoters,
       SUM(nps_detractors) AS nps_detractors,
       SUM(nps_answers) AS nps_answers
FROM by_brand
GROUP BY k
UNION ALL
SELECT brand_id AS scope, k,
       purpose_achieved, purpose_answers, csat_satisfied, csat_answers, effort_sum, effort_answers,
       nps_promoters, nps_detractors, nps_answers
FROM by_brand
