-- fact_customer_surveys for the (brand, day) cells of {{ cells }}: survey
-- tallies per (brand, UTC day of submitted_at, region, segment, customer_purpose).
INSERT INTO fact_customer_surveys (
    brand_id, day, region, segment, customer_purpose,
    purpose_achieved, purpose_answers, csat_satisfied, csat_answers, effort_sum, effort_answers,
    nps_promoters, nps_detractors, nps_answers
)
SELECT brand_id, day, region, segment, customer_purpose,
{{ survey_tallies }}
FROM (
    SELECT s.brand_id, {{ day_of_submitted_at }} AS day, c.region, c.segment, s.customer_purpose,
           s.nps_score, s.csat_score, s.effort_score, s.purpose_achieved
    FROM customer_surveys s
    LEFT JOIN customers c ON c.customer_id = s.customer_id
    WHERE 1 = 1 {{ cells }}
) responses
GROUP BY brand_id, day, region, segment, customer_purpose;
