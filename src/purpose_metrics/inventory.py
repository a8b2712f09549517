"""What the database holds: rows, date range and last import of every table.

Read with bound SQLAlchemy expressions (no SQL strings), for the data page
and anyone who wants to know how fresh the numbers are.
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


def table_inventory(engine: Engine) -> pl.DataFrame:
    """Grain: one row per table of the contract, in load order: its row count,
    the first and last day of its date column, and its latest import."""
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
            imports = {r.table_name: r for r in conn.execute(last_imports)}
            for name, table in db.SA_TABLES.items():
                column = DATE_COLUMNS.get(name)
                if column:
                    query = sa.select(
                        sa.func.count(), sa.func.min(table.c[column]), sa.func.max(table.c[column])
                    )
                    count, first, last = conn.execute(query).one()
                else:
                    count, first, last = (
                        conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one(),
                        None,
                        None,
                    )
                imp = imports.get(name)
                rows.append(
                    {
                        "table": name,
                        "rows": int(count),
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


def for_display(inventory: pl.DataFrame) -> pl.DataFrame:
    """The inventory with a dash where a table has no dates or no import."""
    return inventory.with_columns(pl.col("first", "last", "last_import_source").fill_null("—"))
