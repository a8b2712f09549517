-- Impact ledger facts per (scope, period) from rows whose whole month lies
-- in the period. Brand-less rows (shared operations) count for the company.
WITH periods AS (
    {date_periods}
),
rows_in AS (
    SELECT p.k, t.*
    FROM impact_ledger t
    JOIN periods p ON t.period_start >= p.period_start AND {month_end} <= p.period_end
),
scoped AS (
    SELECT 'company' AS scope, r.* FROM rows_in r
    UNION ALL
    SELECT r.brand_id AS scope, r.* FROM rows_in r WHERE r.brand_id IS NOT NULL
)
SELECT scope, k,
       COUNT(*) AS ledger_rows,
       SUM(1000 * (scope1_tco2e + scope2_tco2e + scope3_tco2e)) AS ghg_kg,
       SUM(energy_kwh) AS energy,
       SUM(renewable_energy_kwh) AS renewable_energy,
       SUM(waste_kg) AS waste,
       SUM(waste_diverted_kg) AS waste_diverted,
       SUM(community_investment) AS community_investment,
       SUM(procurement_spend) AS procurement,
       SUM(local_procurement_spend) AS local_procurement,
       SUM(privacy_complaints) AS privacy_complaints
FROM scoped
GROUP BY scope, k
