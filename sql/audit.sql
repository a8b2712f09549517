-- Who did what: every sign-in, import, export and denied attempt of the
-- dashboard (audit.py). `logged_at` is UTC, `who` the signed-in email ("local" without
-- sign-in), `scope` the company or brand it concerned, `outcome` ok, denied
-- or failed, `detail` a line of what (a file name, a page, a reason).
CREATE TABLE IF NOT EXISTS audit_log (
    logged_at TIMESTAMP NOT NULL,
    who TEXT NOT NULL,
    role TEXT NOT NULL,
    action TEXT NOT NULL,
    scope TEXT,
    outcome TEXT NOT NULL,
    detail TEXT
);
