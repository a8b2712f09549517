-- Purpose Metrics schema: every table of the data contract (contract.py).
-- One portable file for DuckDB, SQLite and PostgreSQL.
--  * Money and measures are DOUBLE PRECISION: DuckDB's bare NUMERIC is
--    DECIMAL(18,3) and would round, and the metrics compute in float64.
--  * Every table's key is a constraint the database enforces. Keys that may
--    hold a NULL brand_id (workforce, impact_ledger, targets) are unique
--    indexes on COALESCE(brand_id, ''): SQL treats NULLs as distinct, the
--    contract treats them as equal, and '' is no brand id (brand ids are
--    slugs). References are checked by validation at import.
--  * Every statement is idempotent (IF NOT EXISTS); statements are separated
--    by a semicolon at the end of a line.

CREATE TABLE IF NOT EXISTS company (
    name TEXT NOT NULL,
    purpose_statement TEXT NOT NULL,
    vision TEXT,
    mission TEXT,
    currency TEXT NOT NULL,
    timezone TEXT,
    calendar TEXT
);

CREATE TABLE IF NOT EXISTS brands (
    brand_id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    purpose_statement TEXT
);

CREATE TABLE IF NOT EXISTS customers (
    customer_id BIGINT PRIMARY KEY,
    created_at TIMESTAMP NOT NULL,
    segment TEXT,
    region TEXT,
    marketing_opt_in BOOLEAN NOT NULL
);

CREATE TABLE IF NOT EXISTS orders (
    order_id BIGINT PRIMARY KEY,
    customer_id BIGINT,
    brand_id TEXT NOT NULL,
    ordered_at TIMESTAMP NOT NULL,
    channel TEXT NOT NULL,
    status TEXT NOT NULL,
    units INTEGER NOT NULL,
    net_revenue DOUBLE PRECISION NOT NULL,
    returned_units INTEGER NOT NULL,
    refunded_amount DOUBLE PRECISION NOT NULL,
    promised_delivery_date DATE,
    delivered_at TIMESTAMP,
    shipping_co2e_kg DOUBLE PRECISION,
    packaging_kg DOUBLE PRECISION,
    packaging_recycled_kg DOUBLE PRECISION,
    donation_amount DOUBLE PRECISION NOT NULL,
    cause TEXT
);

CREATE TABLE IF NOT EXISTS customer_surveys (
    response_id BIGINT PRIMARY KEY,
    customer_id BIGINT,
    brand_id TEXT NOT NULL,
    order_id BIGINT,
    submitted_at TIMESTAMP NOT NULL,
    nps_score SMALLINT,
    csat_score SMALLINT,
    effort_score SMALLINT,
    customer_purpose TEXT,
    purpose_achieved BOOLEAN,
    comment TEXT
);

CREATE TABLE IF NOT EXISTS support_tickets (
    ticket_id BIGINT PRIMARY KEY,
    customer_id BIGINT,
    brand_id TEXT NOT NULL,
    order_id BIGINT,
    opened_at TIMESTAMP NOT NULL,
    resolved_at TIMESTAMP,
    contacts INTEGER NOT NULL
);

CREATE TABLE IF NOT EXISTS marketing_messages (
    message_id BIGINT PRIMARY KEY,
    customer_id BIGINT NOT NULL,
    brand_id TEXT NOT NULL,
    sent_at TIMESTAMP NOT NULL,
    opened_at TIMESTAMP,
    clicked_at TIMESTAMP,
    unsubscribed_at TIMESTAMP
);

CREATE TABLE IF NOT EXISTS employee_surveys (
    response_id BIGINT PRIMARY KEY,
    submitted_at TIMESTAMP NOT NULL,
    brand_id TEXT,
    team TEXT NOT NULL,
    enps_score SMALLINT,
    engagement_score DOUBLE PRECISION,
    purpose_alignment SMALLINT
);

CREATE TABLE IF NOT EXISTS workforce (
    period_start DATE NOT NULL,
    brand_id TEXT,
    team TEXT NOT NULL,
    headcount_start INTEGER NOT NULL,
    headcount_end INTEGER NOT NULL,
    hires INTEGER NOT NULL,
    voluntary_leavers INTEGER NOT NULL,
    involuntary_leavers INTEGER NOT NULL,
    training_hours DOUBLE PRECISION NOT NULL
);

CREATE TABLE IF NOT EXISTS impact_ledger (
    period_start DATE NOT NULL,
    brand_id TEXT,
    scope1_tco2e DOUBLE PRECISION NOT NULL,
    scope2_tco2e DOUBLE PRECISION NOT NULL,
    scope3_tco2e DOUBLE PRECISION NOT NULL,
    energy_kwh DOUBLE PRECISION NOT NULL,
    renewable_energy_kwh DOUBLE PRECISION NOT NULL,
    waste_kg DOUBLE PRECISION NOT NULL,
    waste_diverted_kg DOUBLE PRECISION NOT NULL,
    community_investment DOUBLE PRECISION NOT NULL,
    procurement_spend DOUBLE PRECISION NOT NULL,
    local_procurement_spend DOUBLE PRECISION NOT NULL,
    privacy_complaints INTEGER NOT NULL
);

CREATE TABLE IF NOT EXISTS targets (
    metric_id TEXT NOT NULL,
    brand_id TEXT,
    valid_from DATE NOT NULL,
    valid_to DATE,
    target_value DOUBLE PRECISION NOT NULL
);

CREATE TABLE IF NOT EXISTS initiatives (
    initiative_id BIGINT PRIMARY KEY,
    brand_id TEXT,
    name TEXT NOT NULL,
    launched_at DATE NOT NULL,
    metric_id TEXT,
    expected_change DOUBLE PRECISION
);

-- The keys of the tables whose key may hold a NULL brand_id, and the single
-- company row (an expression on a NOT NULL column is the same for every
-- row: DuckDB needs an index to name a column). An import checks these
-- first and says which rows clash; the index stops two imports that race.
CREATE UNIQUE INDEX IF NOT EXISTS company_single_row ON company ((name IS NULL));

CREATE UNIQUE INDEX IF NOT EXISTS workforce_key ON workforce (period_start, (COALESCE(brand_id, '')), team);

CREATE UNIQUE INDEX IF NOT EXISTS impact_ledger_key ON impact_ledger (period_start, (COALESCE(brand_id, '')));

CREATE UNIQUE INDEX IF NOT EXISTS targets_key ON targets (metric_id, (COALESCE(brand_id, '')), valid_from);

-- When each table last changed through an import (shown on the data page).
CREATE TABLE IF NOT EXISTS import_log (
    table_name TEXT NOT NULL,
    imported_at TIMESTAMP NOT NULL,
    row_count BIGINT NOT NULL,
    source TEXT NOT NULL
);
