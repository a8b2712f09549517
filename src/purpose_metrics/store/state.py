"""Is the fact store current? Fingerprints of the tables it is derived from.

store_state holds, per table the store follows, the fingerprint of what
the store was built from (row count, maximum and sum of the key) and the
store's version. The store is current when every fingerprint matches the
table now: an import keeps it so in its own transaction; rows written by
other means (or an older store version) make it stale until
`purpose-metrics refresh`. Reading the state never writes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import polars as pl
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from .. import db, sqltext

# Bump when the store's tables or their meaning change: an older store is
# then not current, and the next import or `refresh` rebuilds it.
STORE_VERSION = 4  # 3: week sets (fact_customer_week_sets); 4: with sets of every channel

# The tables the store is derived from, with the key whose count, maximum
# and sum make their fingerprint.
TRACKED: dict[str, str] = {
    "orders": "order_id",
    "customers": "customer_id",
    "customer_surveys": "response_id",
    "support_tickets": "ticket_id",
    "marketing_messages": "message_id",
}


def fingerprints(conn: Connection, tables: Sequence[str] = tuple(TRACKED)) -> dict[str, tuple]:
    """(row count, max key, sum of keys) of each table: cheap on every
    backend, and it changes when rows are added or removed."""
    out = {}
    for table in tables:
        key = TRACKED[table]
        row = conn.execute(
            sa.text(f"SELECT COUNT(*), MAX({key}), SUM(CAST({key} AS DOUBLE PRECISION)) FROM {table}")
        ).one()
        out[table] = (
            int(row[0]),
            None if row[1] is None else int(row[1]),
            None if row[2] is None else float(row[2]),
        )
    return out


def _same(a: tuple, b: tuple) -> bool:
    if a[0] != b[0] or a[1] != b[1]:
        return False
    if a[2] is None or b[2] is None:
        return a[2] is None and b[2] is None
    return abs(a[2] - b[2]) <= 1e-9 * max(1.0, abs(a[2]))


def stored_state(conn: Connection) -> dict[str, tuple] | None:
    """What store_state says the store was built from; None when the store
    is missing, of another version, or incomplete."""
    if not sa.inspect(conn).has_table("store_state"):
        return None
    rows = conn.execute(
        sa.text("SELECT table_name, row_count, max_key, key_sum, version FROM store_state")
    ).all()
    state = {
        r[0]: (int(r[1]), None if r[2] is None else int(r[2]), None if r[3] is None else float(r[3]))
        for r in rows
    }
    if set(state) != set(TRACKED) or any(r[4] != STORE_VERSION for r in rows):
        return None
    return state


def stored_versions(conn: Connection) -> set[int]:
    """The store versions store_state names (empty without one)."""
    if not sa.inspect(conn).has_table("store_state"):
        return set()
    return {int(v) for v in conn.execute(sa.text("SELECT DISTINCT version FROM store_state")).scalars().all()}


def version_stamp(conn: Connection) -> str:
    """What the store was built from, in a few bytes ("" without a store):
    it changes with every import, so a reader can tell its view is old."""
    if not sa.inspect(conn).has_table("store_state"):
        return ""
    rows = conn.execute(
        sa.text("SELECT table_name, row_count, max_key, refreshed_at FROM store_state ORDER BY table_name")
    ).all()
    return ";".join("|".join(str(v) for v in row) for row in rows)


def store_zone(conn: Connection) -> str | None:
    """The time zone the store's days are local to (None: UTC, also for a
    store made before stores kept it)."""
    if "zone" not in db.stored_columns(conn, "store_state"):
        return None
    # .one(), not .scalar(): DuckDB refuses the next statement while a result is unfinished.
    return conn.execute(sa.text("SELECT MAX(zone) FROM store_state")).one()[0]


def is_current(conn: Connection, tables: Sequence[str] = tuple(TRACKED), *, days_too: bool = True) -> bool:
    """Whether the store holds exactly what the tables hold now (all the
    tracked tables, or just `tables`) and, with `days_too`, its days are
    local to the company's zone now (order_history alone, which pushdown
    reads, holds instants and needs no zone). Sums of keys are compared to a
    relative 1e-9: a parallel SUM in floating point may differ in its last
    bits from one run to the next."""
    state = stored_state(conn)
    if state is None:
        return False
    if days_too and store_zone(conn) != db.company_zone(conn):
        return False
    now = fingerprints(conn, tables)
    return all(_same(state[t], now[t]) for t in tables)


def record(conn: Connection, tables: Sequence[str]) -> None:
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    zone = db.company_zone(conn)  # what the store's days were cut in
    prints = fingerprints(conn, tables)
    params: dict[str, object] = {}
    conn.execute(
        sa.text(f"DELETE FROM store_state WHERE {sqltext.in_list('table_name', 't', list(tables), params)}"),
        params,
    )
    rows = pl.DataFrame(
        [
            {"table_name": t, "row_count": p[0], "max_key": p[1], "key_sum": p[2], "version": STORE_VERSION,
             "refreshed_at": now, "zone": zone}
            for t, p in prints.items()
        ],
        schema={"table_name": pl.String, "row_count": pl.Int64, "max_key": pl.Int64, "key_sum": pl.Float64,
                "version": pl.Int32, "refreshed_at": pl.Datetime("us"), "zone": pl.String},
    )  # fmt: skip
    db.insert_rows(conn, "store_state", rows)
