-- What the customer sets (Roaring bitmaps, built in Python) are made of,
-- for the (brand, day) cells of {{ cells }}: each completed order of a known
-- customer with its place in their history (store/sets.py sorts and groups).
SELECT h.brand_id, {{ history_day }} AS day, h.channel, h.customer_id, h.seq_c, h.seq_b
FROM order_history h
WHERE 1 = 1 {{ cells }}
