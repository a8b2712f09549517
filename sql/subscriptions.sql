-- Weekly board-pack subscriptions and their deliveries (subscriptions.py,
-- delivery.py). Made by `init`, or at the first subscription of a database
-- made before them.
--
-- One row per subscription. `owner` is the signed-in email that made it
-- ("local" without sign-in) and `owner_groups` their identity provider's
-- groups at the time (one per line), so `deliver` can check the owner's
-- access against the roles file as it is on the day. `scope` is "company"
-- or a brand id, `file_format` pptx or pdf, `weekday` 0 (Monday) to 6
-- (Sunday) and `send_time` HH:MM, both in the company's time zone
-- (company.timezone, else UTC). `recipients` one email per line. UTC times.
CREATE TABLE IF NOT EXISTS subscriptions (
    subscription_id TEXT PRIMARY KEY,
    owner TEXT NOT NULL,
    owner_groups TEXT,
    scope TEXT NOT NULL,
    file_format TEXT NOT NULL,
    weekday INTEGER NOT NULL,
    send_time TEXT NOT NULL,
    recipients TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

-- One row per subscription and ISO week of sending (the week, in the
-- company's time zone, that holds the scheduled day): the key that makes a
-- second send of the same week impossible. `status` is sending (claimed,
-- before the mail goes), sent, failed, or released (an admin's "send
-- again", with `attempts` back to 0); `attempts` counts the tries;
-- `pack_week` the week of data the pack showed; `detail` the reason of a
-- failure. `updated_at` is UTC.
CREATE TABLE IF NOT EXISTS deliveries (
    subscription_id TEXT NOT NULL,
    delivery_week TEXT NOT NULL,
    pack_week TEXT,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    detail TEXT,
    PRIMARY KEY (subscription_id, delivery_week)
);
