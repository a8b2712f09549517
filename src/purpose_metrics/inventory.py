"""What the database holds: rows, date range and last import of every table.

Read with bound SQLAlchemy expressions, for the data page and anyone who
wants to know how fresh the numbers are.

Counting rows is free on an embedded file but a scan of the table on
PostgreSQL (ten million orders). There a large table's rows come from what
is already known: the count the fact store recorded, exact while the
store's change counter vouches that nothing wrote the table since
(store/state.py); else the planner's statistics (`pg_class.reltuples`),
shown as "about N". The first and last dates are read as a MIN and a MAX of
their own, which an index on the column answers without a scan.
"""

from __future__ import annotations

import datetime as dt

import polars as pl
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from . import connections, db
from .contract import TABLES

# The column that places a table's rows in time (the contract's time column,
# else the date a row starts to matter). company and brands have none.
DATE_COLUMNS: dict[str, str] = {
    **{name: t.time_column for name, t in TABLES.items() if t.time_column},
    "customers": "created_at",
    "targets": "valid_from",
    "initiatives": "launched_at",
}

INVENTORY_SCHEMA = {
    "table": pl.String,
    "rows": pl.Int64,
    "rows_exact": pl.Boolean,
    "first": pl.String,
    "last": pl.String,
    "last_import": pl.Datetime("us"),
    "last_import_rows": pl.Int64,
    "last_import_source": pl.String,
}


def _day(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):  # SQLite hands back text
        return value[:10]
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)[:10]


def _timestamp(value: object) -> dt.datetime | None:
    if value is None or isinstance(value, dt.datetime):
        return value
    return dt.datetime.fromisoformat(str(value))


# On PostgreSQL, a table the statistics put above this many rows is not
# counted: its estimate is shown (a smaller one is counted exactly, quickly).
ESTIMATE_ABOVE = 1_000_000


def _known_counts(conn: sa.Connection) -> dict[str, tuple[int, bool]]:
    """PostgreSQL: {table: (rows, exact)} for the large tables, without a
    scan (see the module's docstring); empty elsewhere."""
    if conn.dialect.name != "postgresql":
        return {}
    from .store.state import TRACKED, changes_unseen

    out: dict[str, tuple[int, bool]] = {}
    estimates = conn.execute(
        sa.text(
            "SELECT n, c.reltuples FROM unnest(CAST(:names AS TEXT[])) AS n "
            "JOIN pg_class AS c ON c.oid = to_regclass(n) WHERE c.reltuples >= :above"
        ),
        {"names": list(db.SA_TABLES), "above": ESTIMATE_ABOVE},
    ).all()
    for name, estimate in estimates:
        out[name] = (int(estimate), False)
    unseen = changes_unseen(conn, list(TRACKED))
    if unseen and sa.inspect(conn).has_table("store_state"):
        recorded = conn.execute(sa.text("SELECT table_name, row_count FROM store_state")).all()
        out |= {name: (int(count), True) for name, count in recorded if name in unseen}
    return out


def _first_and_last(table: sa.Table, column: str) -> sa.Select:
    """MIN and MAX as two subqueries: each one an index's first or last
    entry where the column has an index (together, they would scan)."""
    col = table.c[column]
    return sa.select(
        sa.select(sa.func.min(col)).scalar_subquery(), sa.select(sa.func.max(col)).scalar_subquery()
    )


def table_inventory(engine: Engine) -> pl.DataFrame:
    """Grain: one row per table of the contract, in load order: its row count
    (rows_exact False: PostgreSQL's estimate, see the module's docstring),
    the first and last day of its date column, and its latest import (none
    without an import_log: tables loaded by other means)."""
    log = db.IMPORT_LOG
    latest = (
        sa.select(log.c.table_name, sa.func.max(log.c.imported_at).label("imported_at"))
        .group_by(log.c.table_name)
        .subquery()
    )
    last_imports = sa.select(log.c.table_name, log.c.imported_at, log.c.row_count, log.c.source).join(
        latest, sa.and_(log.c.table_name == latest.c.table_name, log.c.imported_at == latest.c.imported_at)
    )
    rows = []
    try:
        with connections.connect(engine) as conn:
            imports = {}
            if sa.inspect(conn).has_table("import_log"):  # a warehouse loaded by other means has none
                imports = {r.table_name: r for r in conn.execute(last_imports)}
            known = _known_counts(conn)
            for name, table in db.SA_TABLES.items():
                if name in known:
                    count, exact = known[name]
                else:
                    count, exact = (
                        conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one(),
                        True,
                    )
                column = DATE_COLUMNS.get(name)
                first, last = conn.execute(_first_and_last(table, column)).one() if column else (None, None)
                imp = imports.get(name)
                rows.append(
                    {
                        "table": name,
                        "rows": int(count),
                        "rows_exact": exact,
                        "first": _day(first),
                        "last": _day(last),
                        "last_import": _timestamp(imp.imported_at) if imp else None,
                        "last_import_rows": int(imp.row_count) if imp else None,
                        "last_import_source": imp.source if imp else None,
                    }
                )
    except sa.exc.SQLAlchemyError as exc:
        raise db.DatabaseError(_first_line(exc)) from exc
    return pl.DataFrame(rows, schema=INVENTORY_SCHEMA)


def _first_line(exc: Exception) -> str:
    orig = getattr(exc, "orig", None) or exc
    text = str(orig).strip()
    return f"database error: {text.splitlines()[0] if text else type(orig).__name__}"


def rows_text(rows: int, exact: bool) -> str:
    """A row count as shown: "1,234", or "about 10,000,000" for an estimate
    (to three significant digits: the statistics are no finer)."""
    if exact:
        return f"{rows:,}"
    rounded = round(rows, 3 - len(str(rows))) if rows >= 1000 else rows
    return f"about {rounded:,}"


def for_display(inventory: pl.DataFrame) -> pl.DataFrame:
    """The inventory with its rows as text (estimates say "about") and a
    dash where a table has no dates or no import."""
    rows = [rows_text(n, e) for n, e in zip(inventory["rows"], inventory["rows_exact"], strict=True)]
    return inventory.with_columns(
        pl.Series("rows", rows, pl.String), pl.col("first", "last", "last_import_source").fill_null("—")
    ).drop("rows_exact")
