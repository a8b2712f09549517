-- Update order_history for the customers of an import (temp table
-- _pm_customers), and note in _pm_cells every (brand, day) whose facts the
-- change touches: the days of the imported orders (the caller adds those)
-- and of every older order whose flags changed. An order appended after a
-- customer's others changes one older flag at most (their first order's
-- repurchase within 90 days); an order dated in the past renumbers what
-- follows it, and every such day is recomputed.
CREATE TEMP TABLE _pm_old_history AS
SELECT order_id, {{ flags }}
FROM order_history
WHERE customer_id IN (SELECT customer_id FROM _pm_customers);

DELETE FROM order_history WHERE customer_id IN (SELECT customer_id FROM _pm_customers);

{{ insert_imported_customers }};

-- The orders whose flags changed, with their (brand, day), read once. The
-- customer sets hold who ordered and whether it was their first order:
-- only a changed first-order flag (an order dated before a customer's
-- first) changes a set of an older day.
CREATE TEMP TABLE _pm_changed AS
SELECT DISTINCT n.brand_id, n.day,
       CASE WHEN o.first_c <> n.first_c OR o.first_b <> n.first_b THEN 1 ELSE 0 END AS first_changed
FROM (
    SELECT order_id, brand_id, {{ day_of_ordered_at }} AS day, {{ flags }}
    FROM order_history
    WHERE customer_id IN (SELECT customer_id FROM _pm_customers)
) n
JOIN _pm_old_history o ON o.order_id = n.order_id
WHERE o.first_c <> n.first_c OR o.repurchased_c <> n.repurchased_c
   OR o.first_b <> n.first_b OR o.repurchased_b <> n.repurchased_b;

INSERT INTO _pm_set_cells (brand_id, day)
SELECT DISTINCT brand_id, day FROM _pm_changed WHERE first_changed = 1;

INSERT INTO _pm_cells (brand_id, day)
SELECT DISTINCT brand_id, day FROM _pm_changed;

DROP TABLE _pm_changed;
DROP TABLE _pm_old_history;
