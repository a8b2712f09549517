-- The facts of a fact-store table per (brand, period), for the pages: the
-- store's rows of the days in the range, after the filters, summed per
-- brand and period (k, the period's index, by a chain of comparisons of
-- `day` with the periods' ends). What is read grows with days × the filter
-- dimensions, never with orders.
SELECT brand_id, k,
       {{ sums }}
FROM (
    SELECT {{ k_day }} AS k, t.*
    FROM {{ table }} t
    WHERE day >= :range_start AND day < :range_end {{ filters }}
) cut
GROUP BY brand_id, k
