-- The fact store: everything the pages read, derived from the contract's
-- tables and kept current by every import in its own transaction
-- (store/maintain.py); `purpose-metrics refresh` rebuilds it whole (after
-- data were loaded by other means). See docs/metrics.md for the metrics.
--
-- Grains (one row per ...):
--   order_history          completed order of a known customer
--   fact_orders            (brand, UTC day, channel, region, segment)
--   fact_customer_surveys  (brand, day, region, segment, customer_purpose)
--   fact_support_tickets   (brand, day, region, segment)
--   fact_marketing_messages (brand, day, region, segment)
--   fact_customer_sets     (brand, day, channel, kind): a Roaring bitmap of
--                          customer ids (exact distinct counts over any days)
--   fact_customer_week_sets (brand, ISO week, channel, kind): the union of
--                          that week's day sets, so a year unions 52 sets, not 364
--   fact_customer_groups   (attribute, value): the customers of a region,
--                          a segment, or opted in to marketing
--   store_state            table the store was built from: its fingerprint
-- A day is a local date in the company's time zone when the store was made
-- (store_state.zone; NULL: UTC): importing a company in another zone
-- rebuilds the store.
-- region and segment are the customer's (NULL for a guest or an unknown
-- customer), so a filter on them is a WHERE on these tables.

-- Each completed order's place in its customer's history: seq 1 is the
-- customer's first completed order in company scope (_c) or in the order's
-- brand (_b), by (ordered_at, order_id); prev_at and next_at are when the
-- one before and the one after were placed.
-- And what the drivers (SPEC section 6) ask of an order when it anchors a
-- period, none of which depends on the period: revenue_90d, what its
-- customer spent (net_revenue - refunded_amount) on completed orders after
-- it (Earlier rule) up to 90 × 24 h on, in the company (_c) and in its
-- brand (_b); and its group under each driver, 1 good, 0 bad, NULL left
-- out: on_time (the local date of delivered_at against the promised date;
-- local to store_state.zone, as the facts' days), cause (a donation),
-- purpose_achieved (its latest answered customer survey) and first_contact
-- (every support ticket on it resolved at the first contact). An import of
-- surveys or tickets updates the last two for the orders they name.
CREATE TABLE IF NOT EXISTS order_history (
    order_id BIGINT NOT NULL,
    customer_id BIGINT NOT NULL,
    brand_id TEXT NOT NULL,
    channel TEXT NOT NULL,
    ordered_at TIMESTAMP NOT NULL,
    seq_c INTEGER NOT NULL,
    prev_at_c TIMESTAMP,
    next_at_c TIMESTAMP,
    seq_b INTEGER NOT NULL,
    prev_at_b TIMESTAMP,
    next_at_b TIMESTAMP,
    revenue_90d_c DOUBLE PRECISION NOT NULL,
    revenue_90d_b DOUBLE PRECISION NOT NULL,
    on_time INTEGER,
    cause INTEGER NOT NULL,
    purpose_achieved INTEGER,
    first_contact INTEGER
);

CREATE TABLE IF NOT EXISTS fact_orders (
    brand_id TEXT NOT NULL,
    day DATE NOT NULL,
    channel TEXT NOT NULL,
    region TEXT,
    segment TEXT,
    orders BIGINT NOT NULL,
    units BIGINT NOT NULL,
    revenue DOUBLE PRECISION NOT NULL,
    refunded DOUBLE PRECISION NOT NULL,
    returned_units BIGINT NOT NULL,
    known_orders BIGINT NOT NULL,
    donating_orders BIGINT NOT NULL,
    donations DOUBLE PRECISION NOT NULL,
    promised_delivered BIGINT NOT NULL,
    on_time BIGINT NOT NULL,
    shipping_co2e DOUBLE PRECISION NOT NULL,
    orders_with_co2e BIGINT NOT NULL,
    packaging DOUBLE PRECISION NOT NULL,
    packaging_recycled DOUBLE PRECISION NOT NULL,
    orders_with_packaging BIGINT NOT NULL,
    returning_orders_c BIGINT NOT NULL,
    returning_orders_b BIGINT NOT NULL,
    new_customers_c BIGINT NOT NULL,
    new_customers_b BIGINT NOT NULL,
    repurchased_90d_c BIGINT NOT NULL,
    repurchased_90d_b BIGINT NOT NULL
);

CREATE TABLE IF NOT EXISTS fact_customer_surveys (
    brand_id TEXT NOT NULL,
    day DATE NOT NULL,
    region TEXT,
    segment TEXT,
    customer_purpose TEXT,
    purpose_achieved BIGINT NOT NULL,
    purpose_answers BIGINT NOT NULL,
    csat_satisfied BIGINT NOT NULL,
    csat_answers BIGINT NOT NULL,
    effort_sum DOUBLE PRECISION NOT NULL,
    effort_answers BIGINT NOT NULL,
    nps_promoters BIGINT NOT NULL,
    nps_detractors BIGINT NOT NULL,
    nps_answers BIGINT NOT NULL
);

CREATE TABLE IF NOT EXISTS fact_support_tickets (
    brand_id TEXT NOT NULL,
    day DATE NOT NULL,
    region TEXT,
    segment TEXT,
    tickets_resolved BIGINT NOT NULL,
    tickets_one_contact BIGINT NOT NULL
);

CREATE TABLE IF NOT EXISTS fact_marketing_messages (
    brand_id TEXT NOT NULL,
    day DATE NOT NULL,
    region TEXT,
    segment TEXT,
    messages BIGINT NOT NULL,
    messages_clicked BIGINT NOT NULL,
    messages_unsubscribed BIGINT NOT NULL
);

-- kind: active (a completed order), repeat_c / repeat_b (one with seq >= 2),
-- first_c / first_b (the customer's first, seq = 1).
CREATE TABLE IF NOT EXISTS fact_customer_sets (
    brand_id TEXT NOT NULL,
    day DATE NOT NULL,
    channel TEXT NOT NULL,
    kind TEXT NOT NULL,
    customers {{ binary }} NOT NULL
);

-- week: the Monday (a local date, as day is) of a whole ISO week; its set is
-- the union of the week's seven day sets of fact_customer_sets; channel NULL:
-- of every channel (what a page without a channel filter reads).
CREATE TABLE IF NOT EXISTS fact_customer_week_sets (
    brand_id TEXT NOT NULL,
    week DATE NOT NULL,
    channel TEXT,
    kind TEXT NOT NULL,
    customers {{ binary }} NOT NULL
);

-- attribute: region, segment (value NULL: not stated) or opted_in (value 'true').
CREATE TABLE IF NOT EXISTS fact_customer_groups (
    attribute TEXT NOT NULL,
    value TEXT,
    customers {{ binary }} NOT NULL
);

CREATE TABLE IF NOT EXISTS store_state (
    table_name TEXT NOT NULL,
    row_count BIGINT NOT NULL,
    max_key BIGINT,
    key_sum DOUBLE PRECISION,
    version INTEGER NOT NULL,
    refreshed_at TIMESTAMP NOT NULL,
    zone TEXT  -- the company's time zone the store's days are local to (NULL: UTC)
);
