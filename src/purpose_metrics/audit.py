"""The audit log: who signed in, imported, exported or was refused, and when.

Rows go to the `audit_log` table of the dashboard's database (sql/audit.sql).
A database made before the audit log gets its table at the first write.
Writing one never gets in the way: a database that refuses the write (a
read-only role, a locked file, a lost connection) costs a WARNING line in
the server's log, never a page, a read or an import. Each row is written in
a transaction of its own, after what it records, so a failed write cannot
undo an import.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

import polars as pl
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from . import connections, db, dburl, sqltext

log = logging.getLogger(__name__)

ACTIONS = ("sign-in", "sign-out", "import", "export", "view", "subscribe", "deliver")
OUTCOMES = ("ok", "denied", "failed")
MAX_DETAIL = 300
SHOWN = 200  # rows on the Data page


@dataclass(frozen=True)
class Entry:
    """One row of the audit log."""

    who: str
    role: str
    action: str
    outcome: str
    scope: str | None = None
    detail: str | None = None


def record(engine: Engine, entry: Entry, at: dt.datetime | None = None) -> bool:
    """Append `entry`; True when it was written. Never raises for the
    database's sake: a refused write is logged and forgotten."""
    if entry.action not in ACTIONS or entry.outcome not in OUTCOMES:
        raise ValueError(f"unknown audit action or outcome: {entry.action!r}, {entry.outcome!r}")
    row = {
        "logged_at": at or dt.datetime.now(dt.UTC).replace(tzinfo=None),
        "who": entry.who[:MAX_DETAIL],
        "role": entry.role,
        "action": entry.action,
        "scope": entry.scope,
        "outcome": entry.outcome,
        "detail": None if entry.detail is None else entry.detail[:MAX_DETAIL],
    }
    try:
        try:
            _insert(engine, row)
        except sa.exc.SQLAlchemyError:
            # A database made before the audit log: add the table, then try again.
            _create(engine)
            _insert(engine, row)
    except Exception as exc:  # noqa: BLE001 - the log must never break what it records
        text = dburl.redact(" ".join(str(exc).split()), engine.url)[:MAX_DETAIL]
        log.warning("audit log not written (%s %s by %s): %s", entry.action, entry.outcome, entry.who, text)
        return False
    return True


def _insert(engine: Engine, row: dict) -> None:
    with engine.begin() as conn:
        conn.execute(sa.insert(db.AUDIT_LOG), [row])


def _create(engine: Engine) -> None:
    with engine.begin() as conn:
        for statement in sqltext.statements(sqltext.render("audit.sql")):
            conn.exec_driver_sql(statement)


def recent(engine: Engine, limit: int = SHOWN) -> pl.DataFrame:
    """The latest `limit` rows, newest first (an empty frame when the
    database has no audit log yet)."""
    t = db.AUDIT_LOG
    query = sa.select(*t.c).order_by(t.c.logged_at.desc()).limit(limit)
    schema = {
        "logged_at": pl.Datetime("us"), "who": pl.String, "role": pl.String, "action": pl.String,
        "scope": pl.String, "outcome": pl.String, "detail": pl.String,
    }  # fmt: skip
    try:
        with connections.connect(engine) as conn:
            # Asked first, not tried: on PostgreSQL a failed SELECT would spoil the
            # transaction the run's other reads share (connections.py).
            if not sa.inspect(conn).has_table("audit_log"):
                return pl.DataFrame(schema=schema)
            rows = [tuple(r) for r in conn.execute(query)]
    except sa.exc.SQLAlchemyError:
        return pl.DataFrame(schema=schema)
    return pl.DataFrame(rows, schema=schema, orient="row")
