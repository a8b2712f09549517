"""Customer history, materialised once in the database.

Every loyalty metric needs each order's place in its customer's history
(first order? an earlier one? when was the next?). Computing it means
sorting every order ever placed — seconds at ten million orders. So it is
computed once, in the database, when orders change (`refresh`, run in the
import's own transaction), and read back only for the orders a view needs.

A fingerprint of the orders table (counts, max and sum of ids) is stored
with it; `ensure_fresh` rebuilds when orders were changed by something
other than `purpose-metrics import` (a warehouse load, a manual fix).
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from . import db

_FINGERPRINT = sa.text(
    "SELECT COUNT(*), COALESCE(SUM(CASE WHEN status = 'completed' THEN 1 ELSE 0 END), 0), MAX(order_id), "
    "SUM(CAST(order_id AS DOUBLE PRECISION)) FROM orders"
)
_STORED = sa.text("SELECT orders_total, orders_completed, max_order_id, sum_order_id FROM history_state")


def _statements() -> list[str]:
    text = (db.SQL_DIR / "order_history.sql").read_text(encoding="utf-8")
    lines = [ln for ln in text.splitlines() if not ln.strip().startswith("--")]
    return [s.strip() for s in "\n".join(lines).split(";\n") if s.strip().strip(";")]


def refresh(conn: Connection) -> None:
    """Rebuild order_history inside the caller's transaction."""
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    for statement in _statements():
        stmt = sa.text(statement.rstrip(";"))
        if ":refreshed_at" in statement:
            conn.execute(stmt, {"refreshed_at": now})
        else:
            conn.execute(stmt)
    if conn.dialect.name == "postgresql":
        # Fresh statistics for the fact queries' plans (autovacuum would take
        # its time; stale counts made PostgreSQL pick nested loops). ANALYZE
        # is allowed inside the transaction.
        conn.exec_driver_sql("ANALYZE order_history")


def _same(a, b) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return abs(float(a) - float(b)) <= 1e-9 * max(1.0, abs(float(a)))


def is_fresh(conn: Connection) -> bool:
    stored = conn.execute(_STORED).first()
    if stored is None:
        return False
    current = conn.execute(_FINGERPRINT).first()
    return all(_same(x, y) for x, y in zip(current, stored, strict=True))


def ensure_fresh(engine: Engine) -> None:
    """Rebuild the materialised history if orders changed behind our back
    (creating its tables first in a database made by an older version)."""
    try:
        with engine.connect() as conn:
            if is_fresh(conn):
                return
    except sa.exc.ProgrammingError:  # pragma: no cover - depends on the backend's wording
        db.create_schema(engine)
    except sa.exc.SQLAlchemyError as exc:
        if "order_history" not in str(exc) and "history_state" not in str(exc):
            raise
        db.create_schema(engine)
    with engine.begin() as conn:
        if not is_fresh(conn):
            refresh(conn)
