-- A fragment: customer survey tallies over a GROUP BY of responses, pasted
-- into facts/customer_surveys.sql and store/fact_customer_surveys.sql.
           SUM(CASE WHEN purpose_achieved THEN 1 ELSE 0 END) AS purpose_achieved,
           COUNT(purpose_achieved) AS purpose_answers,
           SUM(CASE WHEN csat_score >= 4 THEN 1 ELSE 0 END) AS csat_satisfied,
           COUNT(csat_score) AS csat_answers,
           COALESCE(SUM(CAST(effort_score AS DOUBLE PRECISION)), 0) AS effort_sum,
           COUNT(effort_score) AS effort_answers,
           SUM(CASE WHEN nps_score >= 9 THEN 1 ELSE 0 END) AS nps_promoters,
           SUM(CASE WHEN nps_score <= 6 THEN 1 ELSE 0 END) AS nps_detractors,
           COUNT(nps_score) AS nps_answers
