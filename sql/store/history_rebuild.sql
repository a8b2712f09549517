-- Rebuild order_history from every completed order of a known customer
-- (a refresh, or the first import of orders).
DELETE FROM order_history;

{{ insert_every_customer }};
